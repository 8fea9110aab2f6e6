"""A campus coordinator enrols an admitted work-study candidate on a phone-sized screen, in
French: a bad SIRET is refused with a clear message (nothing saved), then the contract is
recorded; the learner record, the learners dashboard and the learner's own view are axe-checked
(no serious or critical violation)."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from capitalis.enrolment.models import Contract, Enrolment
from capitalis.programmes.models import Track
from tests.enrolment.builders import EMPLOYER_SIRET, admitted, world

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")
PHONE = {"width": 390, "height": 844}


def _serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("pw-Secret-123")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def test_coordinator_enrols_a_work_study_candidate_on_a_phone(page, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = world()
    app = admitted(w, "camille@example.org", track=Track.WORK_STUDY)
    page.set_viewport_size(PHONE)
    base = live_server.url
    _login(page, base, "coordinator@example.org")

    page.goto(f"{base}/enrolment/admitted/")
    assert page.locator("h1").inner_text() == "Candidatures admises"
    assert _serious_violations(page) == []
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
    assert _serious_violations(page) == []
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/enrol-bad-siret-fr.png", full_page=True)

    page.get_by_label("SIRET de l'employeur").fill(EMPLOYER_SIRET)
    with page.expect_navigation():
        page.get_by_role("button", name="Inscrire").click()
    enrolment = Enrolment.objects.get()
    assert page.url == f"{base}/enrolment/learners/{enrolment.learner_id}/"
    assert page.get_by_text("Entreprise Fictive").is_visible()
    assert Contract.objects.get().employer_siret == EMPLOYER_SIRET
    assert _serious_violations(page) == []
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/learner-record-fr.png", full_page=True)

    page.goto(f"{base}/enrolment/dashboard/")
    assert page.locator("h1").inner_text() == "Tableau de bord des apprenant·es"
    assert page.locator("table caption").inner_text() == "1 inscription"
    assert _serious_violations(page) == []

    # the learner sees her own record from the navigation, on her phone
    page.context.clear_cookies()
    _login(page, base, "camille@example.org")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mon dossier"
    ).click()
    page.wait_for_url(f"{base}/enrolment/learners/{enrolment.learner_id}/")
    assert page.get_by_text("Contrat d'apprentissage", exact=False).count() >= 1
    assert page.get_by_role("button", name="Passer au statut", exact=False).count() == 0
    assert _serious_violations(page) == []
