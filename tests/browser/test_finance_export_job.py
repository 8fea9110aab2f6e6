"""A finance officer, in French, in a real browser, prepares the accounting journal in the
background: from the invoices page she asks for it, lands on the job's page, which offers the
CSV once ready; she downloads it; the navigation now links her background tasks. The pages are
axe-checked (no serious or critical violation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from capitalis.core.models import Job
from capitalis.finance import services
from tests.browser.helpers import check, log_in
from tests.finance import invoice_builders as build

pytestmark = pytest.mark.browser


def test_finance_officer_prepares_and_downloads_the_export(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    build.catalogue()
    officer = build.person("finance@example.org", build.Role.FINANCE)
    services.invoice_create_for_enrolment(
        enrolment=build.enrolment(build.person("learner@example.org")), actor=officer
    )
    url = live_server.url
    log_in(page, url, "finance@example.org")
    page.goto(f"{url}/finance/invoices/")
    page.get_by_role("button", name="Préparer le CSV en arrière-plan").click()
    job = Job.objects.get(kind="finance.export")
    page.wait_for_url(f"{url}/jobs/{job.pk}/")
    assert "L'export comptable est prêt" in page.locator("main").inner_text()
    check(page, "finance-export-job")
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger le fichier").click()
    saved = Path(tmp_path / "download.csv")
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"\xef\xbb\xbfdate;entry")
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Mes tâches en arrière-plan").click()
    page.wait_for_url(f"{url}/jobs/")
    check(page, "finance-export-jobs")
