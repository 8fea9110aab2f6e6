"""Reads on fees (SPEC §8): the fee schedules of a programme, and the fee quote of an
enrolment (academic year, track, payer) computed by the pure ``rules.compute_fees`` from the
stored schedule, with its lines, reasons and payers in the request's language."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from capitalis.accounts import permissions
from capitalis.core import clock
from capitalis.core.exceptions import DomainError
from capitalis.finance import rules
from capitalis.finance.models import (
    PAYER_KIND_LABELS,
    FeeSchedule,
    Instalment,
    Invoice,
    InvoiceLine,
    Payment,
)

PAYER_LABELS = {
    rules.Payer.LEARNER: gettext_lazy("the learner"),
    rules.Payer.EMPLOYER: gettext_lazy("the employer"),
    rules.Payer.OPCO: gettext_lazy("the employer's OPCO"),
}
LINE_LABELS = {
    rules.LineKind.APPLICATION_FEE: gettext_lazy("Application fee"),
    rules.LineKind.TUITION: gettext_lazy("Tuition"),
    rules.LineKind.DEPOSIT: gettext_lazy("Booking deposit (deducted)"),
    rules.LineKind.CVEC: gettext_lazy("CVEC (paid to the State, recorded only)"),
}
LINE_NOTES = {
    rules.LineKind.APPLICATION_FEE: gettext_lazy("Paid by the candidate when applying."),
    rules.LineKind.DEPOSIT: gettext_lazy("Paid first, then deducted from the tuition."),
    rules.LineKind.CVEC: gettext_lazy(
        "Paid by the learner to the State; the school only records the proof."
    ),
}
ERRORS = {
    "not_a_number": gettext_lazy("An amount of this fee schedule is not a number."),
    "negative": gettext_lazy("An amount of this fee schedule is negative."),
    "too_many_decimals": gettext_lazy("An amount of this fee schedule has more than two decimals."),
    "deposit_over_tuition": gettext_lazy("The deposit of this fee schedule exceeds its tuition."),
    "payer_not_allowed": gettext_lazy(
        "On the work-study track the tuition is paid by the employer or its OPCO, not by the "
        "learner."
    ),
}


def fee_schedule_list(
    *, programme_code: str | None = None, academic_year: str | None = None
) -> QuerySet[FeeSchedule]:
    """Fee schedules per programme, academic year and track (one query)."""
    qs = FeeSchedule.objects.select_related("programme")
    if programme_code is not None:
        qs = qs.filter(programme__code=programme_code)
    if academic_year is not None:
        qs = qs.filter(academic_year=academic_year)
    return qs.order_by("programme__code", "academic_year", "track")


def schedule_facts(schedule: FeeSchedule) -> rules.FeeScheduleFacts:
    """The pure facts of a stored schedule."""
    return rules.FeeScheduleFacts(
        academic_year=schedule.academic_year,
        track=rules.FeeTrack(schedule.track),
        tuition=schedule.tuition,
        deposit=schedule.deposit,
        application_fee=schedule.application_fee,
        cvec=schedule.cvec,
    )


def default_payer(track: str) -> rules.Payer:
    """Who pays the tuition unless told otherwise: the employer on work-study, else the
    learner (SPEC §8)."""
    return rules.Payer.EMPLOYER if track == rules.FeeTrack.WORK_STUDY else rules.Payer.LEARNER


@dataclass(frozen=True)
class QuoteLine:
    kind: str
    label: str
    amount: Decimal
    payer: str
    payer_label: str
    billed: bool
    note: str


@dataclass(frozen=True)
class QuoteView:
    """A computed quote, every text in the request's language."""

    programme_code: str
    academic_year: str
    track: str
    payer: str
    payer_label: str
    lines: tuple[QuoteLine, ...]
    total: Decimal
    deposit: Decimal
    learner_remainder: Decimal
    reasons: tuple[str, ...]


