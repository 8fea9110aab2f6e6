"""A campus coordinator enrols an admitted work-study candidate on a phone-sized screen, in
French: a bad SIRET is refused with a clear message (nothing saved), then the contract is
recorded; the learner record, the learners dashboard and the learner's own view are axe-checked
(no serious or critical violation)."""

from __future__ import annotations

import pytest

from capitalis.enrolment.models import Contract, Enrolment
from capitalis.programmes.models import Track
from tests.browser.helpers import log_in, serious_violations, shoot
from tests.enrolment.builders import EMPLOYER_SIRET, admitted, world

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_coordinator_enrols_a_work_study_candidate_on_a_phone(page, live_server, settings):
    w = world()
    app = admitted(w, "camille@example.org", track=Track.WORK_STUDY)
    page.set_viewport_size(PHONE)
    base = live_server.url
    log_in(page, base, "coordinator@example.org")

    page.goto(f"{base}/enrolment/admitted/")
    assert page.locator("h1").inner_text() == "Candidatures admises"
    assert serious_violations(page) == []
    page.locator(f"a[href='/enrolment/admitted/{app.pk}/enrol/']").click()
    assert page.locator("h1").inner_text() == "Inscrire un·e candidat·e admis·e"
    page.get_by_label("Type de contrat").select_option("apprenticeship")
    page.locator("#id_employer_name").fill("Entreprise Fictive")
    page.get_by_label("SIRET de l'employeur").fill("12345678901234")
    page.get_by_label("Adresse e-mail du tuteur ou de la tutrice").fill("tuteur@example.org")
    page.get_by_label("Nom du tuteur ou de la tutrice").fill("Tuteur Fictif")
    page.get_by_label("Début du contrat").fill("2024-09-01")
    page.get_by_label("Fin du contrat").fill("2026-08-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Inscrire").click()
    assert page.get_by_text("Ce SIRET n'est pas valide").is_visible()
    assert not Enrolment.objects.exists()
    assert serious_violations(page) == []
    shoot(page, "enrol-bad-siret-fr")

    page.get_by_label("SIRET de l'employeur").fill(EMPLOYER_SIRET)
    with page.expect_navigation():
        page.get_by_role("button", name="Inscrire").click()
    enrolment = Enrolment.objects.get()
    assert page.url == f"{base}/enrolment/learners/{enrolment.learner_id}/"
    assert page.get_by_text("Entreprise Fictive").is_visible()
    assert Contract.objects.get().employer_siret == EMPLOYER_SIRET
    assert serious_violations(page) == []
    shoot(page, "learner-record-fr")

    page.goto(f"{base}/enrolment/dashboard/")
    assert page.locator("h1").inner_text() == "Tableau de bord des apprenant·es"
    assert page.locator("table caption").inner_text() == "1 inscription"
    assert serious_violations(page) == []

    # the learner sees her own record from the navigation, on her phone
    page.context.clear_cookies()
    log_in(page, base, "camille@example.org")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mon dossier"
    ).click()
    page.wait_for_url(f"{base}/enrolment/learners/{enrolment.learner_id}/")
    assert page.get_by_text("Contrat d'apprentissage", exact=False).count() >= 1
    assert page.get_by_role("button", name="Passer au statut", exact=False).count() == 0
    assert serious_violations(page) == []
