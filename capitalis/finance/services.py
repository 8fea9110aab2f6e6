"""Writes on fee schedules (SPEC §8). Amounts are validated by ``finance.rules`` (Decimal, not
negative, at most two decimals, deposit within tuition): bad input raises a translated
``DomainError`` and nothing is saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from capitalis.admissions import services as admissions_services
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.core.text import clean_text
from capitalis.enrolment.models import Contract
from capitalis.finance import rules
from capitalis.finance.models import (
    FeeSchedule,
    Instalment,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Payment,
)
from capitalis.programmes.models import Programme, Track

_ACADEMIC_YEAR_LEN = 7  # "2025-26"


def _amount_labels() -> dict[str, str]:
    return {
        "tuition": _("tuition"),
        "deposit": _("booking deposit"),
        "application_fee": _("application fee"),
        "cvec": _("CVEC"),
    }


def fee_error_message(error: rules.FeeError, *, field: str) -> str:
    """The translated message of a fee rule's error."""
    label = _amount_labels().get(field, field)
    if error.code == "too_many_decimals":
        return _("The %(field)s has more than two decimals.") % {"field": label}
    if error.code == "negative":
        return _("The %(field)s cannot be negative.") % {"field": label}
    if error.code == "not_a_number":
        return _("The %(field)s is not a number.") % {"field": label}
    if error.code == "deposit_over_tuition":
        return _("The booking deposit exceeds the tuition.")
    return str(error)


def _decimal(value: Any, *, field: str) -> Decimal:
    if isinstance(value, float):
        # never float for money: a float has already lost the amount the user typed
        value = repr(value)
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            fee_error_message(rules.FeeError("not_a_number", ""), field=field), code="not_a_number"
        ) from exc


def academic_year_valid(academic_year: str) -> bool:
    """ "2025-26": two consecutive years."""
    if len(academic_year) != _ACADEMIC_YEAR_LEN or academic_year[4] != "-":
        return False
    head, tail = academic_year[:4], academic_year[5:]
    return head.isdigit() and tail.isdigit() and (int(head) + 1) % 100 == int(tail)


@transaction.atomic
def fee_schedule_set(
    *,
    programme: Programme,
    academic_year: str,
    track: str,
    tuition: Any,
    deposit: Any,
    application_fee: Any,
    cvec: Any,
    third_party_pays: bool = False,
    provenance: str = "",
    actor: Any = None,
) -> tuple[FeeSchedule, bool]:
    """Create or update the fee schedule of a programme for an academic year and track;
    writes nothing when it already holds these values."""
    if not academic_year_valid(academic_year):
        raise DomainError(
            _("The academic year must read like 2025-26 (got %(value)s).")
            % {"value": academic_year},
            code="academic_year",
        )
    if track not in Track.values:
        raise DomainError(_("Unknown track %(track)s.") % {"track": track}, code="track")
    amounts: dict[str, Decimal] = {}
    for name, raw in (
        ("tuition", tuition),
        ("deposit", deposit),
        ("application_fee", application_fee),
        ("cvec", cvec),
    ):
        value = _decimal(raw, field=name)
        try:
            amounts[name] = rules.validate_amount(value, name=name)
        except rules.FeeError as exc:
            raise DomainError(fee_error_message(exc, field=name), code=exc.code) from exc
    try:
        rules.validate_schedule(
            rules.FeeScheduleFacts(
                academic_year=academic_year,
                track=rules.FeeTrack(track),
                tuition=amounts["tuition"],
                deposit=amounts["deposit"],
                application_fee=amounts["application_fee"],
                cvec=amounts["cvec"],
            )
        )
    except rules.FeeError as exc:
        raise DomainError(fee_error_message(exc, field=""), code=exc.code) from exc
    values: dict[str, Any] = {
        **amounts,
        "third_party_pays": third_party_pays,
        "provenance": provenance,
    }
    schedule = FeeSchedule.objects.filter(
        programme=programme, academic_year=academic_year, track=track
    ).first()
    if schedule is not None and all(getattr(schedule, k) == v for k, v in values.items()):
        return schedule, False
    if schedule is None:
        schedule = FeeSchedule(programme=programme, academic_year=academic_year, track=track)
    for k, v in values.items():
        setattr(schedule, k, v)
    schedule.full_clean()
    schedule.save()
    audit_record(
        action="fee_schedule_set",
        actor=actor,
        target=schedule,
        summary=str(schedule),
        data={k: str(v) for k, v in values.items()},
    )
    return schedule, True