def _reasons(quote: rules.FeeQuote, *, track: rules.FeeTrack, payer: rules.Payer) -> list[str]:
    """The rules' reasons, said again in the request's language."""
    payer_label = str(PAYER_LABELS[payer])
    reasons: list[str] = []
    if track is rules.FeeTrack.WORK_STUDY:
        reasons.append(
            _("Work-study: the tuition is paid by %(payer)s; the learner owes nothing.")
            % {"payer": payer_label}
        )
    else:
        if payer is not rules.Payer.LEARNER:
            reasons.append(
                _("Initial track: the tuition is paid by %(payer)s for the learner.")
                % {"payer": payer_label}
            )
        if quote.deposit:
            reasons.append(
                _("A booking deposit of %(amount)s € is paid first and deducted from the tuition.")
                % {"amount": number_format(quote.deposit, 2)}
            )
    return reasons


def fee_quote(
    *, programme_code: str, academic_year: str, track: str, payer: str | None = None
) -> QuoteView:
    """The fees of an enrolment: lines, tuition total, deposit and what the learner still owes,
    with the reasons (SPEC §8). Raises DomainError (translated) when no schedule exists for
    this programme, year and track, when the payer or track is unknown, or when the schedule
    cannot be computed."""
    try:
        fee_track = rules.FeeTrack(track)
    except ValueError:
        raise DomainError(_("Unknown track: %(track)s.") % {"track": track}, code="track") from None
    try:
        fee_payer = rules.Payer(payer) if payer else default_payer(fee_track)
    except ValueError:
        raise DomainError(_("Unknown payer: %(payer)s.") % {"payer": payer}, code="payer") from None
    schedule = (
        fee_schedule_list(programme_code=programme_code, academic_year=academic_year)
        .filter(track=fee_track.value)
        .first()
    )
    if schedule is None:
        raise DomainError(
            _("No fee schedule for %(programme)s in %(year)s on this track.")
            % {"programme": programme_code, "year": academic_year},
            code="not_found",
        )
    try:
        quote = rules.compute_fees(schedule_facts(schedule), payer=fee_payer)
    except rules.FeeError as error:
        raise DomainError(str(ERRORS.get(error.code, error)), code=error.code) from error
    lines = tuple(
        QuoteLine(
            kind=line.kind.value,
            label=str(LINE_LABELS[line.kind]),
            amount=line.amount,
            payer=line.payer.value,
            payer_label=str(PAYER_LABELS[line.payer]),
            billed=line.billed,
            note=str(LINE_NOTES.get(line.kind, "")),
        )
        for line in quote.lines
    )
    return QuoteView(
        programme_code=programme_code,
        academic_year=schedule.academic_year,
        track=fee_track.value,
        payer=fee_payer.value,
        payer_label=str(PAYER_LABELS[fee_payer]),
        lines=lines,
        total=quote.total,
        deposit=quote.deposit,
        learner_remainder=quote.learner_remainder,
        reasons=tuple(_reasons(quote, track=fee_track, payer=fee_payer)),
    )


@dataclass(frozen=True)
class EditionSchedule:
    """Which fee schedule an edition pays on a track it offers, and why (translated)."""

    programme_code: str
    edition_code: str
    edition_year: str
    track: str
    track_label: str
    schedule_year: str | None
    exact: bool
    reason: str


