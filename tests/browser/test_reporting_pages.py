"""The indicators in a real browser: the programme director reads the staff dashboard (charts
with their tables, CSV links) in French, a campus coordinator sees only her campus in English,
and a visitor reads the public results page in French and in English on a phone. Every page is
axe-checked (no serious or critical violation)."""

from __future__ import annotations

import pytest

from capitalis.accounts.models import User
from capitalis.reporting.models import DeclaredFigure
from tests.browser.helpers import check, log_in
from tests.reporting.indicators.test_indicators import answer_survey, build

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _data():
    data = build()
    # staff accounts (the demo's staff roles are staff users): they see the Indicators link
    User.objects.filter(pk__in=[data.director.pk, data.coordinator1.pk]).update(is_staff=True)
    answer_survey(
        data, "satisfaction_teaching", "overall", [5, 4, 4, 3, 5, 5, 4, 4, 2, 5], data.campus0
    )
    DeclaredFigure.objects.create(
        programme=data.programme,
        indicator="certification_rate",
        period="2021-22",
        value=92,
        unit="%",
        source="seed 000 (school page)",
    )
    return data


def test_staff_dashboard_in_french_and_scoped_in_english(
    page, browser, live_server, settings
) -> None:
    data = _data()
    url = live_server.url
    log_in(page, url, "director@example.org")
    page.get_by_role("link", name="Indicateurs").click()
    assert page.locator("h1").inner_text() == "Indicateurs"
    main = page.locator("main")
    assert (
        main.get_by_role("img", name="Taux de certification par édition, tous campus").count() == 1
    )
    text = main.inner_text()
    assert "67 %" in text and "Historique déclaré" in text
    assert page.locator("main a[download]").count() == 6
    check(page, "reporting-dashboard-fr")
    page.set_viewport_size(PHONE)
    check(page, "reporting-dashboard-fr-phone")

    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    english = context.new_page()
    log_in(english, url, data.coordinator1.email, french=False)
    english.goto(f"{url}/reporting/")
    assert english.locator("h1").inner_text() == "Indicators"
    body = english.locator("main").inner_text()
    assert data.campus1.name in body and data.campus0.name not in body
    assert "not significant" in body
    check(english, "reporting-dashboard-en-campus")
    context.close()


def test_public_results_in_french_and_english_on_a_phone(page, browser, live_server) -> None:
    data = _data()
    url = live_server.url
    page.set_viewport_size(PHONE)
    page.goto(f"{url}/results/")
    page.get_by_role("link", name=data.programme.title_fr).click()
    assert page.locator("h1").inner_text().startswith("Résultats")
    text = page.locator("main").inner_text()
    assert "Taux de certification" in text and "10 sur 15" in text
    assert "historique déclaré" in text
    check(page, "results-fr-phone")

    context = browser.new_context(locale="en-GB", viewport=PHONE)
    english = context.new_page()
    english.goto(f"{url}/results/{data.programme.code}/")
    body = english.locator("main").inner_text()
    assert "Certification rate" in body and "10 out of 15" in body
    assert "Satisfaction with teaching" in body and "declared history" in body
    check(english, "results-en-phone")
    english.set_viewport_size({"width": 1280, "height": 900})
    check(english, "results-en-desktop")
    context.close()
