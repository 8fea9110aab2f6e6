"""The calendar page of a campus, track and edition in a real browser: French and English,
axe (no serious or critical violation), a phone without horizontal scroll."""

from __future__ import annotations

import pytest

from tests.browser.helpers import serious_violations, shoot, switch_language
from tests.programmes.calendar_builders import EDITION, build_calendars

pytestmark = pytest.mark.browser

PATH = f"/programmes/calendars/{EDITION}/PARIS/work_study/"


def test_calendar_page_in_french_then_english(page, live_server) -> None:
    calendar = build_calendars(events=1)[("PARIS", "work_study")]
    page.goto(f"{live_server.url}{PATH}")
    assert page.locator("h1").inner_text() == "Calendrier : Paris, alternance, 2026/27"
    assert page.locator("#check-heading").inner_text() == "Le calendrier respecte les règles"
    assert page.locator(".month").count() == 12
    assert page.locator('[data-date="2026-11-11"]').get_attribute("data-kind") == "holiday"
    feed = page.locator("#feed-url").input_value()
    assert feed == f"{live_server.url}/programmes/calendars/{calendar.token}.ics"
    assert serious_violations(page) == []
    shoot(page, "calendar-fr-desktop")

    switch_language(page, "en")
    assert page.locator("h1").inner_text() == "Calendar: Paris, work-study, 2026/27"
    assert page.locator("#legend-heading").inner_text() == "Legend and days per kind"
    assert serious_violations(page) == []
    shoot(page, "calendar-en-desktop")

    # The feed the page links to is a calendar file.
    response = page.request.get(feed)
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.body()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_calendar_page_on_a_phone(page, live_server, language) -> None:
    build_calendars()
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}{PATH}")
    if language == "en":
        switch_language(page, "en")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375 + 1, f"the calendar scrolls sideways on a phone: {width}px"
    # Months are stacked: the second grid starts below the first.
    boxes = [m.bounding_box() for m in page.locator(".month").all()[:2]]
    assert boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"] - 1
    # A day's kind is written, not only coloured.
    school = page.locator('[data-date="2026-09-01"] .day__code').inner_text()
    assert school == {"fr": "É", "en": "S"}[language]
    assert serious_violations(page) == []
    shoot(page, f"calendar-{language}-phone")


def test_missing_calendar_page_is_accessible(page, live_server) -> None:
    build_calendars()
    response = page.goto(f"{live_server.url}/programmes/calendars/{EDITION}/NOWHERE/initial/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Calendrier introuvable"
    assert serious_violations(page) == []
