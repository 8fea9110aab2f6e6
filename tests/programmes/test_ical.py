"""iCalendar export (RFC 5545) of a calendar: parsed back with `icalendar` into the same
periods, stable UIDs, language, public feed URL (SPEC §4, issue 3 point 4)."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.utils import translation

from capitalis.programmes import calendars, ical
from capitalis.programmes.rules import DayKind
from tests.programmes.calendar_builders import build_calendars

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def _parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def _periods(cal: icalendar.Calendar) -> list[tuple[str, dt.date, dt.date]]:
    """(kind, first day, last day) of every exported period, from the parsed events."""
    out = []
    for event in cal.walk("VEVENT"):
        kind = str(event.get("categories").cats[0])
        start = event.decoded("dtstart")
        end = event.decoded("dtend")
        assert isinstance(start, dt.date) and not isinstance(start, dt.datetime)
        out.append((kind, start, end - dt.timedelta(days=1)))  # DTEND is exclusive
    return out


@pytest.mark.parametrize("campus", ["PARIS", "BORDEAUX"])
def test_export_parses_back_into_the_same_periods(campus) -> None:
    calendar = build_calendars(events=2)[(campus, "work_study")]
    view = calendars.build(calendar, with_events=True)
    cal = _parse(ical.to_ical(view, now=NOW))
    assert str(cal["version"]) == "2.0"
    assert str(cal["prodid"]) == ical.PRODID
    expected = [
        (str(span.kind), span.start, span.end)
        for span in view.spans
        if span.kind is not DayKind.FREE
    ] + [("assessment", e.start_date, e.end_date) for e in view.events]
    assert _periods(cal) == expected
    kinds = {kind for kind, _, _ in expected}
    assert {"school", "company", "holiday", "assessment"} <= kinds
    for event in cal.walk("VEVENT"):
        assert event.decoded("dtstamp") == NOW
    if campus == "PARIS":
        raw = ical.to_ical(view, now=NOW).decode()
        assert "DTSTART;VALUE=DATE:20260901" in raw
        assert "DTEND;VALUE=DATE:20260905" in raw  # school Tue 1 – Fri 4 September
    else:
        assert "closure" in kinds  # Thursdays and Fridays of the Christmas closure


def test_uids_are_stable_and_unique_across_exports() -> None:
    calendar = build_calendars(events=1)[("PARIS", "work_study")]
    first = _parse(ical.to_ical(calendars.build(calendar, with_events=True), now=NOW))
    later = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    second = _parse(ical.to_ical(calendars.build(calendar, with_events=True), now=later))
    uids = [str(e["uid"]) for e in first.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    assert uids == [str(e["uid"]) for e in second.walk("VEVENT")]
    assert f"{calendar.token}-school-20260901@capitalis" in uids
    assert f"{calendar.token}-company-20260907@capitalis" in uids


def test_summaries_follow_the_language() -> None:
    calendar = build_calendars()[("BORDEAUX", "work_study")]
    summaries = {}
    for language in ("fr", "en"):
        with translation.override(language):
            cal = _parse(ical.to_ical(calendars.build(calendar), now=NOW))
        summaries[language] = {str(e["summary"]) for e in cal.walk("VEVENT")}
        summaries[language + "-name"] = str(cal["x-wr-calname"])
    assert {"École", "Entreprise"} <= summaries["fr"]
    assert "École fermée : Vacances de Noël" in summaries["fr"]
    assert {"School", "Company", "School closed: Christmas break"} <= summaries["en"]
    assert "Jour férié : Armistice" in summaries["fr"]
    assert "Public holiday: Armistice Day" in summaries["en"]
    assert "alternance" in summaries["fr-name"]
    assert "work-study" in summaries["en-name"]


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ("?lang=en", "fr", "School"),
        ("", "en", "School"),
        ("", "fr", "École"),
        ("?lang=xx", "fr", "École"),
    ],
)
def test_public_feed_url_serves_text_calendar(client, query, header, expected) -> None:
    calendar = build_calendars()[("PARIS", "work_study")]
    response = client.get(
        f"/programmes/calendars/{calendar.token}.ics{query}", HTTP_ACCEPT_LANGUAGE=header
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    summaries = {str(e["summary"]) for e in _parse(response.content).walk("VEVENT")}
    assert expected in summaries


def test_unknown_feed_token_is_a_404(client) -> None:
    build_calendars()
    response = client.get(
        "/programmes/calendars/00000000-0000-0000-0000-000000000000.ics",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 404
    assert "No calendar has this address" in response.content.decode()
