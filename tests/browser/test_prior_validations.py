"""Prior validations import in French, in a real browser: the programme director opens the list
from the jury dashboard, uploads a file with one bad line, the preview shows that line and its
reason and imports nothing (all or nothing); she uploads the corrected file, imports it and
sees the validations listed. Every page is axe-checked (no serious or critical violation)."""

from __future__ import annotations

import datetime as dt

import pytest

from capitalis.jury.models import BlockValidation
from tests.browser.helpers import check, log_in
from tests.jury.builders import world

pytestmark = pytest.mark.browser

HEADER = "learner,certification,version,block,date,route,source\n"


def _upload(page, content: bytes) -> None:
    page.locator("#import-file").set_input_files(
        files=[{"name": "validations.csv", "mimeType": "text/csv", "buffer": content}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier le fichier").click()


def test_director_imports_prior_validations_in_french(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world(learners=2)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    good = "learner0@example.org,RNCP99999,V2,V2BC01,30/06/2024,training,PV juin 2024\n"
    bad = f"learner1@example.org,RNCP99999,V2,V2BC02,{future},vae,PV\n"
    url = live_server.url

    log_in(page, url, "director@example.org")
    page.goto(f"{url}/jury/")
    with page.expect_navigation():
        page.get_by_role("link", name="Blocs validés avant Capitalis").first.click()
    assert page.locator("h1").inner_text() == "Blocs validés avant Capitalis"
    check(page, "prior-list-empty")
    with page.expect_navigation():
        page.get_by_role("link", name="Importer des validations depuis un fichier").click()
    check(page, "prior-import")
    _upload(page, (HEADER + good + bad).encode())
    refused = page.locator("[role=alert] table").inner_text()
    assert "3" in refused and "dans le futur" in refused
    assert page.get_by_role("button", name="Importer", exact=True).count() == 0
    assert not BlockValidation.objects.exists()
    check(page, "prior-preview-refused")
    with page.expect_navigation():
        page.get_by_role("link", name="Déposer un autre fichier").click()
    _upload(page, (HEADER + good).encode())
    check(page, "prior-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Importer", exact=True).click()
    assert "1 validation(s) enregistrée(s)" in page.locator("main").inner_text()
    table = page.locator("main table").inner_text()
    assert "V2BC01" in table and "formation" in table and "PV juin 2024" in table
    assert BlockValidation.objects.count() == 1
    check(page, "prior-list")