def edition_schedules(*, programme_ids: list[int] | None = None) -> list[EditionSchedule]:
    """For every edition and every track it offers: the fee schedule it pays by
    ``rules.schedule_year_for`` (its year's, else the latest before it), with the reason.
    Two queries."""
    from capitalis.programmes.models import Offering, Track

    offered = Offering.objects.select_related("edition__programme")
    if programme_ids is not None:
        offered = offered.filter(edition__programme_id__in=programme_ids)
    pairs = sorted(
        {
            (
                o.edition.programme_id,
                o.edition.programme.code,
                o.edition.code,
                o.edition.start_date,
                o.track,
            )
            for o in offered
        },
        key=lambda p: (p[1], p[3], p[4]),
    )
    years: dict[tuple[int, str], list[str]] = {}
    for programme_id, track, year in FeeSchedule.objects.values_list(
        "programme_id", "track", "academic_year"
    ):
        years.setdefault((programme_id, track), []).append(year)
    result = []
    for programme_id, programme_code, code, start, track in pairs:
        edition_year = rules.academic_year_of(code, start)
        choice = rules.schedule_year_for(edition_year, years.get((programme_id, track), []))
        if choice.year is None:
            reason = _("No fee schedule for %(year)s or before: record one.") % {
                "year": edition_year
            }
        elif choice.exact:
            reason = _("The %(year)s fee schedule.") % {"year": choice.year}
        else:
            reason = _(
                "No fee schedule published for %(year)s: the latest before it (%(chosen)s) "
                "applies, the fees in force when the edition opened."
            ) % {"year": edition_year, "chosen": choice.year}
        result.append(
            EditionSchedule(
                programme_code=programme_code,
                edition_code=code,
                edition_year=edition_year,
                track=track,
                track_label=str(Track(track).label) if track in Track.values else track,
                schedule_year=choice.year,
                exact=choice.exact,
                reason=reason,
            )
        )
    return result


# --- Invoices, payments, balances, export (issue 4 point 8) --------------------------------------


