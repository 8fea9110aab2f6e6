"""Invoices (issue 4 point 8): created for an application fee or an enrolment from the
edition's fee schedule, numbered without gaps, credited on a withdrawal, cancelled with a
reason; the balance still owed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.core.text import clean_text
from capitalis.enrolment.models import Contract, EnrolmentTransition
from capitalis.finance import rules
from capitalis.finance.models import FeeSchedule, Instalment, Invoice, InvoiceCounter, InvoiceLine
from capitalis.finance.services.schedules import fee_error_message, schedule_facts
from capitalis.programmes.models import Programme, Track


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


def _schedule_for(*, programme: Programme, edition: Any, track: str) -> FeeSchedule:
    """The fee schedule an edition pays on a track: its year's, else the latest before it
    (``rules.schedule_year_for``: the fees in force when the edition opened)."""
    year = rules.academic_year_of(edition.code, edition.start_date)
    schedules = {
        s.academic_year: s
        for s in FeeSchedule.objects.filter(programme=programme, track=track).select_related(
            "programme"
        )
    }
    choice = rules.schedule_year_for(year, schedules)
    if choice.year is None:
        raise DomainError(
            _(
                "No fee schedule for %(programme)s in %(year)s on the %(track)s track: "
                "record it before invoicing."
            )
            % {
                "programme": programme.code,
                "year": year,
                "track": Track(track).label if track in Track.values else track,
            },
            code="no_fee_schedule",
        )
    return schedules[choice.year]


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


def _live(source: rules.InvoiceSource, source_id: int, kind: rules.InvoiceKind) -> Invoice | None:
    """The live (not cancelled) invoice of a key, if any."""
    return (
        Invoice.objects.filter(source_kind=source.value, source_id=source_id, kind=kind.value)
        .exclude(status=rules.InvoiceStatus.CANCELLED.value)
        .first()
    )


def _ever_invoiced(
    source: rules.InvoiceSource, source_id: int, kinds: tuple[rules.InvoiceKind, ...]
) -> bool:
    """Was this key ever invoiced, even if the invoice was cancelled since?"""
    return Invoice.objects.filter(
        source_kind=source.value, source_id=source_id, kind__in=[k.value for k in kinds]
    ).exists()


def _invoice_create(
    *,
    kind: rules.InvoiceKind,
    source: rules.InvoiceSource,
    source_id: int,
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
    credits: Invoice | None = None,
    note: str = "",
) -> Invoice:
    """Issue one invoice under its key (source, source id, kind). When another transaction
    issued the same key meanwhile, the database's unique constraint refuses this one: its
    number is given back (the savepoint) and the live invoice is returned."""
    total = sum((line.amount for line in lines), Decimal("0.00"))
    plan = _instalment_plan(
        kind,
        total,
        instalment_count=instalment_count,
        first_due=first_due,
        every_months=every_months,
    )
    if not rules.invoice_can_transition(rules.InvoiceStatus.DRAFT, rules.InvoiceStatus.ISSUED):
        raise DomainError(_("This invoice cannot be issued."), code="transition")
    invoice, issued = _invoice_issue(
        kind=kind,
        source=source,
        source_id=source_id,
        issued_on=issued_on,
        application=application,
        enrolment=enrolment,
        credits=credits,
        customer=customer,
        campus=campus,
        academic_year=academic_year,
        payer_kind=payer_kind,
        payer_name=payer_name,
    )
    if not issued:
        return invoice
    _invoice_lines_write(invoice, lines=lines, plan=plan)
    audit_record(
        action=Action.INVOICE_CREATE,
        actor=actor,
        target=invoice,
        summary=f"{invoice.number} {kind.value} {total} {payer_kind.value}",
        data={
            "kind": kind.value,
            "source": [source.value, source_id],
            "total": str(total),
            "payer_kind": payer_kind.value,
            "instalments": [[d.isoformat(), str(a)] for d, a in plan],
            "note": note,
        },
    )
    return invoice


def _instalment_plan(
    kind: rules.InvoiceKind,
    total: Decimal,
    *,
    instalment_count: int,
    first_due: date,
    every_months: int,
) -> tuple[tuple[date, Decimal], ...]:
    """The (due date, amount) instalments of an invoice; none for a credit note."""
    if kind is rules.InvoiceKind.CREDIT_NOTE:
        return ()
    try:
        return rules.instalments(total, instalment_count, first_due, every_months)
    except rules.FeeError as error:
        raise _rule_error(error) from error


def _invoice_issue(
    *,
    kind: rules.InvoiceKind,
    source: rules.InvoiceSource,
    source_id: int,
    issued_on: date,
    application: Any,
    enrolment: Any,
    credits: Invoice | None,
    customer: Any,
    campus: Any,
    academic_year: str,
    payer_kind: rules.Payer,
    payer_name: str,
) -> tuple[Invoice, bool]:
    """The issued invoice row under its key, numbered, and True; or, when another transaction
    issued the same key meanwhile (the unique constraint refuses this one, its number is given
    back with the savepoint), the live invoice and False."""
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                number=_next_number(issued_on),
                kind=kind.value,
                source_kind=source.value,
                source_id=source_id,
                application=application,
                enrolment=enrolment,
                credits=credits,
                customer=customer,
                campus=campus,
                academic_year=academic_year,
                payer_kind=payer_kind.value,
                payer_name=payer_name[:200],
                issued_on=issued_on,
                status=rules.InvoiceStatus.ISSUED.value,
            )
    except IntegrityError:
        existing = _live(source, source_id, kind)
        if existing is None:
            raise
        return existing, False
    return invoice, True


def _invoice_lines_write(
    invoice: Invoice,
    *,
    lines: tuple[rules.InvoiceLineFacts, ...],
    plan: tuple[tuple[date, Decimal], ...],
) -> None:
    """The invoice's lines (labelled in the active language) and its instalments."""
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


