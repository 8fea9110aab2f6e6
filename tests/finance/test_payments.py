"""Payments: recorded on an issued invoice, above zero, two decimals at most, not above the
balance unless the overpayment is confirmed; the invoice is paid when nothing is owed; paying
the application fee marks the application's fee as paid; bad input saves nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation

from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.finance import services
from capitalis.finance.models import Invoice, Payment
from tests.finance import invoice_builders as build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_english")]


@pytest.fixture
def _english() -> Iterator[None]:
    with (
        translation.override("en"),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        yield


@pytest.fixture
def fee_invoice() -> Invoice:
    build.catalogue()
    staff = build.person("finance@example.org", build.Role.FINANCE)
    application = build.application(build.person("cand@example.org"))
    return services.invoice_create_for_application_fee(application=application, actor=staff)


def _pay(invoice: Invoice, amount: object, **kw: object) -> Payment:
    return services.payment_record(
        invoice=invoice,
        amount=amount,
        paid_on=date(2024, 3, 5),
        method="transfer",
        reference="VIR-1",
        actor=None,
        **kw,  # type: ignore[arg-type]
    )


def test_partial_then_full_payment_marks_invoice_and_application_paid(
    fee_invoice: Invoice,
) -> None:
    _pay(fee_invoice, "30")
    fee_invoice.refresh_from_db()
    assert fee_invoice.status == "issued"
    assert services.invoice_balance(fee_invoice) == Decimal("50.00")
    assert not fee_invoice.application.application_fee_paid  # type: ignore[union-attr]
    _pay(fee_invoice, Decimal("50.00"))
    fee_invoice.refresh_from_db()
    assert fee_invoice.status == "paid"
    assert services.invoice_balance(fee_invoice) == 0
    application = fee_invoice.application
    assert application is not None
    application.refresh_from_db()
    assert application.application_fee_paid
    assert application.application_fee_paid_on == date(2024, 3, 5)
    assert AuditEvent.objects.filter(action="payment_record").count() == 2


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("80.001", "more than two decimals"),
        ("0", "above zero"),
        ("-10", "above zero"),
        ("abc", "not a number"),
        ("80.01", "exceeds what is still owed"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_saved(
    fee_invoice: Invoice, amount: str, message: str
) -> None:
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError, match=message):
        _pay(fee_invoice, amount)
    assert not Payment.objects.exists()
    assert AuditEvent.objects.count() == audits
    fee_invoice.refresh_from_db()
    assert fee_invoice.status == "issued"


def test_over_the_balance_refused_in_french_too(fee_invoice: Invoice) -> None:
    with translation.override("fr"), pytest.raises(DomainError) as error:
        _pay(fee_invoice, "100")
    assert "dépasse" in error.value.message


def test_overpayment_recorded_when_confirmed(fee_invoice: Invoice) -> None:
    _pay(fee_invoice, "100", confirm_overpayment=True)
    fee_invoice.refresh_from_db()
    assert fee_invoice.status == "paid"
    assert services.invoice_balance(fee_invoice) == Decimal("-20.00")


def test_no_payment_on_a_cancelled_invoice_and_no_cancel_after_payment(
    fee_invoice: Invoice,
) -> None:
    _pay(fee_invoice, "10")
    with pytest.raises(DomainError, match="has payments"):
        services.invoice_cancel(invoice=fee_invoice, reason="oops", actor=None)
    other = services.invoice_create_for_application_fee(
        application=build.application(build.person("c2@example.org")), actor=None
    )
    services.invoice_cancel(invoice=other, reason="duplicate", actor=None)
    with pytest.raises(DomainError, match="issued invoices only"):
        _pay(other, "10")


def test_unknown_method_refused(fee_invoice: Invoice) -> None:
    with pytest.raises(DomainError, match="Unknown payment method"):
        services.payment_record(
            invoice=fee_invoice, amount="10", paid_on=date(2024, 3, 5), method="bitcoin", actor=None
        )


def test_finance_officer_paying_the_fee_marks_the_application(fee_invoice: Invoice) -> None:
    officer = build.person("f2@example.org", build.Role.FINANCE)
    services.payment_record(
        invoice=fee_invoice,
        amount="80.00",
        paid_on=date(2024, 3, 6),
        method="card",
        actor=officer,
    )
    application = fee_invoice.application
    assert application is not None
    application.refresh_from_db()
    assert application.application_fee_paid_on == date(2024, 3, 6)
    event = AuditEvent.objects.get(action="admissions.application_fee_record")
    assert event.actor == officer and fee_invoice.number in event.summary
