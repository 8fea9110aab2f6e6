"""Browser test (issue 6): the QR code printed on an issued certificate is read from the PDF as a
phone would, and the page it opens — the public verification page — says, in French then in
English, that the certificate is authentic and what it certifies; axe-checked (no serious or
critical violation)."""

from __future__ import annotations

import pytest

from capitalis.credentials.services_documents import document_issue
from tests.browser.helpers import serious_violations
from tests.credentials.documents_world import NAMES, documents_world
from tests.credentials.test_pdfs import pdf_bytes, qr_payloads

pytestmark = pytest.mark.browser


def test_the_certificate_qr_code_opens_its_verification_page_fr_en(
    page, live_server, settings, tmp_path
):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.MEDIA_ROOT = str(tmp_path)
    docs = documents_world(learners=1)
    certificate = document_issue("certificate", decision=docs.decision(0), language="fr")
    [target] = qr_payloads(pdf_bytes(certificate))
    assert target == f"{live_server.url}/verify/{certificate.public_id}/"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(target)
    assert page.locator("[data-verdict=authentic]").is_visible()
    content = page.content()
    assert NAMES[0] in content and "RNCP99999" in content
    assert serious_violations(page) == []

    page.get_by_label("Langue").select_option("en")
    with page.expect_navigation():
        page.get_by_role("button", name="Changer").click()
    assert page.locator("[data-verdict=authentic]").is_visible()
    assert "Authentic and current" in page.content()
    assert serious_violations(page) == []
