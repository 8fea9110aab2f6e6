"""A candidate's application from an empty database holding only the shipped data
(``load_data``) and what the services write: she signs up, is offered only the edition open
to applications, adds two degrees (the button posts; no script needed), saves a draft,
uploads her CV, makes a mistake and sees her CV kept, then submits and reads her eligibility.
In French; each page checked with axe (no serious or critical violation)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from capitalis.admissions.models import Application, ApplicationDocument, PriorDegree
from tests.admissions.builders import PDF
from tests.browser.helpers import check, confirm_address_and_log_in, sign_up

pytestmark = pytest.mark.browser

# a day inside the shipped 2026/27 application window (data/programmes/msc-erci.yaml)
DAY = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)


def test_candidate_adds_two_degrees_keeps_her_cv_through_an_error_and_submits(
    page, live_server, tmp_path, settings
):
    from capitalis.core.services import data_load

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(DAY, tick=True):
        assert timezone.localdate() == DAY.date()
        data_load()
        cv = tmp_path / "cv.pdf"
        cv.write_bytes(PDF)
        letter = tmp_path / "lettre.pdf"
        letter.write_bytes(PDF)
        base = live_server.url

        page.goto(f"{base}/admissions/signup/")
        sign_up(page, "Inès Candidate", "ines@example.org", "un-mot-de-passe-solide-42")
        confirm_address_and_log_in(page, base, "ines@example.org", "un-mot-de-passe-solide-42")
        with page.expect_navigation():
            page.get_by_role("link", name="Commencer une nouvelle candidature").click()

        # only the edition open to applications is offered (2024/25 is past)
        editions = page.locator("#id_edition option").all_inner_texts()
        assert editions == ["MSC-ERCI 2026/27"], editions
        page.locator("#id_year").select_option(label="MSc 1re année")
        page.locator("#id_campus").select_option(label="Lyon")
        page.locator("#id_track").select_option("initial")
        page.locator("#id_degrees-0-title").fill("Licence de science politique")
        page.locator("#id_degrees-0-level").select_option("bachelor")
        page.locator("#id_degrees-0-ects").fill("180")
        page.locator("#id_degrees-0-field").select_option("political_science")
        page.locator("#id_degrees-0-country").fill("FR")
        check(page, "degrees-1-first")
        with page.expect_navigation():
            page.get_by_role("button", name="Ajouter un diplôme").click()
        assert page.locator("fieldset.degree").count() == 2
        assert page.locator("#id_degrees-0-ects").input_value() == "180"
        page.locator("#id_degrees-1-title").fill("Master 1 relations internationales")
        page.locator("#id_degrees-1-level").select_option("master1")
        page.locator("#id_degrees-1-ects").fill("60")
        page.locator("#id_degrees-1-field").select_option("international_relations")
        page.locator("#id_degrees-1-country").fill("BE")
        page.get_by_label("Je suis encore en train d’obtenir ce diplôme").nth(1).check()
        check(page, "degrees-2-second")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer le brouillon", exact=True).click()
        assert page.get_by_text("Votre brouillon est enregistré.").is_visible()
        assert page.locator("fieldset.degree").count() == 2
        assert sorted(PriorDegree.objects.values_list("ects", flat=True)) == [60, 180]

        # her CV, and a mistake in the second degree's country: the CV is kept
        page.locator("#id_cv").set_input_files(str(cv))
        page.locator("#id_degrees-1-country").fill("B1")
        page.get_by_label("Niveau d’anglais (CECRL)").select_option("B2")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer le brouillon", exact=True).click()
        assert page.get_by_text("Indiquez le pays par un code à deux lettres").is_visible()
        assert page.get_by_text("Déjà déposé : cv.pdf").is_visible()
        check(page, "degrees-3-error-cv-kept")
        assert ApplicationDocument.objects.filter(kind="cv", original_name="cv.pdf").exists()

        page.locator("#id_degrees-1-country").fill("BE")
        page.locator("#id_transcript").set_input_files(str(letter))
        page.locator("#id_motivation").set_input_files(str(letter))
        with page.expect_navigation():
            page.get_by_role("button", name="Soumettre ma candidature").click()
        assert page.get_by_text("Votre candidature est soumise.").is_visible()
        assert page.locator("[data-status]").first.inner_text() == "éligible"
        outcomes = page.locator(".eligibility li")
        assert outcomes.count() == 3
        assert "science politique" in outcomes.nth(0).inner_text()
        assert "180 ECTS" in outcomes.nth(1).inner_text()
        check(page, "degrees-4-outcome")
        application = Application.objects.get()
        assert application.status == "eligible"
        assert sorted(application.prior_degrees.values_list("ects", flat=True)) == [60, 180]
        assert application.documents.count() == 3