def schedule_facts(schedule: FeeSchedule) -> rules.FeeScheduleFacts:
    """The pure facts of a stored schedule, for ``rules.compute_fees``."""
    return rules.FeeScheduleFacts(
        academic_year=schedule.academic_year,
        track=rules.FeeTrack(schedule.track),
        tuition=schedule.tuition,
        deposit=schedule.deposit,
        application_fee=schedule.application_fee,
        cvec=schedule.cvec,
    )


# --- Invoices and payments (issue 4 point 8) -----------------------------------------------------


def _invoice_errors() -> dict[str, str]:
    return {
        "not_a_number": _("The amount is not a number."),
        "not_positive": _("The amount must be above zero."),
        "too_many_decimals": _("The amount has more than two decimals."),
        "over_balance": _(
            "The amount exceeds what is still owed on this invoice; confirm the overpayment to "
            "record it anyway."
        ),
        "instalment_count": _("An invoice needs at least one instalment."),
        "instalment_interval": _("The months between instalments cannot be negative."),
        "payer_not_allowed": _(
            "On the work-study track the tuition is paid by the employer or its OPCO, not by "
            "the learner."
        ),
    }


def _rule_error(error: rules.FeeError) -> DomainError:
    message = _invoice_errors().get(error.code) or fee_error_message(error, field="")
    return DomainError(message, code=error.code)


def _schedule_for(*, programme: Programme, academic_year: str, track: str) -> FeeSchedule:
    schedule = FeeSchedule.objects.filter(
        programme=programme, academic_year=academic_year, track=track
    ).first()
    if schedule is None:
        raise DomainError(
            _(
                "No fee schedule for %(programme)s in %(year)s on the %(track)s track: "
                "record it before invoicing."
            )
            % {
                "programme": programme.code,
                "year": academic_year,
                "track": Track(track).label if track in Track.values else track,
            },
            code="no_fee_schedule",
        )
    return schedule


def _line_label(kind: rules.LineKind) -> str:
    return {
        rules.LineKind.APPLICATION_FEE: _("Application fee"),
        rules.LineKind.TUITION: _("Tuition"),
        rules.LineKind.DEPOSIT: _("Booking deposit"),
        rules.LineKind.CVEC: _("CVEC"),
    }[kind]


