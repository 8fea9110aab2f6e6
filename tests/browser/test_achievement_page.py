"""Browser test: a credential's achievement id opens a public page (no login) on a phone, in
French then English, axe-checked; the block page links back to its certification version.
Screenshots when SCREENSHOT_DIR is set."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from capitalis.credentials import services
from tests.browser.helpers import check_fits
from tests.credentials.issuance_world import TEST_KEY, deliberated

pytestmark = pytest.mark.browser


def test_achievement_pages_on_a_phone(page, live_server, settings):
    settings.CREDENTIALS_SIGNING_KEY = TEST_KEY
    settings.CREDENTIALS_DID_WEB_DOMAIN = ""
    iss = deliberated()
    block = services.credential_issue_block(iss.validations(0)[0])
    path = urlsplit(block.document["credentialSubject"]["achievement"]["id"]).path
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}{path}")
    assert "Règle de certification" in page.content()
    assert block.block is not None and block.block.code in page.content()
    check_fits(page, "achievement-block-fr")

    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()
    page.wait_for_load_state()
    assert "Competencies and evaluation criteria" in page.content()
    check_fits(page, "achievement-block-en")

    page.locator("main a", has_text=block.version.certification.code).first.click()
    page.wait_for_load_state()
    assert "Blocks of competencies" in page.content()
    check_fits(page, "achievement-version-en")
