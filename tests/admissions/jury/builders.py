"""Small data for the interview, jury, letter and dashboard tests: the admissions test world
(tests.admissions.builders) with a scoring grid, eligible applications, slots and a jury, all
made through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions import services
from capitalis.admissions.jury import services as jury_services
from capitalis.admissions.models import AdmissionJury, Application, Interview, InterviewSlot
from tests.admissions.builders import World, build_world, draft, staff
from tests.factories.admissions import CandidateFactory

GRID = [
    {"code": "MOTIVATION", "label_fr": "Motivation", "label_en": "Motivation", "max_score": 5},
    {"code": "METHOD", "label_fr": "Méthode", "label_en": "Method", "max_score": 5},
]
SCORES = {"MOTIVATION": 4, "METHOD": 3}


@dataclass
class JuryWorld:
    world: World
    officer: User


def jury_world() -> JuryWorld:
    world = build_world()
    jury_services.interview_grid_set(edition=world.edition, criteria=GRID)
    officer = staff(
        "officer@example.org", Role.ADMISSIONS_OFFICER, ScopeKind.CAMPUS, world.campus.pk
    )
    officer.full_name = "Officer Test"
    officer.save()
    return JuryWorld(world, officer)


def eligible(
    jw: JuryWorld,
    email: str,
    *,
    language: str = "fr",
    name: str = "Candidate Test",
    accommodation: str = "",
) -> Application:
    who = CandidateFactory(email=email, full_name=name, preferred_language=language)
    application = draft(jw.world, who)
    if accommodation:
        application = services.application_update_draft(
            application=application,
            actor_user=who,
            edition=application.edition,
            year=application.year,
            campus=application.campus,
            track=application.track,
            specialisation=application.specialisation,
            english_level=application.english_level,
            accommodation_requested=True,
            accommodation_details=accommodation,
        )
    application = services.application_submit(
        application=application, actor_user=who, expected_version=application.version
    )
    assert application.status == "eligible", application.eligibility
    return application


_slot_count = [0]


def slot(jw: JuryWorld, *, interviewers: tuple[User, ...] = ()) -> InterviewSlot:
    _slot_count[0] += 1
    start = timezone.now() + dt.timedelta(days=1, hours=_slot_count[0])
    return jury_services.interview_slot_create(
        edition=jw.world.edition,
        campus=jw.world.campus,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=45),
        location="Salle 1",
        interviewers=interviewers,
        actor=jw.officer,
    )


def booked(jw: JuryWorld, application: Application) -> Interview:
    """The application booked by the campus officer into a new free slot (refreshed)."""
    interview = jury_services.interview_book(
        application=application,
        slot=slot(jw),
        actor=jw.officer,
        expected_version=application.version,
    )
    application.refresh_from_db()
    return interview


def interviewed(jw: JuryWorld, application: Application) -> tuple[Application, Interview]:
    interview = booked(jw, application)
    jury_services.interview_record(
        interview=interview,
        scores=SCORES,
        comment="Clear plan.",
        actor=jw.officer,
        expected_version=application.version,
    )
    application.refresh_from_db()
    return application, interview


def jury(jw: JuryWorld, *, sits_on: dt.date | None = None) -> tuple[AdmissionJury, User, User]:
    president = staff("president@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    president.full_name = "President Test"
    president.save()
    member = staff("member@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    sitting = jury_services.admission_jury_create(
        edition=jw.world.edition,
        campus=jw.world.campus,
        sits_on=sits_on or timezone.localdate(),
        president=president,
        members=[member],
        actor=jw.officer,
    )
    return sitting, president, member


def presented(jw: JuryWorld, sitting: AdmissionJury, application: Application) -> Application:
    application, _interview = interviewed(jw, application)
    return jury_services.application_present(
        application=application,
        jury=sitting,
        actor=jw.officer,
        expected_version=application.version,
    )