def _next_number(issued_on: date) -> str:
    """The next invoice number of the year, without gaps: CAP-2026-00001."""
    counter, _created = InvoiceCounter.objects.select_for_update().get_or_create(
        year=issued_on.year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"CAP-{issued_on.year}-{counter.last:05d}"


def _invoice_create(
    *,
    kind: rules.InvoiceKind,
    lines: tuple[rules.InvoiceLineFacts, ...],
    customer: Any,
    campus: Any,
    academic_year: str,
    payer_kind: rules.Payer,
    payer_name: str,
    issued_on: date,
    instalment_count: int,
    first_due: date,
    every_months: int,
    actor: Any,
    application: Any = None,
    enrolment: Any = None,
) -> Invoice:
    total = sum((line.amount for line in lines), Decimal("0.00"))
    try:
        plan = rules.instalments(total, instalment_count, first_due, every_months)
    except rules.FeeError as error:
        raise _rule_error(error) from error
    if not rules.invoice_can_transition(rules.InvoiceStatus.DRAFT, rules.InvoiceStatus.ISSUED):
        raise DomainError(_("This invoice cannot be issued."), code="transition")
    extra: dict[str, Any] = {}
    if enrolment is not None:
        extra["enrolment"] = enrolment
    invoice = Invoice.objects.create(
        number=_next_number(issued_on),
        kind=kind.value,
        application=application,
        customer=customer,
        campus=campus,
        academic_year=academic_year,
        payer_kind=payer_kind.value,
        payer_name=payer_name[:200],
        issued_on=issued_on,
        status=rules.InvoiceStatus.ISSUED.value,
        **extra,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=i,
            kind=line.kind.value,
            label=_line_label(line.kind),
            amount=line.amount,
        )
        for i, line in enumerate(lines)
    )
    Instalment.objects.bulk_create(
        Instalment(invoice=invoice, position=i, due_on=due, amount=amount)
        for i, (due, amount) in enumerate(plan)
    )
    audit_record(
        action="invoice_create",
        actor=actor,
        target=invoice,
        summary=f"{invoice.number} {kind.value} {total} {payer_kind.value}",
        data={
            "kind": kind.value,
            "total": str(total),
            "payer_kind": payer_kind.value,
            "instalments": [[d.isoformat(), str(a)] for d, a in plan],
        },
    )
    return invoice


def _quote(schedule: FeeSchedule, payer: rules.Payer) -> rules.FeeQuote:
    try:
        return rules.compute_fees(schedule_facts(schedule), payer=payer)
    except rules.FeeError as error:
        raise _rule_error(error) from error


@transaction.atomic
def invoice_create_for_application_fee(
    *, application: Any, actor: Any, issued_on: date | None = None
) -> Invoice:
    """The candidate's application-fee invoice, from the fee schedule of the edition's academic
    year and the application's track; due at once. One per application (a cancelled one can be
    replaced)."""
    if (
        Invoice.objects.filter(
            application=application, kind=rules.InvoiceKind.APPLICATION_FEE.value
        )
        .exclude(status=rules.InvoiceStatus.CANCELLED.value)
        .exists()
    ):
        raise DomainError(
            _("This application already has an application-fee invoice."), code="duplicate"
        )
    edition = application.edition
    schedule = _schedule_for(
        programme=edition.programme, academic_year=edition.code, track=application.track
    )
    quote = _quote(
        schedule, rules.Payer.LEARNER if application.track != "work_study" else rules.Payer.EMPLOYER
    )
    lines = rules.application_fee_lines(quote)
    day = issued_on or timezone.localdate()
    candidate = application.candidate
    return _invoice_create(
        kind=rules.InvoiceKind.APPLICATION_FEE,
        lines=lines,
        customer=candidate,
        campus=application.campus,
        academic_year=edition.code,
        payer_kind=rules.Payer.LEARNER,
        payer_name=candidate.get_full_name() or candidate.email,
        issued_on=day,
        instalment_count=1,
        first_due=day,
        every_months=1,
        actor=actor,
        application=application,
    )


def _work_study_payer(enrolment: Any) -> tuple[rules.Payer, str]:
    """The payer of a work-study tuition: the contract's OPCO when it names one, else the
    employer. The contract may hang on the MSc 1 enrolment an MSc 2 one continues."""

    ids = [enrolment.pk] + ([enrolment.previous_id] if enrolment.previous_id else [])
    contract = (
        Contract.objects.filter(enrolment_id__in=ids, terminated_on__isnull=True)
        .order_by("-start_date")
        .first()
    )
    if contract is None:
        raise DomainError(
            _(
                "This work-study enrolment has no current contract: record the contract before "
                "invoicing the employer or its OPCO."
            ),
            code="no_contract",
        )
    if contract.opco_name:
        return rules.Payer.OPCO, contract.opco_name
    return rules.Payer.EMPLOYER, contract.employer_name


