"""VAE and appeal journeys in French, in a real browser, every page axe-checked.

VAE: the programme director registers a candidate and declares her admissible; the candidate,
on a phone, adds her experience dossier mapped to two blocks; the jury president records the
interview and validates one block of the two (partial validation); the candidate sees the
block validated through VAE on her blocks page (phone).

Appeal: a learner lodges an appeal on her decision from her blocks page (phone); the president
of a later session finds it on his dashboard, is refused without a note, decides it with one;
the learner reads the outcome."""

from __future__ import annotations

import datetime as dt

import pytest

from capitalis.jury import services
from capitalis.jury.models import Appeal, BlockValidation, VaeCandidate
from tests.browser.helpers import check, log_in
from tests.jury.builders import grade, person, session, world

pytestmark = pytest.mark.browser


def _phone(browser):
    return browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 800})


def test_vae_dossier_to_partial_validation(page, browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = world(learners=1)
    s = session(w)
    vae = person("vae@example.org", "Candidate Expérience")
    url = live_server.url

    # the programme director registers the candidate and declares her admissible
    log_in(page, url, "director@example.org")
    page.goto(f"{url}/jury/vae/")
    assert page.locator("h1").inner_text() == "Candidats VAE"
    page.get_by_role("button", name="Enregistrer la candidature").click()  # empty: refused
    assert not VaeCandidate.objects.exists()
    page.get_by_label("Version de la certification").select_option(str(w.version.pk))
    page.get_by_label("Adresse e-mail").fill("vae@example.org")
    page.get_by_label("Années d'expérience").fill("99")
    page.get_by_role("button", name="Enregistrer la candidature").click()  # server refuses
    assert not VaeCandidate.objects.exists()
    page.get_by_label("Adresse e-mail").fill("vae@example.org")
    page.get_by_label("Version de la certification").select_option(str(w.version.pk))
    page.get_by_label("Années d'expérience").fill("9")
    page.get_by_label("Résumé de l'expérience").fill("Neuf ans de coopération décentralisée.")
    check(page, "vae-list")
    page.get_by_role("button", name="Enregistrer la candidature").click()
    main = page.locator("main")
    assert "Le ou la candidat·e à la VAE est enregistré·e." in main.inner_text()
    candidate = VaeCandidate.objects.get(learner__user=vae)
    page.get_by_label("recevable", exact=True).check()
    page.get_by_label("Note", exact=True).fill(
        "Expérience en rapport direct avec la certification."
    )
    check(page, "vae-admissibility")
    page.get_by_role("button", name="Enregistrer la décision de recevabilité").click()
    assert "La décision de recevabilité est enregistrée." in main.inner_text()

    # the candidate, on a phone, adds her dossier mapped to two blocks
    phone = _phone(browser)
    cand = phone.new_page()
    log_in(cand, url, "vae@example.org")
    cand.goto(f"{url}/jury/my-vae/")
    assert cand.locator("h1").inner_text() == "Mon dossier VAE"
    cand.get_by_label("Titre de la pièce").fill("Livret 2 — dossier d'expérience")
    cand.locator("#doc-file").set_input_files(
        files=[{"name": "livret2.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    cand.get_by_label(w.blocks[0].code, exact=True).check()
    cand.get_by_label(w.blocks[1].code, exact=True).check()
    cand.get_by_role("button", name="Ajouter la pièce").click()
    assert "La pièce a été ajoutée au dossier." in cand.locator("main").inner_text()
    assert cand.evaluate("document.documentElement.scrollWidth") <= 375
    check(cand, "vae-candidate-dossier-phone")

    # the president records the interview, then validates one block of the two
    page.context.clear_cookies()
    log_in(page, url, "president@example.org")
    page.goto(f"{url}/jury/vae/{candidate.pk}/")
    page.get_by_label("Session de jury").select_option(str(s.pk))
    page.get_by_label("Date de l'entretien").fill("2025-07-01")
    page.get_by_label("Compte rendu de l'entretien").fill("Entretien d'une heure.")
    page.get_by_role("button", name="Enregistrer l’entretien").click()
    assert "L'entretien avec le jury est enregistré." in main.inner_text()
    b0 = page.get_by_role("group", name=f"Décision pour {w.blocks[0].code}")
    b0.get_by_label("validé", exact=True).check()
    b0.get_by_label("Justification").fill("Entretien convaincant, preuves solides.")
    b1 = page.get_by_role("group", name=f"Décision pour {w.blocks[1].code}")
    b1.get_by_label("non validé", exact=True).check()
    b1.get_by_label("Justification").fill("Preuves insuffisantes sur la négociation.")
    check(page, "vae-outcome-form")
    page.get_by_role("button", name="Enregistrer la décision").click()
    assert "Décision enregistrée : 1 bloc(s) validé(s) et capitalisé(s)." in main.inner_text()
    validation = BlockValidation.objects.get(learner=candidate.learner)
    assert validation.block == w.blocks[0] and validation.route == "vae"
    check(page, "vae-outcome")

    # the candidate sees the block validated through VAE
    cand.goto(f"{url}/jury/my-blocks/")
    text = cand.locator("main").inner_text()
    assert "validé" in text and "par la voie VAE" in text
    assert "non validé (VAE)" in text
    cand.get_by_text("Pourquoi").click()  # the VAE jury's justification, on demand
    assert "Preuves insuffisantes sur la négociation." in cand.locator("main").inner_text()
    assert cand.evaluate("document.documentElement.scrollWidth") <= 375
    check(cand, "vae-my-blocks-phone")
    phone.close()


def test_appeal_lodged_and_decided_by_a_later_session(page, browser, live_server, settings):
    w = world(learners=1)
    (learner,) = w.enrolments
    grade(w, learner, w.blocks[0], 12)
    grade(w, learner, w.blocks[1], 7)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    services.session_close(session=s, actor=w.president)
    url = live_server.url

    phone = _phone(browser)
    me = phone.new_page()
    log_in(me, url, learner.learner.user.email)
    me.goto(f"{url}/jury/my-blocks/")
    me.get_by_text("Déposer un recours").click()
    me.get_by_label("Motif").fill("La note du bloc 2 a été mal reportée.")
    check(me, "appeal-lodge-phone")
    me.get_by_role("button", name="Déposer le recours").click()
    assert "une session de jury ultérieure" in me.locator("main").inner_text()
    appeal = Appeal.objects.get()

    later = session(w, day=dt.date(2025, 9, 1), title="Jury septembre")
    log_in(page, url, "president@example.org")
    page.goto(f"{url}/jury/")
    main = page.locator("main")
    assert "Recours à trancher" in main.inner_text()
    check(page, "appeal-dashboard")
    page.get_by_role("link", name="Trancher le recours").click()
    assert "mal reportée" in main.inner_text()
    page.get_by_label("rejeté").check()
    page.get_by_role("button", name="Trancher dans Jury septembre").click()  # no note: refused
    appeal.refresh_from_db()
    assert appeal.status == "lodged"
    page.get_by_label("accepté").check()
    page.get_by_label("Note à l'apprenant·e").fill("Erreur de report confirmée ; note corrigée.")
    check(page, "appeal-decide")
    page.get_by_role("button", name="Trancher dans Jury septembre").click()
    assert "Le recours est tranché" in main.inner_text()
    appeal.refresh_from_db()
    assert appeal.status == "upheld" and appeal.decided_in == later

    me.goto(f"{url}/jury/my-blocks/")
    text = me.locator("main").inner_text()
    assert "accepté" in text and "Erreur de report confirmée" in text
    assert me.evaluate("document.documentElement.scrollWidth") <= 375
    check(me, "appeal-outcome-phone")
    phone.close()
