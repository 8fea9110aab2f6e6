"""Invoicing what the year's steps call for: the idempotent ``*_ensure`` services the
finance tasks call on admissions' and enrolment's events, and the reconciliation that
invoices whatever was missed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from capitalis.admissions.models import Application
from capitalis.core.exceptions import DomainError
from capitalis.enrolment.models import Enrolment
from capitalis.finance import rules
from capitalis.finance.models import Invoice
from capitalis.finance.services.invoices import (
    _ever_invoiced,
    invoice_create_for_application_fee,
    invoice_create_for_enrolment,
    invoice_credit_for_withdrawal,
)

# --- Invoicing what the year's steps call for (events, tasks, reconciliation) ------------------
#
# Admissions and enrolment come before finance in the pipeline and may not import it. They
# publish ``capitalis.core.events`` (application submitted, enrolment created or withdrawn)
# once their transaction commits; ``FinanceConfig.ready()`` subscribes ``finance.tasks``, which
# load the record by id and call the ``*_ensure`` services below. Each is idempotent and keyed
# in the database, so a retried task, a replayed event or a reconciliation creates nothing
# more; a failure (no fee schedule, no contract, the database away) is logged and never undoes
# the submission or the enrolment; ``invoices_reconcile`` (``manage.py finance_reconcile``,
# the invoice page's action) invoices whatever was missed.
#
# The automatic path never re-invoices a key whose invoice finance staff cancelled: a
# cancellation is a decision (the fee waived, the file a duplicate), which only staff undo.


def _application_invoiceable(application: Any) -> bool:
    """Submitted at some point: not a draft, nor withdrawn before being submitted."""
    if application.status == "draft":
        return False
    return not (application.status == "withdrawn" and application.submitted_at is None)


def invoices_ensure_for_application(*, application: Any, actor: Any = None) -> list[Invoice]:
    """The application-fee invoice of a submitted application, unless it was ever issued
    (returns what was created: nothing on a repeat)."""
    if not _application_invoiceable(application) or _ever_invoiced(
        rules.InvoiceSource.APPLICATION, application.pk, (rules.InvoiceKind.APPLICATION_FEE,)
    ):
        return []
    return [invoice_create_for_application_fee(application=application, actor=actor)]


def invoices_ensure_for_enrolment(*, enrolment: Any, actor: Any = None) -> list[Invoice]:
    """The deposit and tuition invoices of an enrolment, unless they were ever issued, then
    the credit notes when it is withdrawn (returns what was created: nothing on a repeat)."""
    created: list[Invoice] = []
    if not _ever_invoiced(
        rules.InvoiceSource.ENROLMENT,
        enrolment.pk,
        (rules.InvoiceKind.DEPOSIT, rules.InvoiceKind.TUITION),
    ):
        created += invoice_create_for_enrolment(enrolment=enrolment, actor=actor)
    if enrolment.status == "withdrawn":
        created += credit_ensure_for_withdrawal(enrolment=enrolment, actor=actor)
    return created


def credit_ensure_for_withdrawal(*, enrolment: Any, actor: Any = None) -> list[Invoice]:
    """The credit notes of a withdrawn enrolment not issued yet (returns those created)."""
    before = set(
        Invoice.objects.filter(
            enrolment=enrolment, kind=rules.InvoiceKind.CREDIT_NOTE.value
        ).values_list("pk", flat=True)
    )
    notes = invoice_credit_for_withdrawal(enrolment=enrolment, actor=actor)
    return [n for n in notes if n.pk not in before]


@dataclass
class ReconcileReport:
    """What a reconciliation did: invoices created, and the records it could not invoice with
    the reason (translated)."""

    created: list[Invoice] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def invoices_reconcile(
    *,
    actor: Any = None,
    applications: QuerySet[Application] | None = None,
    enrolments: QuerySet[Enrolment] | None = None,
) -> ReconcileReport:
    """Create every missing invoice: the application fee of each submitted application, the
    deposit and tuition of each enrolment, the credit notes of each withdrawn one (default:
    every application and enrolment; the demo passes its own people only). Each record is
    invoiced in its own transaction, so one that cannot be (no fee schedule, a work-study
    enrolment without contract) is reported and the others are still invoiced. Running it
    again creates nothing."""
    report = ReconcileReport()
    if applications is None:
        applications = Application.objects.all()
    if enrolments is None:
        enrolments = Enrolment.objects.all()
    invoiced = Invoice.objects.filter(
        source_kind=rules.InvoiceSource.APPLICATION.value,
        kind=rules.InvoiceKind.APPLICATION_FEE.value,
    ).values("source_id")
    pending = (
        applications.exclude(status="draft")
        .exclude(status="withdrawn", submitted_at__isnull=True)
        .exclude(pk__in=invoiced)
        .select_related("edition__programme", "campus", "candidate")
        .order_by("pk")
    )
    for application in pending:
        try:
            report.created += invoices_ensure_for_application(application=application, actor=actor)
        except DomainError as error:
            report.skipped.append(
                _("Application %(id)s: %(reason)s") % {"id": application.pk, "reason": error}
            )
    enrolled = Invoice.objects.filter(
        source_kind=rules.InvoiceSource.ENROLMENT.value,
        kind__in=[rules.InvoiceKind.DEPOSIT.value, rules.InvoiceKind.TUITION.value],
    ).values("source_id")
    pending_enrolments = (
        enrolments.filter(~Q(pk__in=enrolled) | Q(status="withdrawn"))
        .select_related("edition__programme", "campus", "learner__user", "application")
        .order_by("pk")
    )
    for enrolment in pending_enrolments:
        try:
            report.created += invoices_ensure_for_enrolment(enrolment=enrolment, actor=actor)
        except DomainError as error:
            report.skipped.append(
                _("Enrolment %(id)s: %(reason)s") % {"id": enrolment.pk, "reason": error}
            )
    return report
