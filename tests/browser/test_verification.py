"""Browser test: the public verification page a QR code or a credential opens, in French then in
English (language switch), on a phone, axe-checked (no serious or critical violation); a revoked
credential reads as revoked. Screenshots when SCREENSHOT_DIR is set."""

from __future__ import annotations

import pytest

from capitalis.credentials import services
from tests.browser.helpers import check
from tests.credentials.issuance_world import TEST_KEY, deliberated

pytestmark = pytest.mark.browser


def test_verification_page_fr_en_on_a_phone(page, live_server, settings):
    settings.CREDENTIALS_SIGNING_KEY = TEST_KEY
    settings.CREDENTIALS_DID_WEB_DOMAIN = ""
    iss = deliberated()
    cert = services.credential_issue_certification(iss.decision(0))
    block = services.credential_issue_block(iss.validations(0)[0])
    services.credential_revoke(credential=block, actor=iss.w.president, reason="Erreur de saisie")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/verify/{cert.public_id}/")
    assert page.locator("[data-verdict=authentic]").is_visible()
    assert "Authentique et en vigueur" in page.content()
    assert "Apprenant 00" in page.content()
    check(page, "verify-fr")

    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()
    page.wait_for_load_state()
    assert "Authentic and current" in page.content()
    check(page, "verify-en")

    page.goto(f"{live_server.url}/verify/{block.public_id}/")
    assert page.locator("[data-verdict=revoked]").is_visible()
    check(page, "verify-revoked-en")

    page.goto(f"{live_server.url}/verify/not-an-id/")
    assert page.locator("[data-verdict=not-found]").is_visible()
    check(page, "verify-not-found")


def test_learner_finds_her_credentials_on_a_phone(page, live_server, settings):
    settings.CREDENTIALS_SIGNING_KEY = TEST_KEY
    settings.CREDENTIALS_DID_WEB_DOMAIN = ""
    iss = deliberated()
    cert = services.credential_issue_certification(iss.decision(0))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(iss.w.enrolments[0].learner.user.email)
    page.get_by_label("Mot de passe").fill("pw-Secret-123")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mes attestations"
    ).click()
    page.wait_for_url(f"{live_server.url}/credentials/mine/")
    assert page.locator("[data-kind=certification]").count() == 1
    check(page, "mine-fr")
    page.get_by_role("link", name="Page de vérification").first.click()
    page.wait_for_url(f"{live_server.url}/verify/*/")
    assert page.locator("[data-verdict=authentic]").is_visible()
    assert str(cert.public_id) in page.url or page.locator(".mono").count() >= 1