@transaction.atomic
def invoice_create_for_enrolment(
    *,
    enrolment: Any,
    actor: Any,
    instalment_count: int = 3,
    first_due: date | None = None,
    every_months: int = 3,
    issued_on: date | None = None,
) -> list[Invoice]:
    """The invoices of an enrolment, from the fee schedule of its edition's academic year and
    track (SPEC §8):

    - initial track: the booking deposit (due at once) and the tuition with the deposit
      deducted, in ``instalment_count`` instalments every ``every_months`` months from
      ``first_due`` (by default the edition's start); the learner pays;
    - work-study: the whole tuition, billed to the contract's OPCO (or the employer when the
      contract names no OPCO), in instalments; the learner owes nothing.

    One set per enrolment: a second call is refused unless the first invoices were cancelled."""
    if (
        Invoice.objects.filter(enrolment=enrolment)
        .exclude(status=rules.InvoiceStatus.CANCELLED.value)
        .exists()
    ):
        raise DomainError(_("This enrolment is already invoiced."), code="duplicate")
    edition = enrolment.edition
    schedule = _schedule_for(
        programme=edition.programme, academic_year=edition.code, track=enrolment.track
    )
    user = enrolment.learner.user
    if enrolment.track == Track.WORK_STUDY:
        payer, payer_name = _work_study_payer(enrolment)
    else:
        payer, payer_name = rules.Payer.LEARNER, user.get_full_name() or user.email
    quote = _quote(schedule, payer)
    day = issued_on or timezone.localdate()
    common: dict[str, Any] = {
        "customer": user,
        "campus": enrolment.campus,
        "academic_year": edition.code,
        "payer_kind": payer,
        "payer_name": payer_name,
        "issued_on": day,
        "actor": actor,
        "enrolment": enrolment,
        "application": enrolment.application,
    }
    invoices = []
    deposit = rules.deposit_lines(quote)
    if deposit:
        invoices.append(
            _invoice_create(
                kind=rules.InvoiceKind.DEPOSIT,
                lines=deposit,
                instalment_count=1,
                first_due=day,
                every_months=1,
                **common,
            )
        )
    invoices.append(
        _invoice_create(
            kind=rules.InvoiceKind.TUITION,
            lines=rules.tuition_lines(quote),
            instalment_count=instalment_count,
            first_due=first_due or max(edition.start_date, day),
            every_months=every_months,
            **common,
        )
    )
    return invoices


def _invoice_for_update(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def invoice_balance(invoice: Invoice) -> Decimal:
    """What is still owed on an invoice (two queries)."""
    lines = invoice.lines.values_list("amount", flat=True)
    payments = invoice.payments.values_list("amount", flat=True)
    return rules.balance(lines, payments)


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
        action="payment_record",
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


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, reason: str, actor: Any) -> Invoice:
    """Cancel an invoice with a reason. An invoice with payments cannot be cancelled (a refund
    is not modelled): the table says which statuses may be cancelled."""
    invoice = _invoice_for_update(invoice)
    reason = clean_text(reason)
    if not reason:
        raise DomainError(_("Say why the invoice is cancelled."), code="reason")
    if not rules.invoice_can_transition(
        rules.InvoiceStatus(invoice.status), rules.InvoiceStatus.CANCELLED
    ):
        raise DomainError(
            _("A %(status)s invoice cannot be cancelled.")
            % {"status": invoice.get_status_display()},
            code="transition",
        )
    if invoice.payments.exists():
        raise DomainError(
            _("This invoice has payments: it cannot be cancelled."), code="has_payments"
        )
    previous = invoice.status
    invoice.status = rules.InvoiceStatus.CANCELLED.value
    invoice.cancelled_on = timezone.localdate()
    invoice.cancel_reason = reason
    invoice.save(update_fields=["status", "cancelled_on", "cancel_reason", "updated_at"])
    audit_record(
        action="invoice_cancel",
        actor=actor,
        target=invoice,
        summary=f"{invoice.number}: {reason}",
        data={"from": previous, "reason": reason},
    )
    return invoice
