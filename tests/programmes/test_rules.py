"""The rhythm engine (capitalis/programmes/rules.py): property-based invariants with hypothesis
and examples on real French holidays (SPEC §2, §4). No database."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import holidays as holidays_lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capitalis.programmes.rules import (
    AlternatingDays,
    AlternatingWeeks,
    Closure,
    DayKind,
    InternshipBlock,
    Pattern,
    Period,
    Track,
    YearCalendar,
    build_year,
    check_year,
    spans,
)

WORKING = (DayKind.SCHOOL, DayKind.COMPANY)

# --- strategies -----------------------------------------------------------------------------

starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
lengths = st.integers(min_value=1, max_value=400)

alternating_weeks = st.builds(
    AlternatingWeeks,
    company_weeks=st.integers(min_value=1, max_value=5),
    school_weeks=st.integers(min_value=1, max_value=5),
    first=st.sampled_from(list(Period)),
)
alternating_days = st.builds(
    AlternatingDays,
    school_weekdays=st.lists(st.integers(min_value=0, max_value=4), unique=True, max_size=5).map(
        lambda days: tuple(sorted(days))
    ),
)


@st.composite
def internships(draw: st.DrawFn, year_start: date) -> InternshipBlock:
    offset = draw(st.integers(min_value=-30, max_value=400))
    return InternshipBlock(
        start=year_start + timedelta(days=offset),
        months=draw(st.integers(min_value=1, max_value=9)),
    )


@st.composite
def years(draw: st.DrawFn) -> tuple[Pattern, date, date, dict[date, str], list[Closure]]:
    """A pattern, a year (start, end), holidays as a plain dict and closures."""
    start = draw(starts)
    end = start + timedelta(days=draw(lengths) - 1)
    pattern: Pattern = draw(st.one_of(alternating_weeks, alternating_days, internships(start)))
    holiday_days = draw(
        st.lists(st.dates(min_value=start, max_value=end), max_size=15, unique=True)
    )
    holidays = {d: draw(st.sampled_from(["Noël", "Pâques", ""])) for d in holiday_days}
    closures = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        first = draw(st.dates(min_value=start, max_value=end))
        last = first + timedelta(days=draw(st.integers(min_value=0, max_value=20)))
        closures.append(Closure(first, last, draw(st.sampled_from(["hiver", "été"]))))
    return pattern, start, end, holidays, closures


def _build(
    args: tuple[Pattern, date, date, dict[date, str], list[Closure]],
) -> YearCalendar:
    pattern, start, end, holidays, closures = args
    return build_year(pattern=pattern, start=start, end=end, holidays=holidays, closures=closures)


# --- properties ----------------------------------------------------------------------------


@given(years())
def test_every_day_of_the_year_has_exactly_one_kind_and_counts_match(args) -> None:
    _, start, end, _, _ = args
    year = _build(args)
    assert [d.day for d in year.days] == [
        start + timedelta(days=i) for i in range((end - start).days + 1)
    ]
    counts = year.counts
    assert sum(counts.values()) == len(year.days)
    for kind in DayKind:
        assert counts[kind] == sum(1 for d in year.days if d.kind is kind)
    for d in year.days:
        assert year.kind_on(d.day) is d.kind


@given(years())
def test_a_holiday_is_never_a_school_or_company_day(args) -> None:
    _, _, _, holidays, _ = args
    year = _build(args)
    for d in year.days:
        if d.day in holidays:
            assert d.kind not in WORKING
            assert d.kind in (DayKind.HOLIDAY, DayKind.FREE)


@given(years())
def test_weekends_are_free_for_weekly_patterns(args) -> None:
    year = _build(args)
    for d in year.days:
        if d.day.weekday() >= 5:
            assert d.kind is DayKind.FREE


@given(years())
def test_closures_only_replace_school_days(args) -> None:
    pattern, start, end, holidays, closures = args
    with_closures = _build(args)
    without = build_year(pattern=pattern, start=start, end=end, holidays=holidays, closures=())
    assert DayKind.CLOSURE not in {d.kind for d in without.days}
    for a, b in zip(with_closures.days, without.days, strict=True):
        if a.kind is DayKind.CLOSURE:
            assert b.kind is DayKind.SCHOOL
            assert any(c.covers(a.day) for c in closures)
        else:
            assert a.kind is b.kind
        if b.kind is DayKind.SCHOOL and any(c.covers(b.day) for c in closures):
            assert a.kind is DayKind.CLOSURE


@given(years())
def test_spans_cover_exactly_the_non_free_days_in_order_without_overlap(args) -> None:
    year = _build(args)
    runs = spans(year)
    for previous, following in pairwise(runs):
        assert previous.end < following.start
    covered = []
    for run in runs:
        assert run.kind is not DayKind.FREE
        inside = [d for d in year.days if run.start <= d.day <= run.end]
        assert inside[0].kind is run.kind and inside[-1].kind is run.kind
        assert all(d.kind in (run.kind, DayKind.FREE) for d in inside)
        assert all(d.label == run.label for d in inside if d.kind is not DayKind.FREE)
        non_free = [d.day for d in inside if d.kind is not DayKind.FREE]
        assert run.days == len(non_free)
        covered.extend(non_free)
    assert covered == [d.day for d in year.days if d.kind is not DayKind.FREE]


@given(years())
def test_adjacent_spans_differ_or_are_separated(args) -> None:
    """Two runs of the same kind and label are merged unless a day of another kind separates
    them: otherwise an iCalendar export would show one period as two."""
    year = _build(args)
    runs = spans(year)
    for previous, following in pairwise(runs):
        if previous.kind is following.kind and previous.label == following.label:
            between = [
                year.kind_on(previous.end + timedelta(days=i))
                for i in range(1, (following.start - previous.end).days)
            ]
            assert any(kind is not DayKind.FREE for kind in between)


@given(
    st.one_of(alternating_weeks, alternating_days),
    starts,
    lengths,
    st.integers(min_value=-3, max_value=3),
    st.lists(st.dates(min_value=date(2019, 1, 1), max_value=date(2037, 12, 31)), max_size=20),
)
def test_moving_the_start_by_whole_cycles_changes_nothing_on_common_dates(
    pattern, start, length, cycles, holiday_days
) -> None:
    holidays = dict.fromkeys(holiday_days, "férié")
    end = start + timedelta(days=length - 1)
    moved_start = start + timedelta(days=cycles * pattern.cycle_days)
    moved_end = moved_start + timedelta(days=length - 1)
    first = build_year(pattern=pattern, start=start, end=end, holidays=holidays)
    second = build_year(pattern=pattern, start=moved_start, end=moved_end, holidays=holidays)
    by_day = {d.day: d for d in second.days}
    common = [d for d in first.days if d.day in by_day]
    for d in common:
        assert by_day[d.day] == d


@given(
    starts,
    st.integers(min_value=-40, max_value=40),
    st.integers(min_value=1, max_value=8),
    st.lists(st.integers(min_value=0, max_value=399), max_size=15),
)
def test_moving_the_internship_start_moves_only_the_internship_days(
    year_start, shift, months, holiday_offsets
) -> None:
    end = year_start + timedelta(days=399)
    holidays = {year_start + timedelta(days=o): "férié" for o in holiday_offsets}
    first = InternshipBlock(start=year_start + timedelta(days=120), months=months)
    second = InternshipBlock(start=first.start + timedelta(days=shift), months=months)
    a = build_year(pattern=first, start=year_start, end=end, holidays=holidays)
    b = build_year(pattern=second, start=year_start, end=end, holidays=holidays)
    low = min(first.start, second.start)
    high = max(first.end, second.end)
    for x, y in zip(a.days, b.days, strict=True):
        if not low <= x.day <= high:
            assert x == y
    in_a = {d.day for d in a.days if d.kind is DayKind.COMPANY}
    in_b = {d.day for d in b.days if d.kind is DayKind.COMPANY}
    assert all(first.start <= day <= first.end for day in in_a)
    assert all(second.start <= day <= second.end for day in in_b)


@settings(max_examples=50)
@given(years())
def test_check_year_reports_the_company_day_count_it_checked(args) -> None:
    pattern = args[0]
    year = _build(args)
    result = check_year(calendar=year, pattern=pattern, track=Track.WORK_STUDY)
    (reason,) = result.reasons
    assert reason.code == "min_company_days"
    assert reason.params["count"] == year.counts[DayKind.COMPANY]
    assert reason.passed is (year.counts[DayKind.COMPANY] >= 110)
    assert result.ok is reason.passed


def test_a_day_outside_the_year_has_no_kind() -> None:
    year = build_year(
        pattern=AlternatingDays(school_weekdays=(3, 4)),
        start=date(2026, 9, 1),
        end=date(2026, 9, 30),
        holidays={},
    )
    with pytest.raises(KeyError):
        year.kind_on(date(2026, 8, 31))
    with pytest.raises(KeyError):
        year.kind_on(date(2026, 10, 1))


def test_a_year_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError):
        build_year(
            pattern=AlternatingDays(school_weekdays=(0,)),
            start=date(2026, 9, 1),
            end=date(2026, 8, 31),
            holidays={},
        )


# --- examples on the 2026/27 academic year with real French holidays ------------------------

START, END = date(2026, 9, 1), date(2027, 8, 31)
FRENCH = holidays_lib.France(years=[2026, 2027])


def _year(pattern: Pattern, closures: tuple[Closure, ...] = ()) -> YearCalendar:
    return build_year(pattern=pattern, start=START, end=END, holidays=FRENCH, closures=closures)


def test_paris_two_weeks_company_one_week_school_reaches_110_company_days() -> None:
    pattern = AlternatingWeeks(company_weeks=2, school_weeks=1)
    year = _year(pattern, (Closure(date(2026, 12, 21), date(2027, 1, 1), "Noël"),))
    result = check_year(calendar=year, pattern=pattern, track=Track.WORK_STUDY)
    assert result.ok, result.failures
    assert year.counts[DayKind.COMPANY] >= 110
    assert year.kind_on(date(2026, 12, 25)) is DayKind.HOLIDAY
    assert year.kind_on(date(2026, 11, 11)) is DayKind.HOLIDAY
    # 2026-09-01 is a Tuesday: the first week (school first) is at school, then two in company.
    assert year.kind_on(date(2026, 9, 1)) is DayKind.SCHOOL
    assert year.kind_on(date(2026, 9, 7)) is DayKind.COMPANY
    assert year.kind_on(date(2026, 9, 21)) is DayKind.SCHOOL


def test_bordeaux_three_days_company_two_days_school_reaches_110_company_days() -> None:
    pattern = AlternatingDays(school_weekdays=(3, 4))
    year = _year(pattern)
    assert check_year(calendar=year, pattern=pattern, track=Track.WORK_STUDY).ok
    assert year.kind_on(date(2026, 9, 3)) is DayKind.SCHOOL  # a Thursday
    assert year.kind_on(date(2026, 9, 1)) is DayKind.COMPANY  # a Tuesday


def test_one_week_company_four_weeks_school_fails_and_says_why() -> None:
    pattern = AlternatingWeeks(company_weeks=1, school_weeks=4)
    year = _year(pattern)
    result = check_year(calendar=year, pattern=pattern, track=Track.WORK_STUDY)
    assert not result.ok
    (failure,) = result.failures
    assert failure.code == "min_company_days"
    count = year.counts[DayKind.COMPANY]
    assert count < 110
    assert failure.params == {"count": count, "minimum": 110}
    assert str(count) in failure.message


@pytest.mark.parametrize(
    ("start", "months", "failing"),
    [
        (date(2027, 3, 1), 3, {"internship_length", "min_company_days"}),
        (date(2027, 2, 1), 7, {"internship_length"}),
        (date(2027, 3, 1), 7, {"internship_length", "internship_within_year"}),
        (date(2027, 3, 1), 6, set()),
    ],
)
def test_internship_length_on_the_initial_track(start, months, failing) -> None:
    pattern = InternshipBlock(start=start, months=months)
    year = _year(pattern)
    result = check_year(calendar=year, pattern=pattern, track=Track.INITIAL)
    assert {r.code for r in result.failures} == failing
    length = next(r for r in result.reasons if r.code == "internship_length")
    assert length.params["months"] == months


def test_six_months_from_march_is_school_before_company_during_and_free_after() -> None:
    pattern = InternshipBlock(start=date(2027, 3, 1), months=6)
    year = _year(pattern)
    assert year.kind_on(date(2027, 2, 26)) is DayKind.SCHOOL
    assert year.kind_on(date(2027, 3, 1)) is DayKind.COMPANY
    assert year.kind_on(date(2027, 5, 1)) is DayKind.FREE  # a Saturday
    assert year.kind_on(date(2027, 7, 14)) is DayKind.HOLIDAY
    assert pattern.end == date(2027, 8, 31)
    assert year.counts[DayKind.COMPANY] >= 110


def test_a_closure_during_company_weeks_leaves_the_learner_at_work() -> None:
    pattern = AlternatingWeeks(company_weeks=2, school_weeks=1)
    closure = Closure(date(2026, 9, 1), date(2026, 9, 30), "fermeture")
    year = _year(pattern, (closure,))
    assert year.kind_on(date(2026, 9, 1)) is DayKind.CLOSURE
    assert year.kind_on(date(2026, 9, 7)) is DayKind.COMPANY


def test_spans_of_a_real_year_absorb_weekends() -> None:
    year = _year(AlternatingWeeks(company_weeks=2, school_weeks=1))
    first, second, *_ = spans(year)
    assert (first.kind, first.start, first.end, first.days) == (
        DayKind.SCHOOL,
        date(2026, 9, 1),
        date(2026, 9, 4),
        4,
    )
    assert (second.kind, second.start, second.end, second.days) == (
        DayKind.COMPANY,
        date(2026, 9, 7),
        date(2026, 9, 18),
        10,
    )
