"""The public catalogue in a real browser: French then English, the fee quote form, a phone
without sideways scrolling, and no serious or critical accessibility violation (axe-core)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import serious_violations, shoot, switch_language
from tests.programmes.builders import build_catalogue

pytestmark = pytest.mark.browser


def test_catalogue_in_french_then_english_with_a_fee_quote(page, live_server):
    build_catalogue(editions=2)
    page.goto(f"{live_server.url}/programmes/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "MSc Expert en essais"
    assert page.get_by_text("Cours 0 année 1").first.is_visible()
    assert page.locator("[data-remainder]").inner_text() == "8890,00 €"
    shoot(page, "catalogue-fr-desktop")

    switch_language(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "MSc Expert in testing"
    assert page.locator("#courses-heading").inner_text() == "Years and courses"
    # Ask for a work-study quote paid by the OPCO: the learner owes nothing.
    page.select_option("#fee-track", "work_study")
    page.select_option("#fee-payer", "opco")
    with page.expect_navigation():
        page.click("#fees-section button[type=submit]")
    assert page.locator("[data-remainder]").inner_text() == "0.00 €"
    assert page.get_by_text("the learner owes nothing").is_visible()
    shoot(page, "catalogue-en-quote")

    # The older edition, then a campus calendar link.
    with page.expect_navigation():
        page.click("text=Edition 2024/25")
    assert page.get_by_text("E0Y1C0").first.is_visible()
    href = page.locator(".campus-tracks a").first.get_attribute("href")
    assert href == "/programmes/calendars/2024-25/CAMPUS0/initial/"


def test_catalogue_on_a_phone_has_no_horizontal_scroll(page, live_server):
    build_catalogue()
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/programmes/")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375 + 1, f"the catalogue scrolls sideways on a phone: {width}px"
    shoot(page, "catalogue-fr-phone")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogue_has_no_serious_accessibility_violation(page, live_server, language):
    build_catalogue()
    page.goto(f"{live_server.url}/programmes/")
    if language == "en":
        switch_language(page, "en")
    assert serious_violations(page) == []
