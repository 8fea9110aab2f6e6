"""The indicator arithmetic, without a database: rates with their base, the minimum base,
medians, declared history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capitalis.reporting.indicators import rules

DAY = dt.date(2025, 7, 1)


def test_rate_keeps_its_base_and_date() -> None:
    f = rules.rate(46, 50, as_of=DAY, min_base=10)
    assert (f.value, f.numerator, f.denominator, f.as_of) == (Decimal("92.0"), 46, 50, DAY)
    assert f.significant and f.reason is rules.Reason.COMPUTED and f.rounded == 92
    assert rules.rate(2, 3, as_of=DAY, min_base=1).value == Decimal("66.7")


def test_below_the_minimum_base_has_no_value() -> None:
    f = rules.rate(9, 9, as_of=DAY, min_base=10)
    assert f.value is None and f.rounded is None and not f.significant
    assert (f.numerator, f.denominator, f.reason) == (9, 9, rules.Reason.BELOW_MIN_BASE)
    assert rules.rate(10, 10, as_of=DAY, min_base=10).value == Decimal(100)
    empty = rules.rate(0, 0, as_of=None, min_base=10)
    assert empty.value is None and empty.reason is rules.Reason.NO_DATA


@pytest.mark.parametrize(("n", "d", "base"), [(-1, 3, 1), (4, 3, 1), (1, 3, 0)])
def test_bad_rates_are_refused(n: int, d: int, base: int) -> None:
    with pytest.raises(ValueError):
        rules.rate(n, d, as_of=DAY, min_base=base)


@given(st.integers(0, 500), st.integers(0, 500), st.integers(1, 50))
def test_rate_is_a_percentage_or_nothing(a: int, b: int, base: int) -> None:
    n, d = min(a, b), max(a, b)
    f = rules.rate(n, d, as_of=DAY, min_base=base)
    if d < base:
        assert f.value is None
    else:
        assert f.value is not None and Decimal(0) <= f.value <= Decimal(100)


def test_median_delay() -> None:
    assert rules.median([30, 10, 20], as_of=DAY, min_base=3).value == Decimal(20)
    even = rules.median([10, 20, 30, 41], as_of=DAY, min_base=3)
    assert even.value == Decimal("25.0") and even.denominator == 4
    assert even.unit is rules.Unit.DAYS
    small = rules.median([5, 6], as_of=DAY, min_base=3)
    assert small.value is None and small.reason is rules.Reason.BELOW_MIN_BASE
    assert rules.median([], as_of=DAY, min_base=3).reason is rules.Reason.NO_DATA


def test_declared_history_is_marked_with_its_source() -> None:
    f = rules.declared(Decimal(92), unit="%", as_of=DAY, source="seed 000")
    assert f.declared and f.significant and f.source == "seed 000" and f.rounded == 92
    assert (
        rules.declared(Decimal(192), unit="count", as_of=None, source="s").unit is rules.Unit.COUNT
    )
    assert not rules.rate(1, 1, as_of=DAY, min_base=1).declared


def test_count_and_share() -> None:
    assert rules.count(192, as_of=DAY).value == Decimal(192)
    assert rules.share([1, 3]) == [Decimal("25.0"), Decimal("75.0")]
    assert rules.share([0, 0]) == [Decimal(0), Decimal(0)]
