"""A candidate signs up and applies on a phone (375×800) in French: the long form, a small real
PDF for each document, submission, then her eligibility outcome rule by rule. Each page is
checked with axe (no serious or critical violation) and screenshotted when SCREENSHOT_DIR is
set."""

from __future__ import annotations

import pytest

from tests.admissions.builders import PDF, build_world
from tests.browser.helpers import check_fits, confirm_address_and_log_in, sign_up

pytestmark = pytest.mark.browser


def test_candidate_signs_up_and_applies_on_a_phone_in_french(page, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    pdf = tmp_path / "cv.pdf"
    pdf.write_bytes(PDF)
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(f"{live_server.url}/admissions/signup/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Créer un compte candidat"
    check_fits(page, "apply-1-signup-fr-phone", slack=1)
    sign_up(page, "Camille Candidate", "camille@example.org", "un-mot-de-passe-solide-42")
    # The sign-up does not tell whether the address had an account: nobody is logged in, the
    # login page says to check the mailbox and log in.
    assert page.get_by_text("Consultez votre messagerie").is_visible()
    # She confirms her address by the e-mailed link (needed to submit), then logs in.
    confirm_address_and_log_in(
        page, live_server.url, "camille@example.org", "un-mot-de-passe-solide-42"
    )
    assert page.locator("h1").inner_text() == "Candidatures"
    check_fits(page, "apply-2-my-applications-fr-phone", slack=1)

    with page.expect_navigation():
        page.get_by_role("link", name="Commencer une nouvelle candidature").click()
    page.locator("#id_edition").select_option(str(world.edition.pk))
    page.locator("#id_year").select_option(str(world.msc1.pk))
    page.locator("#id_campus").select_option(str(world.campus.pk))
    page.locator("#id_track").select_option("initial")
    page.locator("#id_degrees-0-title").fill("Licence de droit")
    page.locator("#id_degrees-0-level").select_option("bachelor")
    page.locator("#id_degrees-0-ects").fill("cent quatre-vingts")
    page.locator("#id_degrees-0-field").select_option("law")
    page.get_by_label("Pays (code à deux lettres)").fill("FR")
    page.get_by_label("Niveau d’anglais (CECRL)").select_option("B2")
    check_fits(page, "apply-3-form-fr-phone", slack=1)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le brouillon").click()
    # an ECTS value that is not a number: a French error at the field, the rest of the draft kept
    assert page.get_by_text("L’ECTS doit être un nombre entier.").is_visible()
    check_fits(page, "apply-4-form-error-fr-phone", slack=1)
    page.locator("#id_degrees-0-ects").fill("180")
    page.locator("#id_cv").set_input_files(str(pdf))
    page.locator("#id_transcript").set_input_files(str(pdf))
    page.locator("#id_motivation").set_input_files(str(pdf))
    with page.expect_navigation():
        page.get_by_role("button", name="Soumettre ma candidature").click()

    assert page.get_by_text("Votre candidature est soumise.").is_visible()
    assert page.locator("[data-status]").first.inner_text() == "éligible"
    outcomes = page.locator(".eligibility li")
    assert outcomes.count() == 3
    assert "Satisfait" in outcomes.nth(0).inner_text()
    assert "droit" in outcomes.nth(0).inner_text()
    assert "180 ECTS" in outcomes.nth(1).inner_text()
    assert "Niveau d’anglais B2 ; B2 requis." in outcomes.nth(2).inner_text()
    check_fits(page, "apply-5-outcome-fr-phone", slack=1)