def _sum_of(model: type[InvoiceLine] | type[Payment]) -> Subquery:
    """The total ``amount`` of an invoice's lines or payments, as a subquery (no row
    multiplication when both are summed)."""
    rows = (
        model._default_manager.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(rows, output_field=models.DecimalField(max_digits=12, decimal_places=2))


_MONEY = models.DecimalField(max_digits=12, decimal_places=2)


def _credited_sum() -> Subquery:
    """The total of the (negative) lines of the live credit notes of an invoice."""
    rows = (
        InvoiceLine.objects.filter(
            invoice__credits=OuterRef("pk"),
            invoice__status__in=[rules.InvoiceStatus.ISSUED.value, rules.InvoiceStatus.PAID.value],
        )
        .order_by()
        .values("invoice__credits")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(rows, output_field=_MONEY)


def _fallen_due_sum(today: date) -> Subquery:
    """What has fallen due on an invoice by ``today`` (its instalments due that day or before)."""
    rows = (
        Instalment.objects.filter(invoice=OuterRef("pk"), due_on__lte=today)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(rows, output_field=_MONEY)


def _with_totals(qs: QuerySet[Invoice], today: date | None = None) -> QuerySet[Invoice]:
    """Each invoice with ``total`` (its lines), ``credited`` (its credit notes, negative),
    ``paid``, ``owed`` (total + credited - paid), ``fallen_due`` (instalments due by today)
    and ``late`` (``rules.late_amount``: what fell due, at most what is payable after credit,
    less what was paid). A credit note owes nothing and is never late; a cancelled invoice is
    never late. Subqueries: one query for the whole list."""
    today = today or clock.today()
    zero = Value(Decimal("0.00"), output_field=_MONEY)
    inert = Q(kind=rules.InvoiceKind.CREDIT_NOTE.value) | Q(
        status=rules.InvoiceStatus.CANCELLED.value
    )
    return (
        qs.annotate(
            total=Coalesce(_sum_of(InvoiceLine), zero),
            paid=Coalesce(_sum_of(Payment), zero),
            credited=Coalesce(_credited_sum(), zero),
            fallen_due=Coalesce(_fallen_due_sum(today), zero),
        )
        .annotate(
            payable=ExpressionWrapper(F("total") + F("credited"), output_field=_MONEY),
        )
        .annotate(
            owed=Case(
                When(kind=rules.InvoiceKind.CREDIT_NOTE.value, then=zero),
                default=ExpressionWrapper(F("payable") - F("paid"), output_field=_MONEY),
                output_field=_MONEY,
            ),
            late=Case(
                When(inert, then=zero),
                default=Greatest(
                    ExpressionWrapper(
                        Least(F("fallen_due"), F("payable")) - F("paid"), output_field=_MONEY
                    ),
                    zero,
                    output_field=_MONEY,
                ),
                output_field=_MONEY,
            ),
        )
    )


def finance_scope(*, user: Any) -> Q | None:
    """Which invoices ``user`` may read, as a filter; None when nobody is signed in. The rules
    (finance staff: every invoice or their campus's; everyone else: the invoices that concern
    her) are the "invoice" entry of accounts.permissions.TABLE."""
    if not getattr(user, "is_authenticated", False):
        return None
    return permissions.visible(user, "invoice")


def invoice_list_for(
    *,
    user: Any,
    status: str | None = None,
    payer_kind: str | None = None,
    campus_id: int | None = None,
    academic_year: str | None = None,
    kind: str | None = None,
    late_only: bool = False,
    today: date | None = None,
) -> QuerySet[Invoice]:
    """The invoices ``user`` may read, with ``total``, ``credited``, ``paid``, ``owed``,
    ``fallen_due`` and ``late`` (one query); ``late_only``: those with something late."""
    scope = finance_scope(user=user)
    if scope is None:
        return Invoice.objects.none()
    qs = Invoice.objects.filter(scope).select_related("campus", "customer")
    if status:
        qs = qs.filter(status=status)
    if payer_kind:
        qs = qs.filter(payer_kind=payer_kind)
    if campus_id:
        qs = qs.filter(campus_id=campus_id)
    if academic_year:
        qs = qs.filter(academic_year=academic_year)
    if kind:
        qs = qs.filter(kind=kind)
    qs = _with_totals(qs, today)
    if late_only:
        qs = qs.filter(Q(late__gt=0))
    return qs.order_by("-issued_on", "-number")


def invoice_get_for(*, user: Any, pk: int) -> Invoice:
    """One invoice ``user`` may read, with its totals, lines, instalments and payments
    (four queries). Raises Invoice.DoesNotExist otherwise (the views answer 404)."""
    return (
        invoice_list_for(user=user)
        .select_related("credits")
        .prefetch_related("lines", "instalments", "payments", "credit_notes")
        .get(pk=pk)
    )


@dataclass(frozen=True)
class PayerBalance:
    payer_kind: str
    payer_label: str
    invoices: int
    total: Decimal
    credited: Decimal
    paid: Decimal
    owed: Decimal
    fallen_due: Decimal
    late: Decimal


def balances_per_payer(invoices: QuerySet[Invoice]) -> list[PayerBalance]:
    """Totals per payer kind over ``invoices`` (from ``invoice_list_for``), then a last row
    (payer kind ``""``) for all payers: invoiced, credited, paid, still owed, fallen due and
    late. Cancelled invoices and credit notes (counted in ``credited``) are left out. One
    query."""
    rows = (
        invoices.exclude(status=rules.InvoiceStatus.CANCELLED.value)
        .exclude(kind=rules.InvoiceKind.CREDIT_NOTE.value)
        .order_by()
        .values("payer_kind")
        .annotate(
            n=Count("pk"),
            sum_total=Sum("total"),
            sum_credited=Sum("credited"),
            sum_paid=Sum("paid"),
            sum_owed=Sum("owed"),
            sum_due=Sum("fallen_due"),
            sum_late=Sum("late"),
        )
        .order_by("payer_kind")
    )
    zero = Decimal("0.00")
    result = []
    for row in rows:
        kind = rules.Payer(row["payer_kind"])
        result.append(
            PayerBalance(
                payer_kind=kind.value,
                payer_label=str(PAYER_KIND_LABELS[kind]),
                invoices=row["n"],
                total=row["sum_total"] or zero,
                credited=row["sum_credited"] or zero,
                paid=row["sum_paid"] or zero,
                owed=row["sum_owed"] or zero,
                fallen_due=row["sum_due"] or zero,
                late=row["sum_late"] or zero,
            )
        )
    if len(result) > 1:
        result.append(
            PayerBalance(
                payer_kind="",
                payer_label=_("all payers"),
                invoices=sum(r.invoices for r in result),
                total=sum((r.total for r in result), zero),
                credited=sum((r.credited for r in result), zero),
                paid=sum((r.paid for r in result), zero),
                owed=sum((r.owed for r in result), zero),
                fallen_due=sum((r.fallen_due for r in result), zero),
                late=sum((r.late for r in result), zero),
            )
        )
    return result


def payment_list_for(*, user: Any) -> QuerySet[Payment]:
    """The payments ``user`` may read (those of the invoices she may read), one query."""
    scope = finance_scope(user=user)
    if scope is None:
        return Payment.objects.none()
    invoices = Invoice.objects.filter(scope).values("pk")
    return (
        Payment.objects.filter(invoice__in=invoices)
        .select_related("invoice")
        .order_by("-paid_on", "-id")
    )


EXPORT_COLUMNS = (
    "date",
    "entry",
    "invoice",
    "invoice_kind",
    "invoice_status",
    "academic_year",
    "campus",
    "payer_kind",
    "payer_name",
    "line_kind",
    "label",
    "amount",
    "method",
    "reference",
)


def export_rows(*, user: Any, date_from: date | None, date_to: date | None) -> Iterator[list[str]]:
    """The accounting journal for finance staff, one row per invoice line (entry "line", dated
    the invoice's issue date, the amount owed: positive, the deducted deposit negative) and one
    row per payment (entry "payment", dated the day it was paid, the amount received).
    Cancelled invoices' lines are left out. Amounts use a dot and two decimals (1234.50), dates
    ISO 8601. Two queries whatever the number of rows."""
    scope = finance_scope(user=user) if permissions.can(user, "manage", "invoice").ok else None
    if scope is None:
        return
    invoices = Invoice.objects.filter(scope)
    lines = InvoiceLine.objects.filter(invoice__in=invoices.values("pk")).exclude(
        invoice__status=rules.InvoiceStatus.CANCELLED.value
    )
    payments = Payment.objects.filter(invoice__in=invoices.values("pk"))
    if date_from:
        lines = lines.filter(invoice__issued_on__gte=date_from)
        payments = payments.filter(paid_on__gte=date_from)
    if date_to:
        lines = lines.filter(invoice__issued_on__lte=date_to)
        payments = payments.filter(paid_on__lte=date_to)
    rows: list[tuple[date, int, str, int, list[str]]] = []
    for line in lines.select_related("invoice__campus"):
        inv = line.invoice
        rows.append(
            (
                inv.issued_on,
                0,
                inv.number,
                line.position,
                [
                    inv.issued_on.isoformat(),
                    "line",
                    inv.number,
                    inv.kind,
                    inv.status,
                    inv.academic_year,
                    inv.campus.code,
                    inv.payer_kind,
                    inv.payer_name,
                    line.kind,
                    line.label,
                    f"{line.amount:.2f}",
                    "",
                    "",
                ],
            )
        )
    for payment in payments.select_related("invoice__campus"):
        inv = payment.invoice
        rows.append(
            (
                payment.paid_on,
                1,
                inv.number,
                payment.pk,
                [
                    payment.paid_on.isoformat(),
                    "payment",
                    inv.number,
                    inv.kind,
                    inv.status,
                    inv.academic_year,
                    inv.campus.code,
                    inv.payer_kind,
                    inv.payer_name,
                    "",
                    str(payment.get_method_display()),
                    f"{payment.amount:.2f}",
                    payment.method,
                    payment.reference,
                ],
            )
        )
    rows.sort(key=lambda r: r[:4])
    for row in rows:
        yield row[4]
