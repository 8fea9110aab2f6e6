"""Finance pages (SPEC §8): the invoices a user may read with their balances per payer, an
invoice with its lines, instalments and payments and, for finance staff of its campus, the
forms to record a payment or cancel it; the CSV export for accounting. Thin: reads go through
``queries``, writes through ``services``; an invoice the user may not read answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capitalis.accounts import permissions
from capitalis.core.handlers import domain_errors
from capitalis.core.spreadsheets import CSV_CONTENT_TYPE, csv_bytes
from capitalis.finance import queries, services
from capitalis.finance.forms import CancelForm, ExportForm, PaymentForm
from capitalis.finance.models import (
    INVOICE_KIND_LABELS,
    INVOICE_STATUS_LABELS,
    PAYER_KIND_LABELS,
    Invoice,
)


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    """The invoices the user may read (finance staff: their scope; a candidate or learner:
    hers) with what is invoiced, credited, paid, still owed, fallen due and late, per invoice
    and per payer; filters on status, payer, kind, year and "late only". Finance staff also
    see which fee schedule each edition pays and may create the missing invoices (POST)."""
    is_finance = permissions.can(request.user, "manage", "invoice").ok
    if request.method == "POST":
        if not permissions.can(request.user, "reconcile", "invoice").ok:
            raise Http404(_("No such page."))
        report = services.invoices_reconcile(actor=request.user)
        messages.success(
            request,
            _("%(created)s missing invoice(s) created.") % {"created": len(report.created)},
        )
        for reason in report.skipped[:20]:
            messages.warning(request, reason)
        return redirect("finance:invoice-list")
    status = request.GET.get("status") or None
    payer_kind = request.GET.get("payer") or None
    kind = request.GET.get("kind") or None
    year = request.GET.get("year") or None
    late_only = request.GET.get("late") == "1"
    invoices = queries.invoice_list_for(
        user=request.user,
        status=status,
        payer_kind=payer_kind,
        kind=kind,
        academic_year=year,
        late_only=late_only,
    )
    rows = list(invoices[:500])
    return render(
        request,
        "finance/invoice_list.html",
        {
            "invoices": rows,
            "balances": queries.balances_per_payer(invoices),
            "is_finance": is_finance,
            "can_reconcile": permissions.can(request.user, "reconcile", "invoice").ok,
            "edition_schedules": queries.edition_schedules() if is_finance else [],
            "statuses": [(s.value, label) for s, label in INVOICE_STATUS_LABELS.items()],
            "payers": [(p.value, label) for p, label in PAYER_KIND_LABELS.items()],
            "kinds": [(k.value, label) for k, label in INVOICE_KIND_LABELS.items()],
            "status": status or "",
            "payer": payer_kind or "",
            "kind": kind or "",
            "year": year or "",
            "late": late_only,
            "export_form": ExportForm(),
        },
    )


def _get(request: HttpRequest, pk: int) -> Invoice:
    try:
        return queries.invoice_get_for(user=request.user, pk=pk)
    except Invoice.DoesNotExist:
        raise Http404(_("No such invoice.")) from None


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get(request, pk)
    manage = permissions.can(request.user, "manage", "invoice", invoice).ok
    payment_form = PaymentForm()
    cancel_form = CancelForm()
    if request.method == "POST":
        if not manage:
            raise Http404(_("No such invoice."))
        if request.POST.get("action") == "cancel":
            cancel_form = CancelForm(request.POST)
            if cancel_form.is_valid():
                with domain_errors(request, cancel_form) as refused:
                    services.invoice_cancel(
                        invoice=invoice,
                        reason=cancel_form.cleaned_data["reason"],
                        actor=request.user,
                    )
                if not refused:
                    messages.success(request, _("The invoice was cancelled."))
                    return redirect("finance:invoice-detail", pk=invoice.pk)
        else:
            payment_form = PaymentForm(request.POST)
            if payment_form.is_valid():
                data = payment_form.cleaned_data
                with domain_errors(request, payment_form, fields=_AMOUNT_FIELDS) as refused:
                    services.payment_record(
                        invoice=invoice,
                        amount=data["amount"],
                        paid_on=data["paid_on"],
                        method=data["method"],
                        reference=data["reference"],
                        confirm_overpayment=data["confirm_overpayment"],
                        actor=request.user,
                    )
                if not refused:
                    messages.success(request, _("The payment was recorded."))
                    return redirect("finance:invoice-detail", pk=invoice.pk)
    return render(
        request,
        "finance/invoice_detail.html",
        {
            "invoice": invoice,
            "manage": manage,
            "payment_form": payment_form,
            "cancel_form": cancel_form,
            "can_pay": invoice.status in ("issued", "paid") and invoice.kind != "credit_note",
            "can_cancel": invoice.status in ("draft", "issued")
            and not invoice.payments.all()
            and invoice.kind != "credit_note"
            and not getattr(invoice, "credited", 0),
        },
        status=400 if request.method == "POST" else 200,
    )


# The payment's refusals shown at its amount field (any other one: above the form).
_AMOUNT_FIELDS = {
    code: "amount" for code in ("not_a_number", "not_positive", "too_many_decimals", "over_balance")
}


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The accounting journal as CSV: semicolons, UTF-8 with a BOM (spreadsheet software opens
    it right), amounts with a dot; ``?from=YYYY-MM-DD&to=YYYY-MM-DD``. Finance staff only."""
    if not permissions.can(request.user, "manage", "invoice").ok:
        raise Http404(_("No such page."))
    form = ExportForm({"date_from": request.GET.get("from"), "date_to": request.GET.get("to")})
    if not form.is_valid():
        return HttpResponse(
            _("The dates must read like 2026-09-30."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    date_from = form.cleaned_data["date_from"]
    date_to = form.cleaned_data["date_to"]
    content = csv_bytes(
        queries.export_rows(user=request.user, date_from=date_from, date_to=date_to),
        header=queries.EXPORT_COLUMNS,
        delimiter=";",
        bom=True,
    )
    name = "capitalis-finance-{}-{}.csv".format(
        date_from.isoformat() if date_from else "start", date_to.isoformat() if date_to else "end"
    )
    response = HttpResponse(content, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def export_job_start(request: HttpRequest) -> HttpResponse:
    """Prepare the accounting journal of a period in the background (a whole school's can be
    large): the person is sent to the job's page, which offers the file once ready; asked again
    while it is being prepared, the same job answers. Finance staff only."""
    if not permissions.can(request.user, "manage", "invoice").ok:
        raise Http404(_("No such page."))
    form = ExportForm({"date_from": request.POST.get("from"), "date_to": request.POST.get("to")})
    if not form.is_valid():
        messages.error(request, _("The dates must read like 2026-09-30."))
        return redirect("finance:invoice-list")
    with domain_errors(request) as refused:
        job = services.export_start(
            actor=request.user,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
    if refused:
        return redirect("finance:invoice-list")
    return redirect("jobs:detail", pk=job.pk)
