"""User journeys in a real browser on the shipped référentiel (RNCP39853): the pages in French
and English, on a phone, accessibility (axe-core), and logging in."""

from __future__ import annotations

import pytest

from tests.browser.helpers import serious_violations, shoot, switch_language

pytestmark = pytest.mark.browser

CODE = "RNCP39853"


def test_referential_in_french_then_english(page, live_server, referential_data):
    page.goto(f"{live_server.url}/referential/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Référentiel : certifications"
    shoot(page, "list-fr-desktop")
    page.get_by_role("link", name=CODE).click()
    assert "Expert en relations et coopérations internationales" in page.locator("h1").inner_text()
    assert page.locator("#versions-heading").inner_text() == "Versions côte à côte"
    assert page.locator(".version").count() == 2
    assert page.get_by_text("Piloter un projet à l'international").first.is_visible()
    assert page.locator(".badge--optional").first.inner_text() == "optionnel"
    shoot(page, "detail-fr-desktop")

    switch_language(page, "en")
    assert page.url.endswith(f"/referential/{CODE}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#versions-heading").inner_text() == "Versions side by side"
    assert page.locator("#crosswalks-heading").inner_text() == "Crosswalks between versions"
    assert page.get_by_text("Manage an international project").first.is_visible()
    assert page.locator(".badge--optional").first.inner_text() == "optional"
    table = page.locator("table.crosswalk")
    assert table.locator("tbody tr").count() == 3
    assert table.get_by_text("proposed, to be confirmed by the certifier").count() == 3
    shoot(page, "detail-en-desktop")

    page.locator(".site-nav").get_by_role("link", name="Référentiel").click()
    assert page.locator("h1").inner_text() == "Référentiel: certifications"


@pytest.mark.parametrize("path", ["/", "/referential/", f"/referential/{CODE}/"])
def test_phone_has_no_horizontal_scroll(page, live_server, referential_data, path):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}{path}")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375 + 1, f"{path} scrolls sideways on a phone: {width}px"
    if path.endswith(f"{CODE}/"):
        # Versions are stacked on a phone: the second starts below the first.
        first, second = (v.bounding_box() for v in page.locator(".version").all())
        assert second["y"] >= first["y"] + first["height"]
    shoot(page, f"phone{path.replace('/', '_')}")


def test_versions_side_by_side_on_desktop(page, live_server, referential_data):
    page.goto(f"{live_server.url}/referential/{CODE}/")
    first, second = (v.bounding_box() for v in page.locator(".version").all())
    assert abs(first["y"] - second["y"]) < 1
    assert second["x"] >= first["x"] + first["width"]


@pytest.mark.parametrize(
    "path", ["/", "/referential/", f"/referential/{CODE}/", "/accounts/login/", "/nope/"]
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_serious_accessibility_violation(page, live_server, request, path, language):
    if "referential" in path:
        request.getfixturevalue("referential_data")
    page.goto(f"{live_server.url}{path}")
    if language == "en":
        switch_language(page, "en")
        assert page.locator("html").get_attribute("lang") == "en"
    assert serious_violations(page) == []


def test_axe_does_report_a_serious_violation(page, live_server):
    """The accessibility check can fail: a page with an unlabelled image is reported."""
    page.goto(f"{live_server.url}/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        "'<img src=\"/static/none.png\">')"
    )
    assert any(v.startswith("image-alt") for v in serious_violations(page))


def test_login_journey(page, live_server, django_user_model):
    django_user_model.objects.create_user(email="learner@example.org", password="pw-Secret-123")
    page.goto(live_server.url)
    page.get_by_role("link", name="Connexion").click()
    page.get_by_label("Adresse e-mail").fill("learner@example.org")
    page.get_by_label("Mot de passe").fill("wrong-password")
    page.locator("main button[type=submit]").click()
    assert "Saisissez une adresse e-mail et un mot de passe valides." in (
        page.locator(".form-errors").inner_text()
    )
    page.get_by_label("Mot de passe").fill("pw-Secret-123")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    logout = page.get_by_role("button", name="Déconnexion")
    assert logout.is_visible()
    assert page.get_by_role("link", name="Changer de mot de passe").is_visible()
    logout.click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("link", name="Connexion").is_visible()
