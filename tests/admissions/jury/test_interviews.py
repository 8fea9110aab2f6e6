"""Interviews (issue 4 point 4): slots, booking, the scoring grid, the shipped grid, and the
adapted arrangements visible only to the admission jury and the campus disability referent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone, translation

from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions.jury import services as jury_services
from capitalis.admissions.jury.queries import interview_get_for
from capitalis.admissions.models import Application, Interview, InterviewCriterion
from capitalis.admissions.rules import Status
from capitalis.core.exceptions import DomainError
from tests.admissions.builders import staff
from tests.admissions.jury.builders import (
    SCORES,
    booked,
    eligible,
    jury,
    jury_world,
    presented,
    slot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_book_an_eligible_application_then_score_it() -> None:
    jw = jury_world()
    application = eligible(jw, "a@example.org")
    interviewer = staff("int@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    free = slot(jw, interviewers=(interviewer,))
    interview = jury_services.interview_book(
        application=application, slot=free, actor=jw.officer, expected_version=application.version
    )
    application.refresh_from_db()
    assert application.status == Status.INTERVIEW_SCHEDULED
    assert interview.slot == free
    # The interviewer sees the interview; scoring needs the admissions or jury authority to
    # move the file, so the campus officer records it here.
    assert interview_get_for(user=interviewer, pk=interview.pk) is not None
    jury_services.interview_record(
        interview=interview,
        scores=SCORES,
        comment="Motivated.",
        actor=jw.officer,
        expected_version=application.version,
    )
    application.refresh_from_db()
    interview.refresh_from_db()
    assert application.status == Status.INTERVIEWED
    assert interview.scores == SCORES
    assert interview.interviewed_at is not None


def test_slot_times_and_campus_are_checked() -> None:
    jw = jury_world()
    start = timezone.now()
    with translation.override("en"), pytest.raises(DomainError, match="end after it starts"):
        jury_services.interview_slot_create(
            edition=jw.world.edition,
            campus=jw.world.campus,
            starts_at=start,
            ends_at=start - dt.timedelta(minutes=1),
            actor=jw.officer,
        )
    with pytest.raises(DomainError) as error:  # the officer of another campus
        jury_services.interview_slot_create(
            edition=jw.world.edition,
            campus=jw.world.other_campus,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            actor=jw.officer,
        )
    assert error.value.code == "forbidden"


def test_a_booked_slot_and_a_non_eligible_file_are_refused_nothing_saved() -> None:
    jw = jury_world()
    first = eligible(jw, "a@example.org")
    second = eligible(jw, "b@example.org")
    taken = slot(jw)
    jury_services.interview_book(
        application=first, slot=taken, actor=jw.officer, expected_version=first.version
    )
    with translation.override("fr"), pytest.raises(DomainError, match="déjà réservé"):
        jury_services.interview_book(
            application=second, slot=taken, actor=jw.officer, expected_version=second.version
        )
    first.refresh_from_db()
    with pytest.raises(DomainError):  # already scheduled: not eligible any more
        jury_services.interview_book(
            application=first, slot=slot(jw), actor=jw.officer, expected_version=first.version
        )
    second.refresh_from_db()
    assert second.status == Status.ELIGIBLE
    assert Interview.objects.count() == 1


@pytest.mark.parametrize(
    ("scores", "code"),
    [
        ({"MOTIVATION": 4}, "score_missing"),
        ({"MOTIVATION": 4, "METHOD": 9}, "score_range"),
        ({"MOTIVATION": 4, "METHOD": "good"}, "score_invalid"),
        ({"MOTIVATION": 4, "METHOD": 3, "OTHER": 1}, "unknown_criterion"),
    ],
)
def test_a_bad_grid_is_refused_nothing_saved(scores, code) -> None:
    jw = jury_world()
    application = eligible(jw, "a@example.org")
    interview = booked(jw, application)
    with pytest.raises(DomainError) as error:
        jury_services.interview_record(
            interview=interview,
            scores=scores,
            comment="x",
            actor=jw.officer,
            expected_version=application.version,
        )
    assert error.value.code == code
    application.refresh_from_db()
    interview.refresh_from_db()
    assert application.status == Status.INTERVIEW_SCHEDULED
    assert interview.scores == {}


def test_a_lecturer_who_is_not_an_interviewer_cannot_score() -> None:
    jw = jury_world()
    application = eligible(jw, "a@example.org")
    interview = jury_services.interview_book(
        application=application,
        slot=slot(jw),
        actor=jw.officer,
        expected_version=application.version,
    )
    lecturer = staff("lect@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    with pytest.raises(DomainError) as error:
        jury_services.interview_record(
            interview=interview,
            scores=SCORES,
            comment="x",
            actor=lecturer,
            expected_version=application.version + 1,
        )
    assert error.value.code == "forbidden"


def test_the_shipped_grid_loads_idempotently(referential_data) -> None:
    from capitalis.core.services import data_load

    assert referential_data.counts["admissions-interviews"].total("created") == 10
    grid = InterviewCriterion.objects.filter(edition__code="2026-27")
    assert [c.code for c in grid] == [
        "MOTIVATION",
        "BACKGROUND",
        "KNOWLEDGE",
        "METHOD",
        "EXPRESSION",
    ]
    with translation.override("en"):
        assert grid[0].label == "Motivation and career plan"
    again = data_load()
    assert not again.counts["admissions-interviews"].changed


# --- adapted arrangements ----------------------------------------------------------------


def _with_arrangements():
    jw = jury_world()
    application = eligible(jw, "a@example.org", accommodation="Extra time, ground floor room")
    sitting, president, member = jury(jw)
    application = presented(jw, sitting, application)
    interview = application.interview
    referent = staff(
        "ref@example.org", Role.DISABILITY_REFERENT, ScopeKind.CAMPUS, jw.world.campus.pk
    )
    jury_services.interview_arrangements_set(
        interview=interview, text="One third more time; a room on the ground floor.", actor=referent
    )
    return jw, application, interview, president, member, referent


def test_arrangements_are_seen_by_the_jury_and_the_referent_only() -> None:
    jw, _application, interview, president, member, referent = _with_arrangements()
    text = "One third more time; a room on the ground floor."
    for user in (president, member, referent):
        view = interview_get_for(user=user, pk=interview.pk)
        assert view is not None and view.arrangements == text, user
    lecturer = staff("lect@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    other_referent = staff(
        "ref2@example.org", Role.DISABILITY_REFERENT, ScopeKind.CAMPUS, jw.world.other_campus.pk
    )
    officer_view = interview_get_for(user=jw.officer, pk=interview.pk)
    assert officer_view is not None and officer_view.arrangements is None
    assert interview_get_for(user=lecturer, pk=interview.pk) is None
    assert interview_get_for(user=other_referent, pk=interview.pk) is None
    with pytest.raises(DomainError):  # the officer may not write them either
        jury_services.interview_arrangements_set(interview=interview, text="x", actor=jw.officer)


def test_arrangements_are_hidden_on_the_page_and_in_the_api() -> None:
    jw, application, interview, president, _member, _referent = _with_arrangements()
    text = "One third more time"
    lecturer = staff("lect@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    client = Client()

    client.force_login(president)
    assert text in client.get(f"/admissions/interviews/{interview.pk}/").content.decode()
    assert (
        client.get(f"/api/admissions/interviews/{interview.pk}/")
        .json()["adapted_arrangements"]
        .startswith(text)
    )
    assert text in client.get(f"/admissions/juries/{application.jury_id}/").content.decode()

    client.force_login(jw.officer)
    page = client.get(f"/admissions/interviews/{interview.pk}/")
    assert page.status_code == 200 and text not in page.content.decode()
    assert (
        client.get(f"/api/admissions/interviews/{interview.pk}/").json()["adapted_arrangements"]
        is None
    )
    assert text not in client.get(f"/admissions/juries/{application.jury_id}/").content.decode()

    client.force_login(lecturer)
    assert client.get(f"/admissions/interviews/{interview.pk}/").status_code == 404
    assert client.get(f"/api/admissions/interviews/{interview.pk}/").status_code == 404


def test_the_interview_page_records_the_grid() -> None:
    jw = jury_world()
    application = eligible(jw, "a@example.org")
    interview = booked(jw, application)
    client = Client()
    client.force_login(jw.officer)
    url = f"/admissions/interviews/{interview.pk}/"
    bad = client.post(
        url,
        {
            "action": "score",
            "version": application.version,
            "score-MOTIVATION": "4",
            "comment": "x",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert bad.status_code == 200
    assert "Méthode" in bad.content.decode() and "n’a pas de note" in bad.content.decode()
    good = client.post(
        url,
        {
            "action": "score",
            "version": application.version,
            "score-MOTIVATION": "4",
            "score-METHOD": "3",
            "comment": "Clear plan.",
        },
    )
    assert good.status_code == 302
    assert Application.objects.get(pk=application.pk).status == Status.INTERVIEWED
