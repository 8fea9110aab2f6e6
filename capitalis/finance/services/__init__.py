"""Every write of finance (SPEC §8), by subdomain: ``schedules`` (fee schedules), ``invoices``
(creation, numbering, credit notes, cancellation, balance), ``payments``, ``reconcile`` (the
idempotent invoicing of the year's steps and the reconciliation) and ``export`` (the accounting
export as a background job). Callers use the package: ``from capitalis.finance import services``
then ``services.payment_record(...)``."""

from __future__ import annotations

from capitalis.finance.services.export import export_job_key, export_start
from capitalis.finance.services.invoices import (
    invoice_balance,
    invoice_cancel,
    invoice_create_for_application_fee,
    invoice_create_for_enrolment,
    invoice_credit_for_withdrawal,
)
from capitalis.finance.services.payments import payment_record
from capitalis.finance.services.reconcile import (
    ReconcileReport,
    credit_ensure_for_withdrawal,
    invoices_ensure_for_application,
    invoices_ensure_for_enrolment,
    invoices_reconcile,
)
from capitalis.finance.services.schedules import (
    academic_year_valid,
    fee_error_message,
    fee_schedule_set,
    schedule_facts,
)

__all__ = [
    "ReconcileReport",
    "academic_year_valid",
    "credit_ensure_for_withdrawal",
    "export_job_key",
    "export_start",
    "fee_error_message",
    "fee_schedule_set",
    "invoice_balance",
    "invoice_cancel",
    "invoice_create_for_application_fee",
    "invoice_create_for_enrolment",
    "invoice_credit_for_withdrawal",
    "invoices_ensure_for_application",
    "invoices_ensure_for_enrolment",
    "invoices_reconcile",
    "payment_record",
    "schedule_facts",
]
