"""Every enrolment page renders whatever optional part of a learner's record is missing: no
contract, a contract recorded before the employer tutor was required (no tutor), a terminated
contract, no internship, an internship without a tutor account, no calendar, no national
student number, no date of birth, no CVEC, no specialisation, no enrolment at all. Each page
is opened by each reader (the learner herself, her tutor, campus staff, the director) and
answers 200 (a 500 here is what a new user met on /enrolment/learners/<id>/)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.test import Client

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.enrolment import services
from capitalis.enrolment.models import Contract, CvecProof, Enrolment, Internship, Learner
from capitalis.programmes.models import Calendar, CampusRhythm, Track
from tests.enrolment.builders import EMPLOYER_SIRET, World, admitted, contract_for, user, world

pytestmark = pytest.mark.django_db


def _client(person: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(person)
    return client


def _enrol(w: World, email: str, track: str, **kwargs: object) -> Enrolment:
    app = admitted(w, email, track=track)
    # built with the ORM, not the services: the parts left out are what the test is about
    learner = Learner.objects.create(user=app.candidate)
    fields = {
        "learner": learner,
        "edition": w.first,
        "year": w.msc1,
        "campus": w.campus,
        "track": track,
        "specialisation": app.specialisation,
        "application": app,
    }
    fields.update(kwargs)
    return Enrolment.objects.create(**fields)


def _legacy_contract(enrolment: Enrolment, **kwargs: object) -> Contract:
    """A contract recorded before the tutor was required (bypassing the services)."""
    fields = {
        "enrolment": enrolment,
        "kind": "apprenticeship",
        "employer_name": "Employeur Ancien",
        "employer_siret": EMPLOYER_SIRET,
        "start_date": dt.date(2024, 9, 1),
        "end_date": dt.date(2026, 8, 31),
        "tutor": None,
        "recorded_without_tutor": True,
    }
    fields.update(kwargs)
    return Contract.objects.create(**fields)


def _learners(w: World, tutor: User) -> dict[str, Learner]:
    """One learner per missing part (and one with everything, for comparison)."""
    made: dict[str, Learner] = {}
    # nothing optional: no specialisation, no internship, no calendar, no INE, no CVEC
    bare = _enrol(w, "bare@example.org", Track.INITIAL, specialisation=None)
    made["initial, nothing optional"] = bare.learner
    # work-study without any contract
    made["work-study, no contract"] = _enrol(w, "nocon@example.org", Track.WORK_STUDY).learner
    # work-study whose contract predates the tutor rule
    legacy = _enrol(w, "legacy@example.org", Track.WORK_STUDY)
    _legacy_contract(legacy)
    made["work-study, contract without tutor"] = legacy.learner
    # the same, terminated early, with no OPCO
    ended = _enrol(w, "ended@example.org", Track.WORK_STUDY)
    _legacy_contract(ended, terminated_on=dt.date(2025, 1, 31), termination_reason="Fin")
    made["work-study, terminated contract without tutor"] = ended.learner
    # a complete work-study record through the services, with a calendar and a CVEC proof
    full = services.enrolment_create_from_application(
        application=admitted(w, "full@example.org", track=Track.WORK_STUDY),
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2, tutor=tutor),
    )
    Calendar.objects.create(edition=w.first, campus=w.campus, track=Track.WORK_STUDY)
    CampusRhythm.objects.create(
        edition=w.first,
        campus=w.campus,
        track=Track.WORK_STUDY,
        kind="alternating_weeks",
        params={"company_weeks": 3, "school_weeks": 1, "first": "school"},
    )
    # the initial track's calendar exists (the assessments create it) but has no rhythm yet
    Calendar.objects.create(edition=w.first, campus=w.campus, track=Track.INITIAL)
    CvecProof.objects.create(
        learner=full.learner,
        academic_year="2024-25",
        certificate_number="CVEC-1",
        recorded_on=dt.date(2024, 9, 10),
    )
    made["work-study, complete"] = full.learner
    # an internship whose tutor has no account and no name; no agreement signed
    intern = _enrol(w, "intern@example.org", Track.INITIAL)
    Internship.objects.create(
        enrolment=intern,
        host_name="Hôte Fictif",
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2025, 7, 31),
    )
    made["initial, internship without tutor"] = intern.learner
    # an internship tutored by the tutor account
    tutored = _enrol(w, "tutored@example.org", Track.INITIAL)
    Internship.objects.create(
        enrolment=tutored,
        host_name="Hôte Fictif",
        tutor=tutor,
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2025, 7, 31),
    )
    made["initial, internship tutored"] = tutored.learner
    # a suspended enrolment on the other campus (the coordinator does not manage it)
    made["other campus, suspended"] = _enrol(
        w, "away@example.org", Track.INITIAL, campus=w.other_campus, status="suspended"
    ).learner
    # a learner without any enrolment (e.g. withdrawn before it was recorded)
    lone = user("lone@example.org", (Role.LEARNER, ScopeKind.GLOBAL, None))
    made["no enrolment"] = Learner.objects.create(user=lone)
    return made


def _pages(learner: Learner) -> Iterator[str]:
    """The enrolment pages about this learner."""
    yield f"/enrolment/learners/{learner.pk}/"
    for enrolment in learner.enrolments.all():
        yield f"/enrolment/enrolments/{enrolment.pk}/contract/"
        yield f"/enrolment/enrolments/{enrolment.pk}/internship/"
        yield f"/enrolment/enrolments/{enrolment.pk}/reenrol/"
        for contract in enrolment.contracts.all():
            yield f"/enrolment/contracts/{contract.pk}/terminate/"
            yield f"/enrolment/contracts/{contract.pk}/tutor/"


def _get(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url, follow=True)
    return response.status_code, response.content.decode()


def test_every_page_of_every_partial_record_renders() -> None:
    w = world()
    tutor = user("tutor@example.org", (Role.EMPLOYER_TUTOR, ScopeKind.GLOBAL, None))
    learners = _learners(w, tutor)
    readers = {
        "director": _client(w.director),
        "coordinator": _client(w.coordinator),
    }
    failures: list[str] = []
    for label, learner in learners.items():
        own = _client(learner.user)
        # "my record" and the learner's own page
        status, body = _get(own, "/enrolment/me/")
        if status != 200:
            failures.append(f"{label}: my record → {status}")
        status, body = _get(own, f"/enrolment/learners/{learner.pk}/")
        if status != 200:
            failures.append(f"{label}: own page → {status}")
        # the calendar the page links to
        for link in re.findall(r'href="(/programmes/calendars/[^"]+)"', body):
            status, _body = _get(own, link)
            if status != 200:
                failures.append(f"{label}: calendar {link} → {status}")
        # the coordinator reads and manages only the learners of his campus (404 otherwise)
        his = learner.enrolments.filter(campus=w.campus).exists()
        for reader, client in readers.items():
            expected = 200 if reader == "director" or his else 404
            for url in _pages(learner):
                status, _body = _get(client, url)
                if status != expected:
                    failures.append(f"{label}: {reader} {url} → {status} (expected {expected})")
    # the calendar link is there when the calendar can be shown, and only then
    complete = _get(
        _client(w.director), f"/enrolment/learners/{learners['work-study, complete'].pk}/"
    )
    assert "/programmes/calendars/" in complete[1]
    bare = _get(
        _client(w.director), f"/enrolment/learners/{learners['initial, nothing optional'].pk}/"
    )
    assert "/programmes/calendars/" not in bare[1] and "No calendar yet." in bare[1]
    # the tutor sees his apprentices' pages
    tutored = [learners["work-study, complete"], learners["initial, internship tutored"]]
    for learner in tutored:
        status, _body = _get(_client(tutor), f"/enrolment/learners/{learner.pk}/")
        if status != 200:
            failures.append(f"tutor: {learner} → {status}")
    assert failures == []


def test_a_contract_without_tutor_says_so() -> None:
    w = world()
    legacy = _enrol(w, "legacy@example.org", Track.WORK_STUDY)
    _legacy_contract(legacy)
    page = _client(w.director).get(f"/enrolment/learners/{legacy.learner_id}/")
    assert page.status_code == 200
    assert "None recorded: name the employer tutor." in page.content.decode()
    mine = _client(legacy.learner.user).get("/enrolment/me/", follow=True)
    assert mine.status_code == 200 and "Employeur Ancien" in mine.content.decode()


def test_the_contract_api_lists_a_contract_without_tutor() -> None:
    w = world()
    legacy = _enrol(w, "legacy@example.org", Track.WORK_STUDY)
    contract = _legacy_contract(legacy)
    response = _client(w.director).get(f"/api/enrolment/contracts/{contract.pk}/")
    assert response.status_code == 200 and response.json()["tutor_email"] is None
