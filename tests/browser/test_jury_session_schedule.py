"""A programme director schedules a jury session in French, in a real browser, starting with
no jury session at all (no demo data: the catalogue and learners of the jury test builders,
the jury's people created through the accounts services): she opens the jury sessions, follows
"Programmer une session de jury", fills the form, previews the learners in scope, saves, and
finds the session listed. Every page is axe-checked (no serious or critical violation)."""

from __future__ import annotations

import datetime as dt

import pytest

from capitalis.accounts.services import user_create
from capitalis.jury.models import JurySession
from tests.browser.helpers import check, log_in
from tests.jury.builders import world

pytestmark = pytest.mark.browser


def test_director_schedules_a_session_from_scratch(page, live_server, settings) -> None:
    w = world(learners=2)
    president = user_create(
        email="presidente@example.org",
        full_name="Présidente Jury",
        password="pw-Secret-123",
        is_staff=True,
    )
    member = user_create(
        email="membre@example.org", full_name="Membre Jury", password="pw-Secret-123", is_staff=True
    )
    assert JurySession.objects.count() == 0
    url = live_server.url

    log_in(page, url, "director@example.org")
    page.goto(f"{url}/jury/")
    assert "Vous ne siégez dans aucune session de jury." in page.locator("main").inner_text()
    page.get_by_role("link", name="Programmer une session de jury").click()
    assert page.locator("h1").inner_text() == "Programmer une session de jury"
    check(page, "jury-session-new")

    page.locator("[name=title]").fill("Jury de décembre")
    page.locator("[name=version]").select_option(str(w.version.pk))
    page.locator("[name=date]").fill((dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.locator("[name=president]").select_option(str(president.pk))
    page.locator(f"[name=members][value='{member.pk}']").check()
    page.locator("[name=edition]").select_option(str(w.edition.pk))
    page.get_by_role("button", name="Prévisualiser les apprenants").click()

    preview = page.locator("#preview")
    preview.get_by_text("2 apprenants dans le périmètre.").wait_for()
    for enrolment in w.enrolments:
        assert str(enrolment.learner) in preview.inner_text()
    assert JurySession.objects.count() == 0  # nothing saved yet
    assert page.locator("[name=title]").input_value() == "Jury de décembre"
    check(page, "jury-session-preview")

    page.get_by_role("button", name="Enregistrer la session").click()
    page.wait_for_url(f"{url}/jury/")
    main = page.locator("main")
    assert "« Jury de décembre » est programmée pour 2 apprenant(s)" in main.inner_text()
    assert main.get_by_role("link", name="Jury de décembre", exact=True).is_visible()
    check(page, "jury-session-listed")
    s = JurySession.objects.get()
    assert (s.president, list(s.members.all()), s.learners.count()) == (president, [member], 2)
