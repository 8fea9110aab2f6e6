"""User journeys in a real browser: the référentiel in French and English, on a phone,
accessibility (axe-core), and logging in."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.web.builders import build_certification

pytestmark = pytest.mark.browser

CODE = "RNCP99999"
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


def test_referential_in_french_then_english(page, live_server):
    build_certification(CODE)
    page.goto(f"{live_server.url}/referential/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Référentiel : certifications"
    page.click(f"text={CODE}")
    assert page.locator("#versions-heading").inner_text() == "Versions côte à côte"
    assert page.get_by_text("Bloc 1 de V2", exact=False).first.is_visible()
    assert page.locator(".badge--optional").first.inner_text() == "optionnel"
    _shoot(page, "detail-fr-desktop")

    _switch_language(page, "en")
    assert page.url.endswith(f"/referential/{CODE}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#versions-heading").inner_text() == "Versions side by side"
    assert page.locator("#crosswalks-heading").inner_text() == "Crosswalks between versions"
    assert page.get_by_text("Block 1 of V2").first.is_visible()
    assert page.get_by_text("proposed, to be confirmed by the certifier").first.is_visible()
    _shoot(page, "detail-en-desktop")

    page.click("text=Référentiel")
    assert page.locator("h1").inner_text() == "Référentiel: certifications"
    _shoot(page, "list-en-desktop")


@pytest.mark.parametrize("path", ["/referential/", f"/referential/{CODE}/", "/"])
def test_phone_has_no_horizontal_scroll(page, live_server, path):
    build_certification(CODE)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}{path}")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375 + 1, f"{path} scrolls sideways on a phone: {width}px"
    # Versions are stacked on a phone: the second column starts below the first.
    if path.endswith(f"{CODE}/"):
        boxes = [v.bounding_box() for v in page.locator(".version").all()]
        assert boxes[1]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1
    _shoot(page, f"phone{path.replace('/', '_')}")


@pytest.mark.parametrize(
    "path", ["/", "/referential/", f"/referential/{CODE}/", "/accounts/login/", "/nope/"]
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_serious_accessibility_violation(page, live_server, path, language):
    build_certification(CODE)
    page.goto(f"{live_server.url}{path}")
    if language == "en":
        _switch_language(page, "en")
    assert _serious_violations(page) == []


def test_versions_side_by_side_on_desktop(page, live_server):
    build_certification(CODE)
    page.goto(f"{live_server.url}/referential/{CODE}/")
    boxes = [v.bounding_box() for v in page.locator(".version").all()]
    assert len(boxes) == 2
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 1
    assert boxes[1]["x"] > boxes[0]["x"] + boxes[0]["width"] - 1


def test_login_journey(page, live_server, django_user_model):
    django_user_model.objects.create_user(email="learner@example.org", password="pw-Secret-123")
    page.goto(live_server.url)
    page.click("text=Connexion")
    page.fill("input[name=username]", "learner@example.org")
    page.fill("input[name=password]", "wrong-password")
    page.click("main button[type=submit]")
    assert page.locator(".form-errors").is_visible()
    page.fill("input[name=password]", "pw-Secret-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("button", name="Déconnexion").is_visible()
    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("link", name="Connexion").is_visible()
