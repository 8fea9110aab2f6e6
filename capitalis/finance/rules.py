"""Fee computation, pure (SPEC §8).

Money is Decimal euros with two decimals, never float. For work-study the employer or its OPCO
pays the tuition and the learner owes nothing; on the initial track the learner pays the
tuition, the booking deposit is paid first and deducted from what remains. The application fee
is the candidate's, paid when applying. The CVEC is paid by the learner to the State and only
recorded.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

CENT = Decimal("0.01")


class Payer(enum.StrEnum):
    LEARNER = "learner"
    EMPLOYER = "employer"
    OPCO = "opco"


class FeeTrack(enum.StrEnum):
    INITIAL = "initial"
    WORK_STUDY = "work_study"


class LineKind(enum.StrEnum):
    APPLICATION_FEE = "application_fee"
    TUITION = "tuition"
    DEPOSIT = "deposit"
    CVEC = "cvec"


class FeeError(ValueError):
    """A fee schedule or a request that cannot be computed; ``code`` says which rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class FeeScheduleFacts:
    """One schedule: an academic year and a track."""

    academic_year: str
    track: FeeTrack
    tuition: Decimal
    deposit: Decimal
    application_fee: Decimal
    cvec: Decimal
    third_party_payers: frozenset[Payer] = frozenset({Payer.EMPLOYER, Payer.OPCO})


@dataclass(frozen=True)
class FeeLine:
    kind: LineKind
    amount: Decimal
    payer: Payer
    billed: bool = True
    note: str = ""


@dataclass(frozen=True)
class FeeQuote:
    """What an enrolment costs and who pays: every line, the tuition total, the deposit and
    what the learner still owes after it, with the reasons."""

    lines: tuple[FeeLine, ...]
    total: Decimal
    deposit: Decimal
    learner_remainder: Decimal
    reasons: tuple[str, ...] = field(default_factory=tuple)
    params: Mapping[str, object] = field(default_factory=dict)


def validate_amount(value: Decimal, *, name: str) -> Decimal:
    """An amount is a Decimal, not negative, with at most two decimals."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise FeeError("not_a_number", f"{name} is not a number")
    if value < 0:
        raise FeeError("negative", f"{name} is negative")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and value != value.quantize(CENT):
        raise FeeError("too_many_decimals", f"{name} has more than two decimals")
    return value.quantize(CENT)


def validate_schedule(schedule: FeeScheduleFacts) -> None:
    """A schedule's amounts are valid and its deposit does not exceed its tuition."""
    for name in ("tuition", "deposit", "application_fee", "cvec"):
        validate_amount(getattr(schedule, name), name=name)
    if schedule.deposit > schedule.tuition:
        raise FeeError("deposit_over_tuition", "the deposit exceeds the tuition")


def compute_fees(schedule: FeeScheduleFacts, *, payer: Payer) -> FeeQuote:
    """The fees of one enrolment (SPEC §8)."""
    validate_schedule(schedule)
    reasons: list[str] = []
    lines = [
        FeeLine(
            LineKind.APPLICATION_FEE,
            schedule.application_fee,
            Payer.LEARNER,
            note="paid by the candidate when applying",
        )
    ]
    if schedule.track is FeeTrack.WORK_STUDY:
        if payer not in schedule.third_party_payers:
            raise FeeError(
                "payer_not_allowed",
                "on the work-study track the tuition is paid by the employer or its OPCO",
            )
        lines.append(FeeLine(LineKind.TUITION, schedule.tuition, payer))
        reasons.append(f"work-study: tuition paid by the {payer.value}; the learner owes nothing")
        deposit = Decimal("0.00")
        remainder = Decimal("0.00")
    else:
        if payer is not Payer.LEARNER:
            reasons.append(f"initial track: tuition paid by the {payer.value} for the learner")
        lines.append(FeeLine(LineKind.TUITION, schedule.tuition, payer))
        deposit = schedule.deposit
        if deposit:
            lines.append(
                FeeLine(
                    LineKind.DEPOSIT,
                    -deposit,
                    payer,
                    note="booking deposit, paid first and deducted from the tuition",
                )
            )
            reasons.append(f"booking deposit of {deposit} deducted from the tuition")
        remainder = schedule.tuition - deposit if payer is Payer.LEARNER else Decimal("0.00")
    lines.append(
        FeeLine(
            LineKind.CVEC,
            schedule.cvec,
            Payer.LEARNER,
            billed=False,
            note="paid by the learner to the State; only the proof is recorded",
        )
    )
    return FeeQuote(
        lines=tuple(lines),
        total=schedule.tuition,
        deposit=deposit,
        learner_remainder=remainder,
        reasons=tuple(reasons),
        params={"academic_year": schedule.academic_year, "track": schedule.track.value},
    )


