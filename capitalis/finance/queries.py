"""Reads on fees (SPEC §8): the fee schedules of a programme, and the fee quote of an
enrolment (academic year, track, payer) computed by the pure ``rules.compute_fees`` from the
stored schedule, with its lines, reasons and payers in the request's language."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from capitalis.core.exceptions import DomainError
from capitalis.finance import rules
from capitalis.finance.models import FeeSchedule

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
