"""The admission jury (issue 4 point 5): a sitting with scoped roles, presentation (the
decision deadline, late files), decisions in batch where one conflict loses nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone, translation

from capitalis.accounts.models import RoleAssignment
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions.jury import services as jury_services
from capitalis.admissions.jury.queries import jury_applications
from capitalis.admissions.models import Application
from capitalis.admissions.rules import Status
from capitalis.core.exceptions import DomainError
from tests.admissions.builders import staff
from tests.admissions.jury.builders import eligible, interviewed, jury, jury_world, presented

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_sitting_grants_the_jury_roles_scoped_to_it() -> None:
    jw = jury_world()
    sitting, president, member = jury(jw)
    assert RoleAssignment.objects.filter(
        user=president,
        role=Role.JURY_PRESIDENT,
        scope=ScopeKind.ADMISSION_JURY,
        scope_id=sitting.pk,
    ).exists()
    assert RoleAssignment.objects.filter(
        user=member, role=Role.JURY_MEMBER, scope=ScopeKind.ADMISSION_JURY, scope_id=sitting.pk
    ).exists()


def test_presented_on_the_sitting_date_with_a_4_week_deadline_and_late_flag() -> None:
    jw = jury_world()
    today = timezone.localdate()
    sitting, president, _member = jury(jw, sits_on=today - dt.timedelta(days=40))
    application = presented(jw, sitting, eligible(jw, "a@example.org"))
    assert application.status == Status.PRESENTED
    assert application.presented_on == sitting.sits_on
    assert application.jury == sitting
    (row,) = jury_applications(user=president, jury=sitting, today=today)
    assert row.deadline == sitting.sits_on + dt.timedelta(weeks=4)
    assert row.late
    page = Client()
    page.force_login(president)
    html = page.get(f"/admissions/juries/{sitting.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert b"late" in html


def test_presenting_to_a_jury_of_another_campus_is_refused() -> None:
    jw = jury_world()
    jury(jw)
    application, _interview = interviewed(jw, eligible(jw, "a@example.org"))
    director = staff("dir@example.org", Role.PROGRAMME_DIRECTOR)
    other = jury_services.admission_jury_create(
        edition=jw.world.edition,
        campus=jw.world.other_campus,
        sits_on=timezone.localdate(),
        president=director,
        actor=director,
    )
    with pytest.raises(DomainError) as error:
        jury_services.application_present(
            application=application,
            jury=other,
            actor=director,
            expected_version=application.version,
        )
    assert error.value.code == "jury_mismatch"
    application.refresh_from_db()
    assert application.status == Status.INTERVIEWED and application.jury is None


def _two_presented():
    jw = jury_world()
    sitting, president, member = jury(jw)
    first = presented(jw, sitting, eligible(jw, "a@example.org", name="Alice Test"))
    second = presented(jw, sitting, eligible(jw, "b@example.org", name="Bruno Test"))
    return jw, sitting, president, member, first, second


def test_batch_decisions_by_the_president(django_capture_on_commit_callbacks, mailoutbox) -> None:
    _jw, sitting, president, _member, first, second = _two_presented()
    with django_capture_on_commit_callbacks(execute=True):
        results = jury_services.applications_decide_batch(
            jury=sitting,
            rows=[
                jury_services.DecisionRow(first.pk, "admitted", first.version, "Strong file."),
                jury_services.DecisionRow(second.pk, "waitlisted", second.version),
            ],
            actor=president,
        )
    assert [r.ok for r in results] == [True, True]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.ADMITTED, Status.WAITLISTED)
    assert first.decided_on == timezone.localdate()
    assert first.decision_note == "Strong file."
    assert len(mailoutbox) == 2


def test_one_conflict_in_a_batch_loses_nothing_else(django_capture_on_commit_callbacks) -> None:
    _jw, sitting, president, member, first, second = _two_presented()
    stale = first.version
    # The member decides the first file meanwhile: the president's copy of it is stale.
    jury_services.application_decide(
        application=first, decision=Status.REFUSED, actor=member, expected_version=first.version
    )
    with translation.override("en"):
        results = jury_services.applications_decide_batch(
            jury=sitting,
            rows=[
                jury_services.DecisionRow(first.pk, "admitted", stale),
                jury_services.DecisionRow(second.pk, "admitted", second.version),
            ],
            actor=president,
        )
    assert [r.ok for r in results] == [False, True]
    assert "changed by someone else" in results[0].message
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.REFUSED  # the member's decision stands
    assert second.status == Status.ADMITTED


def test_an_admissions_officer_is_not_the_jury() -> None:
    jw, sitting, _president, _member, first, _second = _two_presented()
    results = jury_services.applications_decide_batch(
        jury=sitting,
        rows=[jury_services.DecisionRow(first.pk, "admitted", first.version)],
        actor=jw.officer,
    )
    assert not results[0].ok
    first.refresh_from_db()
    assert first.status == Status.PRESENTED


def test_a_bad_decision_value_and_a_file_of_another_jury_are_reported() -> None:
    jw, sitting, president, _member, first, _second = _two_presented()
    stranger = eligible(jw, "c@example.org")
    results = jury_services.applications_decide_batch(
        jury=sitting,
        rows=[
            jury_services.DecisionRow(first.pk, "enrolled", first.version),
            jury_services.DecisionRow(stranger.pk, "admitted", stranger.version),
        ],
        actor=president,
    )
    assert [r.ok for r in results] == [False, False]
    assert Application.objects.get(pk=stranger.pk).status == Status.ELIGIBLE


def test_the_jury_page_decides_in_batch_and_reports_each_row() -> None:
    _jw, sitting, president, member, first, second = _two_presented()
    stale = first.version
    jury_services.application_decide(
        application=first, decision=Status.REFUSED, actor=member, expected_version=first.version
    )
    client = Client()
    client.force_login(president)
    response = client.post(
        f"/admissions/juries/{sitting.pk}/",
        {
            "action": "decide",
            "row": [f"{first.pk}:{stale}", f"{second.pk}:{second.version}"],
            f"decision-{first.pk}": "admitted",
            f"decision-{second.pk}": "admitted",
            f"note-{second.pk}": "Welcome.",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    html = response.content.decode()
    assert "Alice Test : non enregistré" in html
    assert "modifiée par quelqu’un d’autre" in html
    assert "Bruno Test : admis" in html
    assert Application.objects.get(pk=second.pk).status == Status.ADMITTED


def test_the_api_decides_in_batch_409_when_a_row_failed() -> None:
    _jw, sitting, president, _member, first, second = _two_presented()
    client = Client()
    client.force_login(president)
    url = f"/api/admissions/juries/{sitting.pk}/decisions/"
    response = client.post(
        url,
        {
            "decisions": [
                {"application": first.pk, "decision": "refused", "version": first.version},
                {"application": second.pk, "decision": "admitted", "version": second.version - 1},
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 409
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, False]
    client.force_login(staff("lect@example.org", Role.LECTURER, ScopeKind.COURSE, 1))
    assert client.post(url, {"decisions": []}, content_type="application/json").status_code == 404


def test_the_jury_page_is_hidden_from_strangers_and_presents_files() -> None:
    jw = jury_world()
    sitting, _president, _member = jury(jw)
    application, _interview = interviewed(jw, eligible(jw, "a@example.org"))
    client = Client()
    client.force_login(staff("lect@example.org", Role.LECTURER, ScopeKind.COURSE, 1))
    assert client.get(f"/admissions/juries/{sitting.pk}/").status_code == 404
    client.force_login(jw.officer)
    response = client.post(
        f"/admissions/juries/{sitting.pk}/",
        {"action": "present", "applications": [f"{application.pk}:{application.version}"]},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.PRESENTED and application.jury == sitting


def test_the_jury_list_creates_a_sitting() -> None:
    jw = jury_world()
    president = staff("p@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    client = Client()
    client.force_login(jw.officer)
    assert client.get("/admissions/juries/").status_code == 200
    response = client.post(
        "/admissions/juries/",
        {
            "edition": jw.world.edition.pk,
            "campus": jw.world.campus.pk,
            "sits_on": "2026-06-15",
            "president": president.pk,
        },
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=president, role=Role.JURY_PRESIDENT).exists()