# --- Invoices, instalments, payments, balances (issue 4 point 8) --------------------------------


class InvoiceKind(enum.StrEnum):
    APPLICATION_FEE = "application_fee"
    DEPOSIT = "deposit"
    TUITION = "tuition"
    CREDIT_NOTE = "credit_note"


class InvoiceSource(enum.StrEnum):
    """What an invoice is issued for; with the source's id and the invoice's kind (its
    purpose) it is the invoice's unique key: each purpose is invoiced once per source."""

    APPLICATION = "application"
    ENROLMENT = "enrolment"
    INVOICE = "invoice"  # a credit note, keyed by the invoice it credits


class InvoiceStatus(enum.StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    CANCELLED = "cancelled"


# The invoice's status machine. "paid" is reached (and left, should a payment be removed) from
# the balance, never by hand; a paid invoice cannot be cancelled (a refund is not modelled).
INVOICE_TRANSITIONS: Mapping[InvoiceStatus, frozenset[InvoiceStatus]] = {
    InvoiceStatus.DRAFT: frozenset({InvoiceStatus.ISSUED, InvoiceStatus.CANCELLED}),
    InvoiceStatus.ISSUED: frozenset({InvoiceStatus.PAID, InvoiceStatus.CANCELLED}),
    InvoiceStatus.PAID: frozenset({InvoiceStatus.ISSUED}),
    InvoiceStatus.CANCELLED: frozenset(),
}


def invoice_can_transition(current: InvoiceStatus, target: InvoiceStatus) -> bool:
    """Is ``current → target`` in the invoice's transition table?"""
    return target in INVOICE_TRANSITIONS[current]


@dataclass(frozen=True)
class InvoiceLineFacts:
    kind: LineKind
    amount: Decimal


def application_fee_lines(quote: FeeQuote) -> tuple[InvoiceLineFacts, ...]:
    """The candidate's application-fee invoice: the one application-fee line of the quote."""
    return tuple(
        InvoiceLineFacts(line.kind, line.amount)
        for line in quote.lines
        if line.kind is LineKind.APPLICATION_FEE and line.billed
    )


def deposit_lines(quote: FeeQuote) -> tuple[InvoiceLineFacts, ...]:
    """The booking-deposit invoice (initial track only): the deposit, paid first."""
    if not quote.deposit:
        return ()
    return (InvoiceLineFacts(LineKind.DEPOSIT, quote.deposit),)


def tuition_lines(quote: FeeQuote) -> tuple[InvoiceLineFacts, ...]:
    """The tuition invoice: the tuition and, when a deposit was billed, the deposit deducted
    (a negative line). Its total is what remains to pay after the deposit."""
    return tuple(
        InvoiceLineFacts(line.kind, line.amount)
        for line in quote.lines
        if line.kind in (LineKind.TUITION, LineKind.DEPOSIT) and line.billed
    )


def tuition_payer(quote: FeeQuote) -> Payer:
    """Who receives the tuition invoice: the payer of the quote's tuition line."""
    for line in quote.lines:
        if line.kind is LineKind.TUITION:
            return line.payer
    raise FeeError("no_tuition", "the quote has no tuition line")


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clipped to the month's last day
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def instalments(
    total: Decimal, count: int, first_due: date, every_months: int = 1
) -> tuple[tuple[date, Decimal], ...]:
    """Split ``total`` (euros, two decimals) into ``count`` instalments due every
    ``every_months`` months from ``first_due``. Every instalment but the last is the total
    divided by the count, rounded down to the cent; the last absorbs the rounding, so the sum
    is exactly the total."""
    if count < 1:
        raise FeeError("instalment_count", "at least one instalment")
    if every_months < 0:
        raise FeeError("instalment_interval", "the interval cannot be negative")
    total = validate_amount(total, name="total")
    share = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    amounts = [share] * (count - 1) + [total - share * (count - 1)]
    return tuple(
        (add_months(first_due, i * every_months), amount) for i, amount in enumerate(amounts)
    )


def balance(line_amounts: Iterable[Decimal], payment_amounts: Iterable[Decimal]) -> Decimal:
    """What is still owed: the lines' total minus the payments (negative when overpaid)."""
    return (sum(line_amounts, Decimal("0.00")) - sum(payment_amounts, Decimal("0.00"))).quantize(
        CENT
    )


def status_from_balance(current: InvoiceStatus, owed: Decimal) -> InvoiceStatus:
    """An issued invoice with nothing owed is paid; a paid one owing again is issued again.
    Drafts and cancelled invoices keep their status."""
    if current is InvoiceStatus.ISSUED and owed <= 0:
        return InvoiceStatus.PAID
    if current is InvoiceStatus.PAID and owed > 0:
        return InvoiceStatus.ISSUED
    return current


def check_payment(amount: Decimal, *, owed: Decimal, allow_overpayment: bool = False) -> Decimal:
    """A payment is a number above zero with at most two decimals, and not above what is owed
    unless the user confirms an overpayment. Returns the amount with two decimals."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise FeeError("not_a_number", "the amount is not a number")
    if amount <= 0:
        raise FeeError("not_positive", "the amount must be above zero")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(CENT):
        raise FeeError("too_many_decimals", "the amount has more than two decimals")
    amount = amount.quantize(CENT)
    if amount > owed and not allow_overpayment:
        raise FeeError("over_balance", "the amount exceeds the balance")
    return amount


# --- Which schedule an edition pays, late amounts, credit on withdrawal -------------------------


def academic_year_of(code: str, start: date) -> str:
    """The academic year ("2024-25") of an edition: its code when it reads like one, else the
    school year its start date falls in (a year starts in August or later)."""
    if (
        len(code) == 7
        and code[4] == "-"
        and code[:4].isdigit()
        and code[5:].isdigit()
        and (int(code[:4]) + 1) % 100 == int(code[5:])
    ):
        return code
    first = start.year if start.month >= 8 else start.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


@dataclass(frozen=True)
class ScheduleChoice:
    """The schedule year an edition pays (None: none may apply), exact or carried over, with
    the reason."""

    year: str | None
    exact: bool
    reason: str


def schedule_year_for(edition_year: str, available: Iterable[str]) -> ScheduleChoice:
    """Which published fee schedule an edition of ``edition_year`` pays.

    Rule: the schedule of its own year; when the school has published none for that year, the
    latest schedule *before* it — the fees in force when the edition opened (the school
    publishes fees per school year, and prices only change when a new year's fees are
    published). Never a later year's schedule: fees published for a later year were not the
    price of this one. No schedule at or before the year: none applies (invoicing is refused
    until finance staff record one)."""
    earlier = sorted(y for y in set(available) if y <= edition_year)
    if not earlier:
        return ScheduleChoice(None, False, f"no fee schedule for {edition_year} or before")
    chosen = earlier[-1]
    if chosen == edition_year:
        return ScheduleChoice(chosen, True, f"the {chosen} fee schedule")
    return ScheduleChoice(
        chosen,
        False,
        f"no fee schedule published for {edition_year}: the latest before it ({chosen}) applies",
    )


def due_by(plan: Iterable[tuple[date, Decimal]], on: date) -> Decimal:
    """What has fallen due by ``on`` (instalments due that day or before)."""
    return sum((amount for due, amount in plan if due <= on), Decimal("0.00"))


def late_amount(
    plan: Iterable[tuple[date, Decimal]], *, payable: Decimal, paid: Decimal, today: date
) -> Decimal:
    """What is late on ``today``: what has fallen due (at most what is still payable after any
    credit note) minus what was paid, never below zero."""
    due = min(due_by(plan, today), payable)
    return max(due - paid, Decimal("0.00")).quantize(CENT)


@dataclass(frozen=True)
class CreditFacts:
    amount: Decimal
    reasons: tuple[str, ...]


def withdrawal_credit(
    plan: Iterable[tuple[date, Decimal]], *, paid: Decimal, withdrawn_on: date
) -> CreditFacts:
    """What a withdrawal credits on an invoice (SPEC §8; the school's rule, not in the seeds).

    The payer owes what had fallen due by the day of the withdrawal (instalments due that day
    or before, so the booking deposit, due on its issue day, is never credited); what falls due
    after it is credited, less what was already paid beyond what was due (payments cover the
    earliest instalments first; money already received is kept, a refund is not modelled)."""
    steps = tuple(plan)
    due = due_by(steps, withdrawn_on)
    later = sum((amount for d, amount in steps if d > withdrawn_on), Decimal("0.00"))
    paid_ahead = max(paid - due, Decimal("0.00"))
    amount = max(later - paid_ahead, Decimal("0.00")).quantize(CENT)
    reasons = [f"{due} fell due by {withdrawn_on.isoformat()} and stays owed"]
    if later:
        reasons.append(f"{later} falling due after the withdrawal is credited")
    if paid_ahead and later:
        reasons.append(f"less {min(paid_ahead, later)} already paid ahead (kept)")
    return CreditFacts(amount=amount, reasons=tuple(reasons))