def _quote(schedule: FeeSchedule, payer: rules.Payer) -> rules.FeeQuote:
    try:
        return rules.compute_fees(schedule_facts(schedule), payer=payer)
    except rules.FeeError as error:
        raise _rule_error(error) from error


def _edition_year(edition: Any) -> str:
    return rules.academic_year_of(edition.code, edition.start_date)


@transaction.atomic
def invoice_create_for_application_fee(
    *, application: Any, actor: Any, issued_on: date | None = None
) -> Invoice:
    """The candidate's application-fee invoice (80 €, SPEC §8), from the fee schedule of the
    edition's academic year (``rules.schedule_year_for``) and the application's track; due at
    once; the candidate pays it on either track.

    Exactly once: when the application already has a live application-fee invoice, that one is
    returned and nothing is written (the key is unique in the database). A cancelled one is
    replaced: finance staff calling this after a cancellation mean to re-invoice."""
    existing = _live(
        rules.InvoiceSource.APPLICATION, application.pk, rules.InvoiceKind.APPLICATION_FEE
    )
    if existing is not None:
        return existing
    edition = application.edition
    schedule = _schedule_for(programme=edition.programme, edition=edition, track=application.track)
    quote = _quote(
        schedule, rules.Payer.LEARNER if application.track != "work_study" else rules.Payer.EMPLOYER
    )
    lines = rules.application_fee_lines(quote)
    day = issued_on or clock.today()
    candidate = application.candidate
    return _invoice_create(
        kind=rules.InvoiceKind.APPLICATION_FEE,
        source=rules.InvoiceSource.APPLICATION,
        source_id=application.pk,
        lines=lines,
        customer=candidate,
        campus=application.campus,
        academic_year=_edition_year(edition),
        payer_kind=rules.Payer.LEARNER,
        payer_name=candidate.get_full_name() or candidate.email,
        issued_on=day,
        instalment_count=1,
        first_due=day,
        every_months=1,
        actor=actor,
        application=application,
        note=f"fee schedule {schedule.academic_year}",
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
    """The invoices of an enrolment, from the fee schedule its edition pays
    (``rules.schedule_year_for``) on its track (SPEC §8):

    - initial track: the booking deposit (due at once) and the tuition with the deposit
      deducted, in ``instalment_count`` instalments every ``every_months`` months from
      ``first_due`` (by default the edition's start); the learner pays;
    - work-study: the whole tuition, billed to the contract's OPCO (or the employer when the
      contract names no OPCO), in instalments; the learner owes nothing.

    Exactly once per purpose (deposit, tuition): a live invoice already issued is returned as
    it is and nothing more is written."""
    edition = enrolment.edition
    schedule = _schedule_for(programme=edition.programme, edition=edition, track=enrolment.track)
    user = enrolment.learner.user
    if enrolment.track == Track.WORK_STUDY:
        payer, payer_name = _work_study_payer(enrolment)
    else:
        payer, payer_name = rules.Payer.LEARNER, user.get_full_name() or user.email
    quote = _quote(schedule, payer)
    day = issued_on or clock.today()
    common: dict[str, Any] = {
        "source": rules.InvoiceSource.ENROLMENT,
        "source_id": enrolment.pk,
        "customer": user,
        "campus": enrolment.campus,
        "academic_year": _edition_year(edition),
        "payer_kind": payer,
        "payer_name": payer_name,
        "issued_on": day,
        "actor": actor,
        "enrolment": enrolment,
        "application": enrolment.application,
        "note": f"fee schedule {schedule.academic_year}",
    }
    invoices = []
    deposit = rules.deposit_lines(quote)
    if deposit:
        existing = _live(rules.InvoiceSource.ENROLMENT, enrolment.pk, rules.InvoiceKind.DEPOSIT)
        invoices.append(
            existing
            or _invoice_create(
                kind=rules.InvoiceKind.DEPOSIT,
                lines=deposit,
                instalment_count=1,
                first_due=day,
                every_months=1,
                **common,
            )
        )
    existing = _live(rules.InvoiceSource.ENROLMENT, enrolment.pk, rules.InvoiceKind.TUITION)
    invoices.append(
        existing
        or _invoice_create(
            kind=rules.InvoiceKind.TUITION,
            lines=rules.tuition_lines(quote),
            instalment_count=instalment_count,
            first_due=first_due or max(edition.start_date, day),
            every_months=every_months,
            **common,
        )
    )
    return invoices


def _withdrawn_on(enrolment: Any) -> date | None:
    """The day the enrolment was withdrawn (its last move to *withdrawn*)."""
    moved = (
        EnrolmentTransition.objects.filter(enrolment=enrolment, to_status="withdrawn")
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localdate(moved) if moved is not None else None


def _paid(invoice: Invoice) -> Decimal:
    return sum(invoice.payments.values_list("amount", flat=True), Decimal("0.00"))


@transaction.atomic
def invoice_credit_for_withdrawal(*, enrolment: Any, actor: Any) -> list[Invoice]:
    """The credit notes of a withdrawn enrolment: one per live deposit or tuition invoice that
    has something to credit, by ``rules.withdrawal_credit`` — what falls due after the day of
    the withdrawal is credited, less what was already paid ahead; what fell due by then (the
    booking deposit included) stays owed, and money received is kept (no refund modelled).

    A credit note is an invoice of kind *credit note* with negative lines, linked to the
    invoice it credits and keyed by it: each invoice is credited once; a second call returns
    the existing credit notes and writes nothing. The credited invoice becomes *paid* when
    nothing remains owed on it.

    The application fee is never credited (nor when a candidate withdraws an application): it
    pays for examining the file, which was done (seed 000: "administration fee")."""
    if enrolment.status != "withdrawn":
        raise DomainError(_("Only a withdrawn enrolment gets a credit note."), code="not_withdrawn")
    withdrawn_on = _withdrawn_on(enrolment) or clock.today()
    notes: list[Invoice] = []
    credited = (
        Invoice.objects.select_for_update()
        .filter(
            source_kind=rules.InvoiceSource.ENROLMENT.value,
            source_id=enrolment.pk,
            kind__in=[rules.InvoiceKind.DEPOSIT.value, rules.InvoiceKind.TUITION.value],
        )
        .exclude(status=rules.InvoiceStatus.CANCELLED.value)
        .select_related("campus", "customer")
        .order_by("pk")
    )
    for invoice in credited:
        existing = _live(rules.InvoiceSource.INVOICE, invoice.pk, rules.InvoiceKind.CREDIT_NOTE)
        if existing is not None:
            notes.append(existing)
            continue
        plan = [(i.due_on, i.amount) for i in invoice.instalments.all()]
        credit = rules.withdrawal_credit(plan, paid=_paid(invoice), withdrawn_on=withdrawn_on)
        if not credit.amount:
            continue
        note = _invoice_create(
            kind=rules.InvoiceKind.CREDIT_NOTE,
            source=rules.InvoiceSource.INVOICE,
            source_id=invoice.pk,
            lines=(rules.InvoiceLineFacts(rules.LineKind.TUITION, -credit.amount),),
            customer=invoice.customer,
            campus=invoice.campus,
            academic_year=invoice.academic_year,
            payer_kind=rules.Payer(invoice.payer_kind),
            payer_name=invoice.payer_name,
            issued_on=clock.today(),
            instalment_count=1,
            first_due=withdrawn_on,
            every_months=1,
            actor=actor,
            application=invoice.application,
            enrolment=enrolment,
            credits=invoice,
            note="; ".join(credit.reasons),
        )
        InvoiceLine.objects.filter(invoice=note).update(
            label=_("Credit on withdrawal (invoice %(number)s)") % {"number": invoice.number}
        )
        _status_from_balance(invoice, actor=actor)
        notes.append(note)
    return notes


def _status_from_balance(invoice: Invoice, *, actor: Any) -> None:
    owed = invoice_balance(invoice)
    new = rules.status_from_balance(rules.InvoiceStatus(invoice.status), owed)
    if new.value != invoice.status:
        invoice.status = new.value
        invoice.save(update_fields=["status", "updated_at"])


def _invoice_for_update(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def invoice_balance(invoice: Invoice) -> Decimal:
    """What is still owed on an invoice: its lines and its credit notes' (negative) lines, less
    its payments (two queries)."""
    lines = InvoiceLine.objects.filter(
        Q(invoice=invoice)
        | Q(
            invoice__credits=invoice,
            invoice__status__in=[
                rules.InvoiceStatus.ISSUED.value,
                rules.InvoiceStatus.PAID.value,
            ],
        )
    ).values_list("amount", flat=True)
    payments = invoice.payments.values_list("amount", flat=True)
    return rules.balance(lines, payments)


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
    if invoice.kind == rules.InvoiceKind.CREDIT_NOTE.value or invoice.credit_notes.exists():
        raise DomainError(
            _("A credit note, or an invoice it credits, cannot be cancelled."),
            code="credited",
        )
    previous = invoice.status
    invoice.status = rules.InvoiceStatus.CANCELLED.value
    invoice.cancelled_on = clock.today()
    invoice.cancel_reason = reason
    invoice.save(update_fields=["status", "cancelled_on", "cancel_reason", "updated_at"])
    audit_record(
        action=Action.INVOICE_CANCEL,
        actor=actor,
        target=invoice,
        summary=f"{invoice.number}: {reason}",
        data={"from": previous, "reason": reason},
    )
    return invoice
