"""A correction after the minutes are frozen, in French, in a real browser: the president of
a later open session searches a learner, opens her decision of the closed session, is refused
without a justification, records the correction with one, and sees it in the grid (filtered
on the learner); the grid's search and "needs attention" filter on a phone. Axe-checked."""

from __future__ import annotations

import datetime as dt

import pytest

from capitalis.jury import services
from capitalis.jury.models import BlockDecision
from tests.browser.helpers import check, log_in
from tests.jury.builders import grade, session, world

pytestmark = pytest.mark.browser


def test_president_corrects_a_frozen_decision_in_french(page, browser, live_server, settings):
    w = world(learners=2)
    good, weak = w.enrolments
    for blk in w.blocks[:3]:
        grade(w, good, blk, 14)
    grade(w, weak, w.blocks[0], 12)
    grade(w, weak, w.blocks[1], 8)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    services.session_close(session=s, actor=w.president)
    later = session(w, day=dt.date(2025, 9, 1), title="Jury septembre")
    services.deliberate(session=later, actor=w.president)
    url = live_server.url
    name = weak.learner.user.full_name

    log_in(page, url, "president@example.org")
    page.goto(f"{url}/jury/sessions/{later.pk}/")
    page.get_by_role("link", name="Corriger une décision antérieure").click()
    page.get_by_label("Nom ou adresse e-mail de l’apprenant").fill(name)
    page.get_by_role("button", name="Rechercher").click()
    check(page, "jury-corrections-search")
    page.get_by_role("link", name=f"Ouvrir et corriger — {name}, {w.blocks[1].code}").click()
    main = page.locator("main")
    assert "compétences sous le seuil" in main.inner_text()
    page.get_by_label("Statut corrigé").select_option("validated")
    page.get_by_label("Justification (obligatoire)").fill("  ")
    page.evaluate("document.querySelector('#corr-justification').removeAttribute('required')")
    page.get_by_role("button", name="Enregistrer la correction").click()
    assert "Une correction exige une justification écrite." in main.inner_text()
    assert not BlockDecision.objects.filter(session=later, cites__isnull=False).exists()
    check(page, "jury-correct-error")
    page.get_by_label("Justification (obligatoire)").fill("Note de C2 mal reportée")
    page.get_by_role("button", name="Enregistrer la correction").click()
    assert "La correction est enregistrée" in main.inner_text()
    row = page.locator(f"#row-{weak.pk}")
    assert "corrige la décision de Jury juillet" in row.inner_text()
    assert page.locator('[id^="row-"]').count() == 1  # the grid filtered on her
    check(page, "jury-grid-corrected")

    # on a phone: the grid's filter "needs attention" fits and keeps only her
    phone = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 800})
    p2 = phone.new_page()
    log_in(p2, url, "president@example.org")
    p2.goto(f"{url}/jury/sessions/{later.pk}/")
    p2.get_by_label("Décision de certification").select_option("attention")
    with p2.expect_navigation():
        p2.get_by_role("button", name="Filtrer").click()
    assert p2.locator(f"#row-{good.pk}").count() == 0
    assert "1 apprenant — page 1 sur 1" in p2.locator("main").inner_text()
    wide = p2.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right"
        " > 376 && !e.closest('.table-wrap')).map(e => e.tagName + '.' + e.className + ':'"
        " + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"
    )
    assert p2.evaluate("document.documentElement.scrollWidth") <= 375, wide
    check(p2, "jury-grid-filter-phone")
    phone.close()
