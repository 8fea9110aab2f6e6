"""Demo step (``manage.py seed_demo``): invoices for the demo's applications and enrolments,
through the finance services. Every submitted application gets its application-fee invoice
(paid when the application records the fee as paid); every enrolment its deposit and tuition
invoices (work-study: billed to the OPCO or employer), the deposit paid. Idempotent: what is
already invoiced is left alone; an application or enrolment that cannot be invoiced (no fee
schedule for its year, a work-study enrolment without contract) is counted and skipped."""

from __future__ import annotations

from django.utils.translation import gettext as _

from capitalis.accounts.demo import DemoContext, demo_step
from capitalis.accounts.rules import Role
from capitalis.admissions.models import Application
from capitalis.core.exceptions import DomainError
from capitalis.finance import rules, services
from capitalis.finance.models import Invoice


@demo_step(order=500, name="finance")
def finance(ctx: DemoContext) -> None:
    from capitalis.enrolment.models import Enrolment

    actor = ctx.users.get(Role.FINANCE)
    skipped = 0
    invoiced_applications = set(
        Invoice.objects.filter(kind=rules.InvoiceKind.APPLICATION_FEE.value)
        .exclude(status=rules.InvoiceStatus.CANCELLED.value)
        .values_list("application_id", flat=True)
    )
    applications = (
        Application.objects.exclude(status="draft")
        .exclude(pk__in=invoiced_applications)
        .select_related("edition__programme", "campus", "candidate")
        .order_by("pk")
    )
    for application in applications:
        try:
            invoice = services.invoice_create_for_application_fee(
                application=application, actor=actor
            )
        except DomainError:
            skipped += 1
            continue
        ctx.created += 1
        if application.application_fee_paid:
            services.payment_record(
                invoice=invoice,
                amount=invoice.lines.get().amount,
                paid_on=application.application_fee_paid_on or invoice.issued_on,
                method="card",
                reference=f"DEMO-{invoice.number}",
                actor=actor,
            )
    invoiced_enrolments = set(
        Invoice.objects.filter(enrolment__isnull=False)
        .exclude(status=rules.InvoiceStatus.CANCELLED.value)
        .values_list("enrolment_id", flat=True)
    )
    enrolments = (
        Enrolment.objects.exclude(pk__in=invoiced_enrolments)
        .select_related("edition__programme", "campus", "learner__user", "application")
        .order_by("pk")
    )
    for enrolment in enrolments:
        try:
            invoices = services.invoice_create_for_enrolment(enrolment=enrolment, actor=actor)
        except DomainError:
            skipped += 1
            continue
        ctx.created += len(invoices)
        for invoice in invoices:
            if invoice.kind == rules.InvoiceKind.DEPOSIT.value:
                services.payment_record(
                    invoice=invoice,
                    amount=invoice.lines.get().amount,
                    paid_on=invoice.issued_on,
                    method="transfer",
                    reference=f"DEMO-{invoice.number}",
                    actor=actor,
                )
    ctx.note(
        _(
            "Finance: %(invoices)s invoice(s); %(skipped)s file(s) without a fee schedule "
            "or contract."
        )
        % {"invoices": Invoice.objects.count(), "skipped": skipped}
    )
