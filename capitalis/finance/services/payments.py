"""Payments recorded on an invoice (issue 4 point 8): the amount checked against what is
still owed, the invoice's status following its balance, a paid application fee reported to
admissions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.admissions import services as admissions_services
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.finance import rules
from capitalis.finance.models import Invoice, Payment
from capitalis.finance.services.invoices import (
    _invoice_errors,
    _invoice_for_update,
    _rule_error,
    invoice_balance,
)


def _parse_amount(value: Any) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_invoice_errors()["not_a_number"], code="not_a_number") from exc
    if not amount.is_finite():
        raise DomainError(_invoice_errors()["not_a_number"], code="not_a_number")
    return amount


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    amount: Any,
    paid_on: date,
    method: str,
    reference: str = "",
    actor: Any,
    confirm_overpayment: bool = False,
) -> Payment:
    """Record money received on an issued invoice: above zero, two decimals at most, not above
    what is still owed unless ``confirm_overpayment``. The invoice becomes paid when nothing is
    owed. Paying an application-fee invoice marks the application's fee as paid."""
    invoice = _invoice_for_update(invoice)
    if invoice.kind == rules.InvoiceKind.CREDIT_NOTE.value:
        raise DomainError(
            _("A credit note is not paid: it reduces what an invoice owes."), code="credit_note"
        )
    if invoice.status not in (rules.InvoiceStatus.ISSUED.value, rules.InvoiceStatus.PAID.value):
        raise DomainError(
            _("Payments are recorded on issued invoices only (this one is %(status)s).")
            % {"status": invoice.get_status_display()},
            code="status",
        )
    if method not in Payment.Method.values:
        raise DomainError(_("Unknown payment method."), code="method")
    owed = invoice_balance(invoice)
    try:
        value = rules.check_payment(
            _parse_amount(amount), owed=owed, allow_overpayment=confirm_overpayment
        )
    except rules.FeeError as error:
        raise _rule_error(error) from error
    payment = Payment.objects.create(
        invoice=invoice,
        amount=value,
        paid_on=paid_on,
        method=method,
        reference=reference.strip()[:100],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    new_status = rules.status_from_balance(rules.InvoiceStatus(invoice.status), owed - value)
    if new_status.value != invoice.status:
        invoice.status = new_status.value
        invoice.save(update_fields=["status", "updated_at"])
    audit_record(
        action=Action.PAYMENT_RECORD,
        actor=actor,
        target=invoice,
        summary=f"{invoice.number} +{value} ({method})",
        data={
            "payment": payment.pk,
            "amount": str(value),
            "paid_on": paid_on.isoformat(),
            "overpayment": str(max(value - owed, Decimal("0.00"))),
        },
    )
    if (
        new_status is rules.InvoiceStatus.PAID
        and invoice.kind == rules.InvoiceKind.APPLICATION_FEE.value
        and invoice.application_id is not None
    ):
        _mark_application_fee_paid(invoice=invoice, paid_on=paid_on, actor=actor)
    return payment


def _mark_application_fee_paid(*, invoice: Invoice, paid_on: date, actor: Any) -> None:
    """Set the application's "fee paid" flag through the admissions service, the paid invoice
    being the evidence (finance staff may record it there)."""
    application = invoice.application
    assert application is not None
    admissions_services.application_fee_record(
        application=application,
        actor_user=actor,
        paid=True,
        paid_on=paid_on,
        evidence=_("invoice %(number)s") % {"number": invoice.number},
    )
