"""Writes on fee schedules (SPEC §8). Amounts are validated by ``finance.rules`` (Decimal, not
negative, at most two decimals, deposit within tuition): bad input raises a translated
``DomainError`` and nothing is saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.admissions import services as admissions_services
from capitalis.admissions.models import Application
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import Job, audit_record
from capitalis.core.services import job_start
from capitalis.core.text import clean_text
from capitalis.enrolment.models import Contract, Enrolment, EnrolmentTransition
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
        action=Action.FEE_SCHEDULE_SET,
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
    plan: tuple[tuple[date, Decimal], ...] = ()
    if kind is not rules.InvoiceKind.CREDIT_NOTE:
        try:
            plan = rules.instalments(total, instalment_count, first_due, every_months)
        except rules.FeeError as error:
            raise _rule_error(error) from error
    if not rules.invoice_can_transition(rules.InvoiceStatus.DRAFT, rules.InvoiceStatus.ISSUED):
        raise DomainError(_("This invoice cannot be issued."), code="transition")
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
        return existing
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


# --- the accounting export, as a background job (issue 13 point 10) ---------------------------


def export_job_key(*, actor: Any, date_from: date | None, date_to: date | None) -> str:
    """The idempotency key of one person's export of one period: asked again while it is being
    prepared, the same job answers."""
    period = (
        f"{date_from.isoformat() if date_from else ''}:{date_to.isoformat() if date_to else ''}"
    )
    return f"finance-export:{actor.pk}:{period}"


def export_start(*, actor: Any, date_from: date | None, date_to: date | None) -> Job:
    """Prepare the accounting journal (every invoice line and payment the finance person may
    read, over the period; the whole school for a school-wide role) as a CSV, in a background
    job: its page offers the file, which only she may download."""
    from capitalis.finance.tasks import export_job

    if not permissions.can(actor, "manage", "invoice").ok:
        raise DomainError(
            _("Only finance staff may export the accounting journal."), code="not_authorised"
        )
    if date_from and date_to and date_from > date_to:
        raise DomainError(_("The start of the period is after its end."), code="period")
    return job_start(
        kind="finance.export",
        key=export_job_key(actor=actor, date_from=date_from, date_to=date_to),
        user=actor,
        task=export_job,
        args=[
            date_from.isoformat() if date_from else "",
            date_to.isoformat() if date_to else "",
        ],
        title=_("Accounting export (%(start)s – %(end)s)")
        % {
            "start": date_from.isoformat() if date_from else _("the start"),
            "end": date_to.isoformat() if date_to else _("today"),
        },
    )
