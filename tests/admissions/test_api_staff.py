"""The admissions staff's steps through the API (capitalis/admissions/api_staff.py), the
documents and the decision letter: each does what its page does, refuses bad input at the
field with nothing changed, and answers 404 to someone it is not for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from openapi_core import OpenAPI
from rest_framework.test import APIClient

from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions.jury import services as jury_services
from capitalis.admissions.models import AdmissionJury, Application, Interview, InterviewSlot
from capitalis.admissions.rules import Status
from tests.admissions.builders import staff
from tests.admissions.jury.builders import (
    SCORES,
    eligible,
    interviewed,
    jury,
    jury_world,
    presented,
    slot,
)
from tests.openapi_checks import answer_validated
from tests.referential.test_api import openapi  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post(client: APIClient, openapi: OpenAPI, path: str, data, status: int):  # noqa: F811
    response = client.post(path, data, format="json")
    assert response.status_code == status, response.content
    return answer_validated(openapi, path, response).json()


def test_slot_create_book_and_record(openapi: OpenAPI) -> None:  # noqa: F811
    jw = jury_world()
    application = eligible(jw, "cand@example.org")
    interviewer = staff("lect@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    officer = _as(jw.officer)
    start = timezone.now() + dt.timedelta(days=2)
    created = _post(
        officer,
        openapi,
        "/api/admissions/interview-slots/",
        {
            "edition": jw.world.edition.pk,
            "campus": jw.world.campus.pk,
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(minutes=30)).isoformat(),
            "interviewers": ["lect@example.org"],
        },
        201,
    )
    assert created["interviewers"] == ["lect@example.org"]
    booked = _post(
        officer,
        openapi,
        f"/api/admissions/interview-slots/{created['id']}/book/",
        {"application": application.pk, "expected_version": application.version},
        201,
    )
    assert booked["status"] == "interview_scheduled"
    application.refresh_from_db()
    # the interviewer scores it (he holds no admissions or jury role on the file)
    recorded = _post(
        _as(interviewer),
        openapi,
        f"/api/admissions/interviews/{booked['id']}/record/",
        {"scores": SCORES, "comment": "Good.", "expected_version": application.version},
        200,
    )
    assert recorded["status"] == "interviewed"
    assert {line["code"]: line["score"] for line in recorded["grid"]} == SCORES


def test_bad_input_is_refused_at_the_field_and_changes_nothing(openapi) -> None:  # noqa: F811
    jw = jury_world()
    officer = _as(jw.officer)
    start = timezone.now() + dt.timedelta(days=2)
    body = {
        "edition": jw.world.edition.pk,
        "campus": jw.world.campus.pk,
        "starts_at": start.isoformat(),
        "ends_at": start.isoformat(),
        "interviewers": ["nobody@example.org"],
    }
    refused = officer.post("/api/admissions/interview-slots/", body, format="json")
    assert refused.status_code == 400
    assert "nobody@example.org" in str(refused.json()["interviewers"])
    body["interviewers"] = []
    same_time = _post(officer, openapi, "/api/admissions/interview-slots/", body, 400)
    assert same_time["code"] == "slot_times"
    assert not InterviewSlot.objects.exists()
    application = eligible(jw, "cand@example.org")
    application, interview = interviewed(jw, application)
    assert interview.scores == SCORES
    # a stale version: 409, nothing changed
    second = eligible(jw, "cand2@example.org")
    free = slot(jw)
    stale = _post(
        officer,
        openapi,
        f"/api/admissions/interview-slots/{free.pk}/book/",
        {"application": second.pk, "expected_version": second.version + 1},
        409,
    )
    assert stale["code"] == "conflict"
    assert not Interview.objects.filter(application=second).exists()


def test_jury_create_and_present(openapi) -> None:  # noqa: F811
    jw = jury_world()
    application, _interview = interviewed(jw, eligible(jw, "cand@example.org"))
    staff("pres@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    officer = _as(jw.officer)
    created = _post(
        officer,
        openapi,
        "/api/admissions/juries/",
        {
            "edition": jw.world.edition.pk,
            "campus": jw.world.campus.pk,
            "sits_on": str(timezone.localdate()),
            "president": "pres@example.org",
        },
        201,
    )
    assert created["president"] == "pres@example.org" and created["members"] == []
    presented_file = _post(
        officer,
        openapi,
        f"/api/admissions/juries/{created['id']}/present/",
        {"application": application.pk, "expected_version": application.version},
        200,
    )
    assert presented_file["status"] == "presented"
    assert Application.objects.get(pk=application.pk).jury_id == created["id"]


def test_people_who_are_not_admissions_staff_get_404(openapi) -> None:  # noqa: F811
    jw = jury_world()
    application = eligible(jw, "cand@example.org")
    free = slot(jw)
    sitting, president, _member = jury(jw)
    candidate = _as(application.candidate)
    for path, body in [
        ("/api/admissions/interview-slots/", {}),
        (f"/api/admissions/interview-slots/{free.pk}/book/", {}),
        ("/api/admissions/juries/", {}),
        (f"/api/admissions/juries/{sitting.pk}/present/", {}),
    ]:
        assert candidate.post(path, body, format="json").status_code == 404, path
    # the jury's president sees the jury but presents nothing: only staff present files
    assert (
        _as(president)
        .post(
            f"/api/admissions/juries/{sitting.pk}/present/",
            {"application": application.pk, "expected_version": application.version},
            format="json",
        )
        .status_code
        == 404
    )
    assert AdmissionJury.objects.count() == 1 and InterviewSlot.objects.count() == 1


def test_documents_and_letter(openapi) -> None:  # noqa: F811
    jw = jury_world()
    application = eligible(jw, "cand@example.org")
    url = f"/api/admissions/applications/{application.pk}/"
    documents = list(application.documents.all())
    assert documents  # the builders' draft has its documents
    officer = _as(jw.officer)
    stranger = _as(staff("other@example.org", Role.LECTURER, ScopeKind.COURSE, 1))
    for doc in documents:
        got = officer.get(f"{url}documents/{doc.pk}/")
        assert got.status_code == 200 and got["Content-Type"] == doc.content_type
        assert stranger.get(f"{url}documents/{doc.pk}/").status_code == 404
    assert officer.get(f"{url}documents/987654/").status_code == 404
    # no letter before the decision
    assert _as(application.candidate).get(f"{url}letter/").status_code == 404
    sitting, president, _member = jury(jw)
    file = presented(jw, sitting, application)
    jury_services.application_decide(
        application=file,
        decision=Status.ADMITTED,
        actor=president,
        expected_version=file.version,
    )
    letter = _as(application.candidate).get(f"{url}letter/")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    assert stranger.get(f"{url}letter/").status_code == 404


def test_slot_and_jury_lists_are_scoped_by_the_permission_table(openapi) -> None:  # noqa: F811
    """Admissions staff list their campus's slots and juries; an interviewer his slots, a jury
    member his juries; anyone else an empty list. A bad ``?edition=`` answers 400."""
    jw = jury_world()
    interviewer = staff("int@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    mine = slot(jw, interviewers=(interviewer,))
    other = slot(jw)
    sitting, president, member = jury(jw)
    outsider = staff("out@example.org", Role.LECTURER, ScopeKind.COURSE, 2)

    def ids(user, path: str, query: str = "") -> list[int]:
        response = _as(user).get(f"{path}{query}")
        assert response.status_code == 200, response.content
        body = answer_validated(openapi, path, response, "get").json()
        return sorted(row["id"] for row in body["results"])

    slots, juries = "/api/admissions/interview-slots/", "/api/admissions/juries/"
    assert ids(jw.officer, slots) == sorted([mine.pk, other.pk])
    assert ids(jw.officer, slots, f"?edition={jw.world.edition.pk}") == sorted([mine.pk, other.pk])
    assert ids(jw.officer, slots, "?edition=987654") == []
    assert ids(interviewer, slots) == [mine.pk]
    assert ids(outsider, slots) == []
    assert ids(jw.officer, juries) == [sitting.pk]
    assert ids(president, juries) == [sitting.pk] and ids(member, juries) == [sitting.pk]
    assert ids(outsider, juries) == []
    listed = _as(jw.officer).get(juries).json()["results"][0]
    assert listed["president"] == president.email and listed["members"] == [member.email]
    for bad in ("x", "-1", "0"):
        assert _as(jw.officer).get(f"{slots}?edition={bad}").status_code == 400
        assert _as(jw.officer).get(f"{juries}?edition={bad}").status_code == 400
    assert APIClient().get(slots).status_code in (401, 403)
