"""A finance officer, in French, in a real browser: opens the invoices with their balances per
payer, opens the tuition invoice, is told a three-decimal amount is refused, records an
instalment typed with a comma and sees the balance fall; every page is axe-checked (no serious
or critical violation)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from capitalis.finance import services
from capitalis.finance.models import Payment
from tests.browser.helpers import check, log_in
from tests.finance import invoice_builders as build

pytestmark = pytest.mark.browser


def test_finance_officer_records_a_payment(page, live_server, settings) -> None:
    build.catalogue()
    officer = build.person("finance@example.org", build.Role.FINANCE)
    _deposit, tuition = services.invoice_create_for_enrolment(
        enrolment=build.enrolment(build.person("learner@example.org")), actor=officer
    )

    log_in(page, live_server.url, "finance@example.org")

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Factures", exact=True
    ).click()
    page.wait_for_url(f"{live_server.url}/finance/invoices/")
    assert page.locator("h1").inner_text() == "Factures"
    assert "Soldes par payeur" in page.content()
    check(page, "finance-list")

    page.get_by_role("link", name=tuition.number).click()
    assert page.locator("h1").inner_text() == f"Facture {tuition.number}"
    check(page, "finance-invoice")

    page.get_by_label("Montant (€)").fill("100,005")
    page.get_by_label("Payé le").fill("2024-10-01")
    page.get_by_role("button", name="Enregistrer le paiement").click()
    assert "plus de deux décimales" in page.locator("main").inner_text()
    assert not Payment.objects.exists()
    check(page, "finance-invoice-error")

    page.get_by_label("Montant (€)").fill("2963,33")
    page.get_by_label("Payé le").fill("2024-10-01")
    page.get_by_role("button", name="Enregistrer le paiement").click()
    assert "Le paiement a été enregistré." in page.locator("main").inner_text()
    assert "5 926,67" in page.locator("main").inner_text().replace("\u202f", " ").replace(
        "\xa0", " "
    )
    assert Payment.objects.get().amount == Decimal("2963.33")
