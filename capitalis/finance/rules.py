"""Fee computation, pure (SPEC §8).

Money is Decimal euros with two decimals, never float. For work-study the employer or its OPCO
pays the tuition and the learner owes nothing; on the initial track the learner pays the
tuition, the booking deposit is paid first and deducted from what remains. The application fee
is the candidate's, paid when applying. The CVEC is paid by the learner to the State and only
recorded.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

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
