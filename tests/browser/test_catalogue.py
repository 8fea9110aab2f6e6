"""The public catalogue in a real browser: French then English, the fee quote form, a phone
without sideways scrolling, and no serious or critical accessibility violation (axe-core)."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.programmes.builders import build_catalogue

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")


def _shoot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def _switch_language(page, code: str) -> None:
    page.select_option("#language-select", code)
    with page.expect_navigation():
        page.click(".language-switch button[type=submit]")


def _serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def test_catalogue_in_french_then_english_with_a_fee_quote(page, live_server):
    build_catalogue(editions=2)
    page.goto(f"{live_server.url}/programmes/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "MSc Expert en essais"
    assert page.get_by_text("Cours 0 année 1").first.is_visible()
    assert page.locator("[data-remainder]").inner_text() == "8890,00 €"
    _shoot(page, "catalogue-fr-desktop")

    _switch_language(page, "en")
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
    _shoot(page, "catalogue-en-quote")

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
    _shoot(page, "catalogue-fr-phone")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogue_has_no_serious_accessibility_violation(page, live_server, language):
    build_catalogue()
    page.goto(f"{live_server.url}/programmes/")
    if language == "en":
        _switch_language(page, "en")
    assert _serious_violations(page) == []
