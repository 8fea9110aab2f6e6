"""Enrolment rules, pure (SPEC §4): the enrolment's status machine as a transition table,
re-enrolment from MSc 1 into MSc 2, the employer's SIRET, the length of a work-study contract
for the entry year, an internship's length and its fit with the campus rhythm (continuous or
alternating placement), the national student number (INE).

No Django, no clock, no I/O. Each check returns its verdict with a code, an English reason and
the figures behind it, so the services can say it in the user's language.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from capitalis.programmes.rules import DayKind, RhythmRules, YearCalendar


class EnrolmentStatus(enum.StrEnum):
    """Where an enrolment stands (SPEC §4)."""

    ENROLLED = "enrolled"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"


class ContractKind(enum.StrEnum):
    """The two work-study contracts (SPEC §2, §4)."""

    APPRENTICESHIP = "apprenticeship"
    PROFESSIONALISATION = "professionalisation"


# (from, to): anything not in the table is refused. Withdrawn and completed are final.
ENROLMENT_TRANSITIONS: frozenset[tuple[EnrolmentStatus, EnrolmentStatus]] = frozenset(
    {
        (EnrolmentStatus.ENROLLED, EnrolmentStatus.SUSPENDED),
        (EnrolmentStatus.ENROLLED, EnrolmentStatus.WITHDRAWN),
        (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED),
        (EnrolmentStatus.SUSPENDED, EnrolmentStatus.ENROLLED),
        (EnrolmentStatus.SUSPENDED, EnrolmentStatus.WITHDRAWN),
    }
)

# Entering MSc 1 needs a contract covering both years, MSc 2 one year (SPEC §3).
PROGRAMME_YEARS = 2
# A contract may be one month shorter or longer than the years it must cover (a contract
# starting a few weeks into September, or ending after the last jury, still fits).
CONTRACT_TOLERANCE_MONTHS = 1
# SIREN of La Poste: its establishments' SIRET do not follow Luhn; the sum of their digits is
# a multiple of 5 instead.
LA_POSTE_SIREN = "356000000"


@dataclass(frozen=True)
class Check:
    """A verdict: ``ok``, a stable ``code``, an English ``reason`` and the figures behind it."""

    ok: bool
    code: str
    reason: str
    params: Mapping[str, object] = field(default_factory=dict)


def next_enrolment_statuses(current: EnrolmentStatus) -> tuple[EnrolmentStatus, ...]:
    """The statuses an enrolment may move to from ``current``, in a stable order."""
    return tuple(s for s in EnrolmentStatus if (current, s) in ENROLMENT_TRANSITIONS)


def can_move_enrolment(current: EnrolmentStatus, target: EnrolmentStatus) -> Check:
    """Is ``current → target`` in the enrolment's transition table?"""
    if (current, target) in ENROLMENT_TRANSITIONS:
        return Check(True, "ok", f"{current.value} → {target.value}")
    return Check(
        False,
        "not_in_table",
        f"{current.value} → {target.value} is not allowed",
        {"from": current.value, "to": target.value},
    )


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum over a string of digits (every second digit from the right doubled)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_siret(siret: str) -> str:
    """A SIRET as typed (spaces, dots allowed) reduced to its characters."""
    return "".join(siret.split()).replace(".", "")


def siret_valid(siret: str) -> Check:
    """An employer's SIRET: 14 digits whose Luhn checksum holds; La Poste's establishments
    (SIREN 356000000) are checked by the sum of their digits being a multiple of 5."""
    value = normalise_siret(siret)
    if len(value) != 14 or not value.isascii() or not value.isdigit():
        return Check(
            False,
            "siret_format",
            f"a SIRET has 14 digits, got {value!r}",
            {"siret": value, "length": len(value)},
        )
    if value.startswith(LA_POSTE_SIREN):
        total = sum(int(c) for c in value)
        if total % 5 == 0:
            return Check(True, "ok", "La Poste SIRET: digit sum is a multiple of 5", {})
        return Check(
            False,
            "siret_checksum",
            f"La Poste SIRET {value}: digit sum {total} is not a multiple of 5",
            {"siret": value},
        )
    if luhn_ok(value):
        return Check(True, "ok", "14 digits, Luhn checksum holds", {})
    return Check(
        False, "siret_checksum", f"SIRET {value}: the Luhn checksum fails", {"siret": value}
    )


def ine_valid(ine: str) -> Check:
    """A national student number (INE): 11 letters or digits (the national formats differ in
    where the letters go; we check only the shape)."""
    value = ine.strip().upper()
    if len(value) == 11 and value.isascii() and value.isalnum():
        return Check(True, "ok", "11 letters or digits", {})
    return Check(False, "ine_format", "an INE has 11 letters or digits", {"length": len(value)})


