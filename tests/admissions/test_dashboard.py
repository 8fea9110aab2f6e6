"""The admissions dashboard (issue 4 point 9): the funnel per campus, the median decision
delay, late files as of today; scoped to the user's campuses; page and API; query count
independent of the number of applications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_core import OpenAPI

from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions.jury.queries import admissions_dashboard
from capitalis.admissions.models import Application
from capitalis.admissions.rules import Status
from tests.admissions.builders import build_world, candidate, staff
from tests.referential.test_api import get_validated

pytestmark = pytest.mark.django_db


def _files(world, n: int, *, offset: int = 0) -> None:
    """``n`` applications per campus at various stages (made with the ORM: the figures, not
    the journey, are under test), with known decision delays and late files."""
    today = timezone.localdate()
    rows = []
    for i in range(n):
        who = candidate(f"c{offset + i}@example.org")
        for campus in (world.campus, world.other_campus):
            base = {
                "candidate": who,
                "edition": world.edition,
                "year": world.msc1,
                "campus": campus,
                "track": "initial",
            }
            rows += [
                Application(status=Status.SUBMITTED, **base),
                Application(status=Status.ELIGIBLE, **base),
                # decided 10 and 20 days after presentation
                Application(
                    status=Status.ADMITTED,
                    presented_on=today - dt.timedelta(days=30),
                    decided_on=today - dt.timedelta(days=20),
                    **base,
                ),
                Application(
                    status=Status.REFUSED,
                    presented_on=today - dt.timedelta(days=30),
                    decided_on=today - dt.timedelta(days=10),
                    **base,
                ),
                # presented 5 weeks ago, no decision: late; presented a week ago: not late
                Application(
                    status=Status.PRESENTED, presented_on=today - dt.timedelta(weeks=5), **base
                ),
                Application(
                    status=Status.PRESENTED, presented_on=today - dt.timedelta(weeks=1), **base
                ),
            ]
    Application.objects.bulk_create(rows)


def test_funnel_median_and_late_files_per_campus() -> None:
    world = build_world()
    _files(world, 2)
    director = staff("dir@example.org", Role.PROGRAMME_DIRECTOR)
    dashboard = admissions_dashboard(user=director, today=timezone.localdate())
    assert dashboard is not None
    first = next(c for c in dashboard.campuses if c.campus_id == world.campus.pk)
    assert first.counts == {
        "submitted": 2,
        "eligible": 2,
        "admitted": 2,
        "refused": 2,
        "presented": 4,
    }
    assert first.total == 12
    assert first.median_delay_days == 15.0
    assert first.late == 2
    assert dashboard.totals["presented"] == 8
    assert len(dashboard.late_files) == 4
    assert dashboard.median_delay_days == 15.0


def test_scoped_to_the_officers_campus_and_hidden_from_others() -> None:
    world = build_world()
    _files(world, 1)
    officer = staff("o@example.org", Role.ADMISSIONS_OFFICER, ScopeKind.CAMPUS, world.campus.pk)
    dashboard = admissions_dashboard(user=officer, today=timezone.localdate())
    assert dashboard is not None
    assert [c.campus_id for c in dashboard.campuses] == [world.campus.pk]
    assert dashboard.total == 6 and len(dashboard.late_files) == 1
    lecturer = staff("l@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    assert admissions_dashboard(user=lecturer, today=timezone.localdate()) is None
    client = Client()
    client.force_login(lecturer)
    assert client.get("/admissions/dashboard/").status_code == 404
    assert client.get("/api/admissions/dashboard/").status_code == 404


def test_page_and_api_show_the_same_figures(openapi: OpenAPI) -> None:
    world = build_world()
    _files(world, 1)
    officer = staff("o@example.org", Role.ADMISSIONS_OFFICER)
    client = Client()
    client.force_login(officer)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'href="/admissions/dashboard/"' in page.content  # linked from the nav
    html = client.get("/admissions/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Funnel per campus" in html and "Late files" in html
    data = get_validated(client, openapi, "/api/admissions/dashboard/").json()
    assert data["total"] == 12
    assert data["median_decision_delay_days"] == 15.0
    assert [c["late"] for c in data["campuses"]] == [1, 1]
    assert len(data["late_files"]) == 2
    late = data["late_files"][0]
    deadline = dt.date.fromisoformat(late["presented_on"]) + dt.timedelta(weeks=4)
    assert late["deadline"] == deadline.isoformat()


def test_query_count_does_not_grow_with_the_applications() -> None:
    world = build_world()
    officer = staff("o@example.org", Role.ADMISSIONS_OFFICER)
    client = Client()
    client.force_login(officer)
    _files(world, 1)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/admissions/dashboard/").status_code == 200
    _files(world, 8, offset=100)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/admissions/dashboard/").status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    with CaptureQueriesContext(connection) as api_large:
        assert client.get("/api/admissions/dashboard/").status_code == 200
    assert len(api_large) <= len(small)
