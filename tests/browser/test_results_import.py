"""Results import in French, in a real browser: the lecturer opens his assessment, uploads a CSV
with one bad line, the preview shows that line and its reason and imports nothing; he imports
the valid rows only (a background job, whose page reports it and links the results) and sees
them in the results grid; the learner then reads her result on a
phone. Every page is axe-checked (no serious or critical violation)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from capitalis.assessment.models import Result
from capitalis.core.models import Job
from tests.assessment.builders import exam, world
from tests.browser.helpers import check, log_in

pytestmark = pytest.mark.browser


def test_lecturer_imports_valid_rows_only_in_french(page, browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = world(learners=2)
    assessment = exam(w)
    first, second = w.enrolments
    c1, c2 = w.competencies[0].code, w.competencies[1].code
    csv = (
        "learner,competency,grade,level,absence,comment\n"
        f"{first.learner.national_student_number},{c1},12.5,acquired,,Bon travail\n"
        f"{second.learner.national_student_number},{c2},25,,,\n"
        f"{second.learner.national_student_number},{c1},14,,,\n"
    ).encode()
    url = live_server.url

    log_in(page, url, "lecturer@example.org")
    page.goto(f"{url}/assessment/")
    assert page.locator("h1").inner_text() == "Mes évaluations"
    check(page, "import-assessments")
    page.get_by_role("link", name="EX1", exact=True).click()
    page.get_by_role("link", name="Importer des résultats").click()
    check(page, "import-upload")
    page.locator("#import-file").set_input_files(
        files=[{"name": "resultats.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    main = page.locator("main")
    refused = page.locator("[role=alert] table").inner_text()
    assert "3" in refused and "La note doit être comprise entre 0 et 20" in refused
    assert Result.objects.count() == 0  # the preview writes nothing
    check(page, "import-preview")
    page.get_by_role("button", name="Importer seulement les lignes valides").click()
    # the import runs as a background job: its page says what was done and links the results
    job = Job.objects.get(kind="assessment.results_import")
    page.wait_for_url(f"{url}/jobs/{job.pk}/")
    page.locator("#job-result").wait_for()
    assert "Import terminé : 2 résultat(s) créé(s)" in main.inner_text()
    check(page, "import-job")
    page.get_by_role("link", name="Voir le résultat").click()
    page.wait_for_url(f"{url}/assessment/{assessment.pk}/results/")
    grades = sorted(Result.objects.values_list("grade", flat=True))
    assert grades == [Decimal("12.50"), Decimal("14.00")]
    grid = page.locator("main table").inner_text() + " ".join(
        page.locator("main input").evaluate_all("els => els.map(e => e.value)")
    )
    assert "12.50" in grid or "12,50" in grid
    check(page, "import-results-grid")

    # the learner reads her result on a phone
    phone = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 800})
    learner_page = phone.new_page()
    log_in(learner_page, url, first.learner.user.email)
    learner_page.goto(f"{url}/assessment/my-results/")
    text = learner_page.locator("main").inner_text()
    assert "12,50" in text or "12.50" in text or "12,5" in text
    assert learner_page.evaluate("document.documentElement.scrollWidth") <= 375
    check(learner_page, "import-learner-phone")
    phone.close()
