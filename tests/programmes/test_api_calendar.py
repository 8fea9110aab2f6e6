"""Calendar API (issue 3 point 7): list, JSON detail and .ics, through HTTP, validated against
the served OpenAPI schema."""

from __future__ import annotations

from typing import Any

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openapi_core import OpenAPI

from capitalis.programmes.models import CalendarEvent
from tests.openapi_checks import answer_validated
from tests.programmes.calendar_builders import EDITION, build_calendars

pytestmark = pytest.mark.django_db

DETAIL = f"/api/programmes/calendars/{EDITION}/PARIS/work_study/"


def get_validated(client: Client, openapi: OpenAPI, path: str, **headers: str) -> Any:
    response = client.get(path, headers=headers)
    answer_validated(openapi, path, response, "get")
    return response


def test_schema_lists_the_calendar_paths(served_schema: dict[str, Any]) -> None:
    paths = served_schema["paths"]
    assert "/api/programmes/calendars/" in paths
    assert "/api/programmes/calendars/{edition}/{campus}/{track}/" in paths
    assert "/api/programmes/calendars/{edition}/{campus}/{track}/ics/" in paths


def test_list_links_each_calendar_to_its_page_and_feed(client, openapi) -> None:
    built = build_calendars()
    body = get_validated(client, openapi, "/api/programmes/calendars/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) == len(built)
    paris = next(r for r in rows if r["campus"] == "PARIS" and r["track"] == "work_study")
    token = built[("PARIS", "work_study")].token
    assert paris["ics_url"] == f"http://testserver/programmes/calendars/{token}.ics"
    assert paris["page_url"].endswith(f"/programmes/calendars/{EDITION}/PARIS/work_study/")


def test_detail_has_counts_check_periods_days_and_events(client, openapi) -> None:
    calendar = build_calendars(events=1)[("PARIS", "work_study")]
    body = get_validated(client, openapi, DETAIL, **{"Accept-Language": "en"}).json()
    assert body["check"]["ok"] is True
    reason = body["check"]["reasons"][0]
    assert reason["code"] == "min_company_days"
    assert reason["params"]["count"] == body["counts"]["company"] >= 110
    assert reason["message"].endswith("company days, at least 110 required.")
    assert len(body["days"]) == 365
    assert sum(body["counts"].values()) == 365
    first = body["periods"][0]
    assert first == {
        "uid": f"{calendar.token}-school-20260901@capitalis",
        "kind": "school",
        "start": "2026-09-01",
        "end": "2026-09-04",
        "days": 4,
        "label": "",
        "summary": "School",
    }
    assert body["events"][0]["title"] == "Assessment 1"


def test_detail_in_french(client) -> None:
    build_calendars()
    body = client.get(DETAIL, headers={"Accept-Language": "fr"}).json()
    assert body["periods"][0]["summary"] == "École"


def test_unknown_offering_is_a_translated_404(client, openapi) -> None:
    build_calendars()
    path = f"/api/programmes/calendars/{EDITION}/LYON/work_study/"
    response = get_validated(client, openapi, path, **{"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("No programme is offered")


@pytest.mark.parametrize("accept", ["*/*", "text/calendar"])
def test_ics_endpoint_serves_the_feed(client, accept) -> None:
    build_calendars()
    response = client.get(DETAIL + "ics/?lang=fr", headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(response.content)
    assert "École" in {str(e["summary"]) for e in parsed.walk("VEVENT")}


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_events(client) -> None:
    calendar = build_calendars(events=1)[("PARIS", "work_study")]
    detail, listing = _count(client, DETAIL), _count(client, "/api/programmes/calendars/")
    for n in range(10):
        CalendarEvent.objects.create(
            calendar=calendar,
            start_date=calendar.edition.start_date,
            end_date=calendar.edition.start_date,
            title_fr=f"E{n}",
            uid=f"extra-{n}@capitalis",
        )
    assert _count(client, DETAIL) == detail
    assert _count(client, "/api/programmes/calendars/") == listing
