"""Demo step (``manage.py seed_demo``): the invoices of the demo's own people, through the same
services as the real year.

The demo's applications and enrolments are made through the admissions and enrolment services,
whose events already invoice them (``finance.tasks``). This step only reconciles what those
missed — restricted to the demo's people (e-mail addresses at ``DEMO_DOMAIN``), so a person
entered by hand is never invoiced by the demo — and records the demo's payments: the
application fee of the applications that say it was paid, and every booking deposit. Idempotent:
an invoice that already has a payment gets no other."""

from __future__ import annotations

from django.utils.translation import gettext as _

from capitalis.accounts.demo import DEMO_DOMAIN, DemoContext, demo_step
from capitalis.accounts.rules import Role
from capitalis.admissions.models import Application
from capitalis.finance import rules, services
from capitalis.finance.models import Invoice


@demo_step(order=500, name="finance")
def finance(ctx: DemoContext) -> None:
    from capitalis.enrolment.models import Enrolment

    actor = ctx.users.get(Role.FINANCE)
    suffix = f"@{DEMO_DOMAIN}"
    report = services.invoices_reconcile(
        actor=actor,
        applications=Application.objects.filter(candidate__email__iendswith=suffix),
        enrolments=Enrolment.objects.filter(learner__user__email__iendswith=suffix),
    )
    ctx.created += len(report.created)
    unpaid = (
        Invoice.objects.filter(
            customer__email__iendswith=suffix,
            status=rules.InvoiceStatus.ISSUED.value,
            payments__isnull=True,
        )
        .select_related("application")
        .order_by("pk")
    )
    for invoice in unpaid:
        if invoice.kind == rules.InvoiceKind.APPLICATION_FEE.value:
            application = invoice.application
            if application is None or not application.application_fee_paid:
                continue
            paid_on = application.application_fee_paid_on or invoice.issued_on
            method = "card"
        elif invoice.kind == rules.InvoiceKind.DEPOSIT.value:
            paid_on, method = invoice.issued_on, "transfer"
        else:
            continue
        services.payment_record(
            invoice=invoice,
            amount=services.invoice_balance(invoice),
            paid_on=paid_on,
            method=method,
            reference=f"DEMO-{invoice.number}",
            actor=actor,
        )
    ctx.note(
        _(
            "Finance: %(invoices)s demo invoice(s); %(skipped)s file(s) without a fee schedule "
            "or contract."
        )
        % {
            "invoices": Invoice.objects.filter(customer__email__iendswith=suffix).count(),
            "skipped": len(report.skipped),
        }
    )
