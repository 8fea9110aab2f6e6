"""Indicator arithmetic (SPEC §9), pure: no Django, no ORM, no clock.

Every figure carries what it was computed from (numerator, denominator) and the date it stands
at. A rate on fewer people than the minimum base is *not significant*: it keeps its counts but
has no value, so no page can show it as a percentage. Figures from before the system are
*declared history*: a value and its source, never recomputed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_MIN_BASE = 10


class Unit(enum.StrEnum):
    PERCENT = "%"
    COUNT = "count"
    DAYS = "days"


class Reason(enum.StrEnum):
    """Why a figure has (or has no) value."""

    COMPUTED = "computed"
    BELOW_MIN_BASE = "below_min_base"
    NO_DATA = "no_data"
    DECLARED = "declared"


@dataclass(frozen=True)
class Figure:
    """One indicator value with its base: ``value`` is None when the figure is not significant
    (below the minimum base, or nothing to compute from)."""

    value: Decimal | None
    numerator: int | None
    denominator: int | None
    as_of: date | None
    unit: Unit
    significant: bool
    reason: Reason
    min_base: int = DEFAULT_MIN_BASE
    source: str = ""

    @property
    def declared(self) -> bool:
        return self.reason is Reason.DECLARED

    @property
    def rounded(self) -> int | None:
        """The value rounded to a whole number (what the pages publish), None if no value."""
        if self.value is None:
            return None
        return int(self.value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rate(numerator: int, denominator: int, *, as_of: date | None, min_base: int) -> Figure:
    """``numerator / denominator`` as a percentage (one decimal, half up). Below ``min_base``
    people in the denominator the figure is not significant (no value); with no one, no data."""
    if numerator < 0 or denominator < 0 or numerator > denominator:
        raise ValueError(f"invalid rate {numerator}/{denominator}")
    if min_base < 1:
        raise ValueError("the minimum base is at least 1")
    if denominator == 0:
        return Figure(None, 0, 0, as_of, Unit.PERCENT, False, Reason.NO_DATA, min_base)
    if denominator < min_base:
        return Figure(
            None,
            numerator,
            denominator,
            as_of,
            Unit.PERCENT,
            False,
            Reason.BELOW_MIN_BASE,
            min_base,
        )
    value = _one_decimal(Decimal(100) * numerator / denominator)
    return Figure(
        value, numerator, denominator, as_of, Unit.PERCENT, True, Reason.COMPUTED, min_base
    )


def count(n: int, *, as_of: date | None) -> Figure:
    """A head count (apprentices, applications): always shown, its own base."""
    if n < 0:
        raise ValueError("a count is not negative")
    return Figure(Decimal(n), n, None, as_of, Unit.COUNT, True, Reason.COMPUTED, 1)


def median(values: Sequence[int], *, as_of: date | None, min_base: int) -> Figure:
    """The median of ``values`` (the mean of the two middle ones for an even count, one
    decimal), e.g. a decision delay in days. The base is the number of values; below
    ``min_base`` it is not significant."""
    n = len(values)
    if n == 0:
        return Figure(None, None, 0, as_of, Unit.DAYS, False, Reason.NO_DATA, min_base)
    if n < min_base:
        return Figure(None, None, n, as_of, Unit.DAYS, False, Reason.BELOW_MIN_BASE, min_base)
    ordered = sorted(values)
    middle = n // 2
    if n % 2:
        value = Decimal(ordered[middle])
    else:
        value = _one_decimal(Decimal(ordered[middle - 1] + ordered[middle]) / 2)
    return Figure(value, None, n, as_of, Unit.DAYS, True, Reason.COMPUTED, min_base)


def declared(
    value: Decimal,
    *,
    unit: str,
    as_of: date | None,
    source: str,
    numerator: int | None = None,
    denominator: int | None = None,
) -> Figure:
    """A figure from before the system, shown as declared history with its source (it is not
    recomputed, and the minimum base does not apply: the school published it as it is)."""
    kind = Unit.PERCENT if unit == "%" else Unit.COUNT
    return Figure(
        value, numerator, denominator, as_of, kind, True, Reason.DECLARED, 1, source=source
    )


def share(parts: Sequence[int]) -> list[Decimal]:
    """Each part as a percentage of their sum (one decimal), for a chart's proportions."""
    total = sum(parts)
    if total == 0:
        return [Decimal(0) for _ in parts]
    return [_one_decimal(Decimal(100) * p / total) for p in parts]