def duration(start: date, end: date) -> tuple[int, int]:
    """Whole months and remaining days from ``start`` to ``end`` inclusive."""
    span = relativedelta(end + timedelta(days=1), start)
    return span.years * 12 + span.months, span.days


def contract_fits(
    entry_year: int,
    start: date,
    end: date,
    *,
    programme_years: int = PROGRAMME_YEARS,
    tolerance_months: int = CONTRACT_TOLERANCE_MONTHS,
) -> Check:
    """Does a work-study contract's length fit the year the learner enters? (SPEC §3: entering
    MSc 1 needs a 2-year contract, MSc 2 a 1-year one.)

    The contract must cover the years left (12 × years months) within ``tolerance_months``:
    at least 12 × years − 1 whole months, at most 12 × years + 1 months."""
    if end <= start:
        return Check(False, "contract_dates", "the contract ends before it starts", {})
    years = programme_years - entry_year + 1
    if years < 1:
        return Check(False, "contract_year", f"year {entry_year} is not in the programme", {})
    needed = 12 * years
    months, days = duration(start, end)
    params = {
        "years": years,
        "months": months,
        "days": days,
        "minimum": needed - tolerance_months,
        "maximum": needed + tolerance_months,
    }
    if months < needed - tolerance_months:
        return Check(
            False,
            "contract_too_short",
            f"contract of {months} months {days} days; entering year {entry_year} needs "
            f"{years} year(s): at least {needed - tolerance_months} months",
            params,
        )
    if (months, days) > (needed + tolerance_months, 0):
        return Check(
            False,
            "contract_too_long",
            f"contract of {months} months {days} days; entering year {entry_year} needs "
            f"{years} year(s): at most {needed + tolerance_months} months",
            params,
        )
    return Check(
        True,
        "ok",
        f"contract of {months} months {days} days covers the {years} year(s) left",
        params,
    )


def internship_fits(start: date, end: date, rules: RhythmRules | None = None) -> Check:
    """An internship lasts 4 to 6 months (SPEC §4; the numbers are the programme's
    ``RhythmRules``): it ends no earlier than start + 4 months − 1 day and no later than
    start + 6 months − 1 day."""
    rules = rules or RhythmRules()
    if end <= start:
        return Check(False, "internship_dates", "the internship ends before it starts", {})
    months, days = duration(start, end)
    params = {
        "months": months,
        "days": days,
        "minimum": rules.internship_min_months,
        "maximum": rules.internship_max_months,
    }
    if months < rules.internship_min_months:
        return Check(
            False,
            "internship_too_short",
            f"internship of {months} months {days} days, at least "
            f"{rules.internship_min_months} months required",
            params,
        )
    if (months, days) > (rules.internship_max_months, 0):
        return Check(
            False,
            "internship_too_long",
            f"internship of {months} months {days} days, at most "
            f"{rules.internship_max_months} months allowed",
            params,
        )
    return Check(True, "ok", f"internship of {months} months {days} days", params)


class PlacementMode(enum.StrEnum):
    """How an initial-track placement runs (SPEC §2): one continuous internship (Paris, from
    March) or alternating with school all year (Lyon 2 weeks / 1 week, Bordeaux 3 days / 2
    days), following the campus calendar."""

    CONTINUOUS = "continuous"
    ALTERNATING = "alternating"


@dataclass(frozen=True)
class PlacementRhythm:
    """What the campus rhythm of the learner's edition says of her placement: the mode it
    expects, its calendar (placement days are its company days) and, for a continuous one, the
    first day it may start (the rhythm's internship start, March in Paris)."""

    mode: PlacementMode
    calendar: YearCalendar
    earliest_start: date | None = None
    rules: RhythmRules = field(default_factory=RhythmRules)


def placement_days(calendar: YearCalendar, start: date, end: date) -> int:
    """The placement days from ``start`` to ``end`` inclusive: the calendar's company days
    (working days in the host organisation, public holidays excluded)."""
    return sum(1 for d in calendar.days if start <= d.day <= end and d.kind is DayKind.COMPANY)


def placement_fits(
    mode: PlacementMode, start: date, end: date, rhythm: PlacementRhythm | None
) -> Check:
    """An initial-track placement follows its campus rhythm (SPEC §2, §4).

    - Its mode is the rhythm's: continuous where the rhythm is one internship block (Paris),
      alternating where it alternates (Lyon, Bordeaux).
    - It lies within the academic year of the calendar.
    - Continuous: it starts no earlier than the rhythm's internship (courses end then), lasts
      4 to 6 months (``internship_fits``) and counts at least the minimum company days (110).
    - Alternating: the company days of the campus calendar between its dates count at least
      110 (and 4 months of working days) and at most 6 months of working days (132).

    Without a rhythm (none defined for the campus), only a continuous placement of 4 to 6
    months is accepted."""
    if end <= start:
        return Check(False, "internship_dates", "the internship ends before it starts", {})
    if rhythm is None:
        return _placement_without_rhythm(mode, start, end)
    refused = _placement_frame_refused(mode, start, end, rhythm)
    if refused is not None:
        return refused
    days = placement_days(rhythm.calendar, start, end)
    params: dict[str, object] = {
        "days": days,
        "minimum": rhythm.rules.internship_min_days,
        "maximum": rhythm.rules.internship_max_days,
    }
    if mode is PlacementMode.CONTINUOUS:
        return _continuous_placement_fits(start, end, rhythm, days, params)
    return _alternating_placement_fits(rhythm.rules, days, params)


