"""Small data for the assessment tests: the ORM catalogue of tests.programmes.builders (one
edition, two campuses, two courses a year), learners enrolled on both campuses and tracks, a
lecturer of the first MSc 1 course, another lecturer, a programme director."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.assessment import services
from capitalis.assessment.models import Assessment
from capitalis.enrolment.models import Enrolment
from capitalis.programmes.models import Campus, Course, Edition, ProgrammeYear, Track
from capitalis.referential.models import Competency
from tests.factories.accounts import BareUserFactory
from tests.factories.enrolment import EnrolmentFactory, LearnerFactory
from tests.programmes.builders import build_catalogue


def person(email: str, *roles: tuple[Role, ScopeKind, int | None]) -> User:
    return BareUserFactory(email=email, full_name=email[:5], roles=roles)


@dataclass
class World:
    edition: Edition
    msc1: ProgrammeYear
    course: Course  # common MSc 1 course, taught by ``lecturer``
    other_course: Course
    campuses: list[Campus]
    competencies: list[Competency]  # of the course's version, first block
    lecturer: User
    other_lecturer: User
    director: User
    enrolments: list[Enrolment]


def enrol(
    n: int, edition: Edition, year: ProgrammeYear, campus: Campus, track: str, spec: object
) -> Enrolment:
    # the learner service grants the LEARNER role
    learner = LearnerFactory(
        user=person(f"learner{n}@example.org"), national_student_number=f"{n:010d}A"
    )
    return EnrolmentFactory(
        learner=learner,
        edition=edition,
        year=year,
        campus=campus,
        track=track,
        specialisation=spec,  # type: ignore[misc]
    )


def world(learners: int = 4) -> World:
    programme = build_catalogue(editions=1, campuses=2, courses=2)
    edition = Edition.objects.get(programme=programme)
    msc1 = programme.years.get(position=1)
    course = Course.objects.get(edition=edition, code="E0Y1C0")
    other = Course.objects.get(edition=edition, code="E0Y1C1")
    campuses = list(Campus.objects.order_by("position"))
    version = programme.certification_version
    competencies = list(
        Competency.objects.filter(block__version=version, block__kind="common").order_by(
            "block__position", "position"
        )
    )
    spec = programme.specialisations.order_by("position").first()
    enrolments = [
        enrol(
            n,
            edition,
            msc1,
            campuses[n % 2],
            Track.INITIAL if n % 4 < 2 else Track.WORK_STUDY,
            spec,
        )
        for n in range(learners)
    ]
    return World(
        edition=edition,
        msc1=msc1,
        course=course,
        other_course=other,
        campuses=campuses,
        competencies=competencies,
        lecturer=person("lecturer@example.org", (Role.LECTURER, ScopeKind.COURSE, course.pk)),
        other_lecturer=person("other@example.org", (Role.LECTURER, ScopeKind.COURSE, other.pk)),
        director=person("director@example.org", (Role.PROGRAMME_DIRECTOR, ScopeKind.GLOBAL, None)),
        enrolments=enrolments,
    )


def exam(w: World, *, code: str = "EX1", when: dt.date | None = None, **kw: object) -> Assessment:
    return services.assessment_create(
        edition=w.edition,
        course=w.course,
        code=code,
        title_fr="Étude de cas",
        title_en="Case study",
        modality=kw.pop("modality", "individual_case_study"),  # type: ignore[arg-type]
        date=when or dt.date(2025, 1, 15),
        competencies=kw.pop("competencies", w.competencies[:2]),  # type: ignore[arg-type]
        actor=w.lecturer,
        **kw,  # type: ignore[arg-type]
    )
