"""An admissions officer who presides the admission jury decides two presented files in
batch, in French, in a real browser; every page is axe-checked (no serious or critical
violation)."""

from __future__ import annotations

import pytest

from capitalis.admissions.jury import services as jury_services
from capitalis.admissions.models import Application
from capitalis.admissions.rules import Status
from tests.admissions.jury.builders import eligible, jury_world, presented
from tests.browser.helpers import log_in, serious_violations, shoot

pytestmark = pytest.mark.browser


def test_officer_decides_two_files_in_batch(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    jw = jury_world()
    sitting = jury_services.admission_jury_create(
        edition=jw.world.edition,
        campus=jw.world.campus,
        sits_on=jw.world.edition.start_date.replace(year=2026, month=6, day=1),
        president=jw.officer,
        actor=jw.officer,
    )
    alice = presented(jw, sitting, eligible(jw, "alice@example.org", name="Alice Test"))
    bruno = presented(
        jw, sitting, eligible(jw, "bruno@example.org", name="Bruno Test", language="en")
    )

    log_in(page, live_server.url, "officer@example.org")

    page.get_by_role("link", name="Admissions").click()
    page.wait_for_url(f"{live_server.url}/admissions/dashboard/")
    assert page.locator("h1").inner_text() == "Tableau de bord des admissions"
    row = page.locator(f"#funnel tr[data-campus='{jw.world.campus.code}']")
    assert row.locator("td").nth(7).inner_text() == "2"  # two files presented
    assert serious_violations(page) == []
    shoot(page, "admissions-dashboard-fr")

    page.get_by_role("link", name="Jurys d’admission").first.click()
    assert page.locator("h1").inner_text() == "Jurys d’admission"
    assert serious_violations(page) == []
    page.locator("main ul.plain a").first.click()
    page.wait_for_url(f"{live_server.url}/admissions/juries/{sitting.pk}/")
    assert page.get_by_text("La décision est due 4 semaines").is_visible()
    assert serious_violations(page) == []
    shoot(page, "jury-before-fr")

    page.get_by_label("Décision pour Alice Test").select_option("admitted")
    page.get_by_label("Décision pour Bruno Test").select_option("waitlisted")
    page.get_by_label("Note pour Bruno Test").fill("Bon dossier, places limitées.")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les décisions").click()

    messages = page.locator(".messages").inner_text()
    assert "Alice Test : admis — enregistré." in messages
    assert "Bruno Test : liste d’attente — enregistré." in messages or "Bruno Test" in messages
    assert page.get_by_text("Aucun dossier n’attend de décision.").is_visible()
    decided = page.locator("section[aria-labelledby=decided-heading]")
    assert (
        decided.locator(f"tr[data-application='{alice.pk}'] td").first.get_attribute("data-status")
        == Status.ADMITTED
    )
    assert serious_violations(page) == []
    shoot(page, "jury-after-fr")

    assert Application.objects.get(pk=alice.pk).status == Status.ADMITTED
    assert Application.objects.get(pk=bruno.pk).status == Status.WAITLISTED
    # The letter is one click away, in the candidate's language (Bruno asked for English).
    with page.expect_navigation():
        decided.locator(f"tr[data-application='{bruno.pk}'] a", has_text="HTML").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("put your application on the waiting list").is_visible()