def _placement_without_rhythm(mode: PlacementMode, start: date, end: date) -> Check:
    """No campus rhythm: only a continuous internship of 4 to 6 months can be counted."""
    if mode is PlacementMode.ALTERNATING:
        return Check(
            False,
            "placement_no_rhythm",
            "no campus rhythm is defined: an alternating placement cannot be counted",
            {},
        )
    return internship_fits(start, end)


def _placement_frame_refused(
    mode: PlacementMode, start: date, end: date, rhythm: PlacementRhythm
) -> Check | None:
    """The refusal when the placement's mode is not the rhythm's or it lies outside the
    calendar's academic year; None when it fits that frame."""
    if mode is not rhythm.mode:
        return Check(
            False,
            "placement_mode",
            f"the campus rhythm expects a {rhythm.mode.value} placement, not {mode.value}",
            {"expected": rhythm.mode.value, "mode": mode.value},
        )
    calendar = rhythm.calendar
    if start < calendar.start or end > calendar.end:
        return Check(
            False,
            "placement_outside_year",
            f"the placement must lie between {calendar.start} and {calendar.end}",
            {"year_start": calendar.start, "year_end": calendar.end},
        )
    return None


def _too_few_placement_days(rules: RhythmRules, days: int, params: dict[str, object]) -> Check:
    return Check(
        False,
        "placement_days_short",
        f"{days} placement days, at least {rules.internship_min_days} required",
        params,
    )


def _continuous_placement_fits(
    start: date, end: date, rhythm: PlacementRhythm, days: int, params: dict[str, object]
) -> Check:
    """A continuous internship starts no earlier than the rhythm's internship, lasts 4 to 6
    months and counts at least the minimum company days."""
    rules = rhythm.rules
    if rhythm.earliest_start is not None and start < rhythm.earliest_start:
        return Check(
            False,
            "placement_too_early",
            f"the internship starts on {start}, before {rhythm.earliest_start} when the "
            "courses end",
            {"start": start, "earliest": rhythm.earliest_start},
        )
    months = internship_fits(start, end, rules)
    if not months.ok:
        return months
    if days < rules.internship_min_days:
        return _too_few_placement_days(rules, days, params)
    return Check(True, "ok", f"continuous internship, {days} placement days", params)


def _alternating_placement_fits(rules: RhythmRules, days: int, params: dict[str, object]) -> Check:
    """An alternating placement counts between the minimum and the maximum company days."""
    if days < rules.internship_min_days:
        return _too_few_placement_days(rules, days, params)
    if days > rules.internship_max_days:
        return Check(
            False,
            "placement_days_long",
            f"{days} placement days, at most {rules.internship_max_days} allowed",
            params,
        )
    return Check(True, "ok", f"alternating placement, {days} placement days", params)


def termination_fits(start: date, end: date, terminated_on: date) -> Check:
    """An early termination falls within the contract, before its planned end."""
    if terminated_on < start:
        return Check(False, "termination_before_start", "terminated before it started", {})
    if terminated_on >= end:
        return Check(
            False, "termination_after_end", "an early termination comes before the end", {}
        )
    return Check(True, "ok", "terminated within the contract", {})


def reenrolment_check(
    *,
    current_position: int,
    target_position: int,
    current_status: EnrolmentStatus,
    current_start: date,
    target_start: date,
) -> Check:
    """Re-enrolment goes from MSc 1 into MSc 2 of a later edition, from an enrolment that is
    still running (enrolled) or completed."""
    if current_position != 1 or target_position != 2:
        return Check(
            False,
            "reenrol_year",
            f"re-enrolment goes from year 1 into year 2, not {current_position} → "
            f"{target_position}",
            {},
        )
    if current_status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED):
        return Check(
            False,
            "reenrol_status",
            f"a {current_status.value} enrolment cannot be continued",
            {"status": current_status.value},
        )
    if target_start <= current_start:
        return Check(
            False, "reenrol_edition", "the next edition must start after the current one", {}
        )
    return Check(True, "ok", "year 1 into year 2 of a later edition", {})
