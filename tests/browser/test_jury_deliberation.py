"""A whole deliberation in French, in a real browser: the jury president opens her sessions,
deliberates, reads why a block is not validated, is refused an override without justification,
overrides with one, tries a what-if grade, closes the session and signs the minutes (a
background job, whose page links to them), and checks them; then the learner reads her blocks
on a phone. Every page is axe-checked (no serious or critical violation)."""

from __future__ import annotations

import pytest

from capitalis.jury.models import BlockDecision, JurySession
from tests.browser.helpers import check, log_in
from tests.jury.builders import grade, session, world

pytestmark = pytest.mark.browser


def test_president_deliberates_in_french(page, browser, live_server, settings) -> None:
    w = world(learners=2)
    good, weak = w.enrolments
    for blk in w.blocks[:3]:
        grade(w, good, blk, 14)
    grade(w, weak, w.blocks[0], 12)
    grade(w, weak, w.blocks[1], 8)
    s = session(w)
    url = live_server.url

    log_in(page, url, "president@example.org")
    page.goto(f"{url}/jury/")
    assert page.locator("h1").inner_text() == "Sessions de jury"
    check(page, "jury-dashboard")

    page.get_by_role("link", name="Jury juillet").click()
    assert "Pas encore délibéré." in page.locator("main").inner_text()
    page.get_by_role("button", name="Délibérer").click()
    main = page.locator("main")
    assert "Délibération calculée pour 2 apprenants." in main.inner_text()
    weak_row = page.locator(f"#row-{weak.pk}")
    assert "non validé" in weak_row.inner_text()
    check(page, "jury-grid")

    cell = weak_row.locator("td").nth(1)
    cell.get_by_role("link", name="Pourquoi").click()
    cell.locator("li", has_text="compétences sous le seuil : C1, C2").wait_for()
    assert "note pondérée 8.00/20, sous le seuil de 10" in cell.inner_text()

    cell.get_by_role("link", name="Modifier").click()
    cell.get_by_label("Statut").wait_for()
    cell.get_by_label("Statut").select_option("validated")
    cell.get_by_label("Justification (obligatoire)").fill("   ")
    cell.get_by_role("button", name="Enregistrer la modification").click()
    assert "Modifier une décision exige une justification écrite." in main.inner_text()
    d = BlockDecision.objects.get(session=s, enrolment=weak, block=w.blocks[1])
    assert d.override_status is None
    check(page, "jury-grid-error")

    cell = page.locator(f"#row-{weak.pk} td").nth(1)
    cell.get_by_role("link", name="Modifier").click()
    cell.get_by_label("Statut").wait_for()
    cell.get_by_label("Statut").select_option("validated")
    cell.get_by_label("Justification (obligatoire)").fill("Mission en entreprise probante")
    cell.get_by_role("button", name="Enregistrer la modification").click()
    assert "La décision a été modifiée ; la valeur calculée est conservée." in main.inner_text()
    row_text = page.locator(f"#row-{weak.pk}").inner_text()
    assert "calculé : non validé — Mission en entreprise probante" in row_text

    page.locator(f"#row-{good.pk}").get_by_role("link", name="Et si…").click()
    page.get_by_label("Compétence").select_option(index=0)
    page.get_by_label("Note sur 20").fill("4,5")
    page.get_by_role("button", name="Recalculer").click()
    assert "Avec cette note" in main.inner_text()
    assert "non validé" in page.locator("table").inner_text()
    check(page, "jury-what-if")

    page.get_by_role("link", name="Retour à la grille de délibération").click()
    page.get_by_role("link", name="Clore la session et signer le procès-verbal").click()
    check(page, "jury-close")
    page.get_by_role("button", name="Signer et clore").click()
    # closing runs as a background job: its page shows the outcome and links to the minutes
    page.wait_for_url("**/jobs/*/")
    assert "La session est close" in main.inner_text()
    check(page, "jury-close-job")
    page.get_by_role("link", name="Voir le résultat").click()
    assert "Le procès-verbal est intact" in main.inner_text()
    s = JurySession.objects.get(pk=s.pk)
    assert s.status == "closed" and s.minutes_sha256 in main.inner_text()
    check(page, "jury-verify")

    # the learner, on a phone, reads her blocks and why one remains
    phone = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 800})
    learner_page = phone.new_page()
    log_in(learner_page, url, good.learner.user.email)
    learner_page.goto(f"{url}/jury/my-blocks/")
    text = learner_page.locator("main").inner_text()
    assert learner_page.locator("h1").inner_text() == "Mes blocs"
    assert "validé" in text and "par la voie formation" in text
    assert "à obtenir" in text
    width = learner_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    check(learner_page, "jury-my-blocks")
    phone.close()
