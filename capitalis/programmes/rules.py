"""The rhythm engine and the programme checks, as pure functions (SPEC §2, §4).

From a rhythm pattern, an academic year, public holidays and school closures, ``build_year``
returns the year day by day (school, company, holiday, closure, free); ``check_year`` checks the
rules (at least 110 company days a year; on the initial track an internship of 4 to 6 months)
and says why when one fails. No Django, no clock, no I/O: holidays and closures are passed in.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta


class DayKind(enum.StrEnum):
    """What a learner does on a given day."""

    SCHOOL = "school"
    COMPANY = "company"
    HOLIDAY = "holiday"
    CLOSURE = "closure"
    FREE = "free"


class Track(enum.StrEnum):
    """How a learner follows a programme year (SPEC §2). A "mixed" path is one initial year
    followed by one work-study year: each year is then one of these two."""

    INITIAL = "initial"
    WORK_STUDY = "work_study"


class Period(enum.StrEnum):
    """Which part of an alternating cycle comes first."""

    SCHOOL = "school"
    COMPANY = "company"


@dataclass(frozen=True)
class AlternatingWeeks:
    """``company_weeks`` weeks in the company, then ``school_weeks`` at school, repeated from
    the Monday of the year's first week (SPEC §2: Paris and Lyon, 2 weeks / 1 week)."""

    company_weeks: int
    school_weeks: int
    first: Period = Period.SCHOOL

    @property
    def cycle_days(self) -> int:
        return 7 * (self.company_weeks + self.school_weeks)


@dataclass(frozen=True)
class AlternatingDays:
    """Each week, ``school_weekdays`` at school (0 = Monday) and the other working days in the
    company (SPEC §2: Bordeaux, 3 days company / 2 days school)."""

    school_weekdays: tuple[int, ...]
    working_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)

    @property
    def cycle_days(self) -> int:
        return 7


@dataclass(frozen=True)
class InternshipBlock:
    """School on working days until ``start``, then one internship of ``months`` months (SPEC
    §2: Paris, initial track, from March); free after it."""

    start: date
    months: int

    @property
    def end(self) -> date:
        """The internship's last day."""
        last: date = self.start + relativedelta(months=self.months) - timedelta(days=1)
        return last


Pattern = AlternatingWeeks | AlternatingDays | InternshipBlock


@dataclass(frozen=True)
class Closure:
    """A span when the school is closed (inclusive dates)."""

    start: date
    end: date
    label: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Day:
    day: date
    kind: DayKind
    label: str = ""


@dataclass(frozen=True)
class YearCalendar:
    """An academic year day by day, with the counts per kind."""

    start: date
    end: date
    days: tuple[Day, ...]

    @property
    def counts(self) -> dict[DayKind, int]:
        counted = Counter(d.kind for d in self.days)
        return {kind: counted.get(kind, 0) for kind in DayKind}

    def kind_on(self, day: date) -> DayKind:
        """The kind of ``day``; KeyError outside the year (a negative index would silently
        read a day from the year's end)."""
        if not self.start <= day <= self.end:
            raise KeyError(day)
        return self.days[(day - self.start).days].kind


@dataclass(frozen=True)
class Span:
    """A run of days of one kind, weekends and free days inside it absorbed (one iCalendar
    event)."""

    kind: DayKind
    start: date
    end: date
    label: str = ""
    days: int = 0


@dataclass(frozen=True)
class RhythmRules:
    """The rules a year's calendar must satisfy, as data (SPEC §2: 110 company days; SPEC §4:
    internship of 4 to 6 months on the initial track)."""

    min_company_days: int = 110
    internship_min_months: int = 4
    internship_max_months: int = 6
    # An alternating placement's 4–6 months read as working days (SPEC §2): 22 a month, so
    # 6 months = 132 days (the 924 hours of presence French law puts on 6 months, at 7 h a
    # day). Our reading, as data.
    working_days_per_month: int = 22

    @property
    def internship_max_days(self) -> int:
        """The most placement days an alternating placement may have (6 months of them)."""
        return self.internship_max_months * self.working_days_per_month

    @property
    def internship_min_days(self) -> int:
        """The fewest placement days any placement may have: 4 months of working days, and
        never fewer than the year's minimum company days (110 either way, SPEC §2)."""
        return max(self.internship_min_months * self.working_days_per_month, self.min_company_days)


@dataclass(frozen=True)
class Reason:
    """One checked rule: passed or not, and why."""

    code: str
    passed: bool
    message: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    reasons: tuple[Reason, ...]

    @property
    def ok(self) -> bool:
        return all(r.passed for r in self.reasons)

    @property
    def failures(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if not r.passed)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def planned_kind(pattern: Pattern, year_start: date, day: date) -> DayKind:
    """What the pattern alone plans for ``day`` (before holidays and closures)."""
    if isinstance(pattern, AlternatingDays):
        if day.weekday() not in pattern.working_weekdays:
            return DayKind.FREE
        return DayKind.SCHOOL if day.weekday() in pattern.school_weekdays else DayKind.COMPANY
    if day.weekday() >= 5:
        return DayKind.FREE
    if isinstance(pattern, AlternatingWeeks):
        week = (_monday(day) - _monday(year_start)).days // 7
        position = week % (pattern.company_weeks + pattern.school_weeks)
        if pattern.first is Period.SCHOOL:
            return DayKind.SCHOOL if position < pattern.school_weeks else DayKind.COMPANY
        return DayKind.COMPANY if position < pattern.company_weeks else DayKind.SCHOOL
    if day < pattern.start:
        return DayKind.SCHOOL
    if day <= pattern.end:
        return DayKind.COMPANY
    return DayKind.FREE


def build_year(
    *,
    pattern: Pattern,
    start: date,
    end: date,
    holidays: Mapping[date, str],
    closures: Sequence[Closure] = (),
) -> YearCalendar:
    """The year from ``start`` to ``end`` (inclusive) day by day.

    A public holiday on a working day is a holiday: neither school nor company. A school
    closure turns planned school days into closure days; company days stay company days (a
    work-study learner works while the school is closed). Weekends are free.
    """
    if end < start:
        raise ValueError("the year ends before it starts")
    days: list[Day] = []
    day = start
    while day <= end:
        kind = planned_kind(pattern, start, day)
        label = ""
        if kind in (DayKind.SCHOOL, DayKind.COMPANY) and day in holidays:
            kind, label = DayKind.HOLIDAY, holidays[day]
        elif kind is DayKind.SCHOOL:
            closure = next((c for c in closures if c.covers(day)), None)
            if closure is not None:
                kind, label = DayKind.CLOSURE, closure.label
        days.append(Day(day, kind, label))
        day += timedelta(days=1)
    return YearCalendar(start=start, end=end, days=tuple(days))


def spans(calendar: YearCalendar) -> tuple[Span, ...]:
    """The year as runs of one kind (school, company, holiday, closure); free days (weekends)
    inside a run are absorbed, free days between runs belong to none."""
    out: list[Span] = []
    current: list[Day] = []

    def flush() -> None:
        if current:
            out.append(
                Span(
                    kind=current[0].kind,
                    start=current[0].day,
                    end=current[-1].day,
                    label=current[0].label,
                    days=len(current),
                )
            )
            current.clear()

    for d in calendar.days:
        if d.kind is DayKind.FREE:
            continue
        if current and (
            d.kind is not current[-1].kind
            or d.label != current[-1].label
            or any(
                calendar.kind_on(current[-1].day + timedelta(days=i)) is not DayKind.FREE
                for i in range(1, (d.day - current[-1].day).days)
            )
        ):
            flush()
        current.append(d)
    flush()
    return tuple(out)


def internship_months(pattern: InternshipBlock) -> int:
    return pattern.months


def check_year(
    *,
    calendar: YearCalendar,
    pattern: Pattern,
    track: Track,
    rules: RhythmRules = RhythmRules(),
) -> CheckResult:
    """Check a year's calendar against the rules, with a reason for each rule."""
    company = calendar.counts[DayKind.COMPANY]
    reasons = [
        Reason(
            code="min_company_days",
            passed=company >= rules.min_company_days,
            message=(f"{company} company days, at least {rules.min_company_days} required"),
            params={"count": company, "minimum": rules.min_company_days},
        )
    ]
    if track is Track.INITIAL and isinstance(pattern, InternshipBlock):
        months = pattern.months
        ok = rules.internship_min_months <= months <= rules.internship_max_months
        reasons.append(
            Reason(
                code="internship_length",
                passed=ok,
                message=(
                    f"internship of {months} months, between {rules.internship_min_months} "
                    f"and {rules.internship_max_months} required"
                ),
                params={
                    "months": months,
                    "minimum": rules.internship_min_months,
                    "maximum": rules.internship_max_months,
                },
            )
        )
        fits = pattern.end <= calendar.end
        reasons.append(
            Reason(
                code="internship_within_year",
                passed=fits,
                message=(
                    f"internship ends on {pattern.end.isoformat()}, "
                    f"the year on {calendar.end.isoformat()}"
                ),
                params={"internship_end": pattern.end, "year_end": calendar.end},
            )
        )
    return CheckResult(tuple(reasons))


# --- Programme checks (issue: check_programme) -------------------------------------------


@dataclass(frozen=True)
class CourseFacts:
    """What the programme check needs to know about a course."""

    code: str
    year: str
    specialisation: str | None
    ects: Decimal
    assessed_competencies: frozenset[str]
    track: str | None = None  # None: followed on every track


@dataclass(frozen=True)
class ProgrammeFacts:
    years: tuple[str, ...]
    year_ects: Mapping[str, Decimal]
    specialisations: tuple[str, ...]
    offered_specialisations: frozenset[str]
    competencies: tuple[str, ...]
    courses: tuple[CourseFacts, ...]
    tracks: tuple[str, ...] = ()  # the tracks offered in the edition


def _on_path(course: CourseFacts, year: str, spe: str | None, track: str | None) -> bool:
    """Is ``course`` part of the year's path (common courses + the specialisation's), on
    ``track`` (None: the courses of every track only)?"""
    if course.year != year:
        return False
    if course.specialisation is not None and course.specialisation != spe:
        return False
    return course.track is None or course.track == track


def check_programme(facts: ProgrammeFacts) -> CheckResult:
    """An edition's catalogue is complete when every competency of the version is assessed by
    at least one course, every year and path (common courses + one specialisation's, on each
    track when some courses belong to one track) sums to the year's ECTS, and every
    specialisation is offered on at least one campus (SPEC §2)."""
    reasons: list[Reason] = []
    assessed: set[str] = set()
    for course in facts.courses:
        assessed |= course.assessed_competencies
    missing = [c for c in facts.competencies if c not in assessed]
    reasons.append(
        Reason(
            code="competencies_assessed",
            passed=not missing,
            message=(
                "every competency is assessed by a course"
                if not missing
                else "competencies assessed by no course: " + ", ".join(missing)
            ),
            params={"missing": tuple(missing)},
        )
    )
    # With courses limited to one track (SPEC §5: the end of MSc 1), each track's path sums
    # to the year's ECTS on its own.
    by_track = any(c.track is not None for c in facts.courses)
    tracks: tuple[str | None, ...] = (facts.tracks or tuple(Track)) if by_track else (None,)
    for year in facts.years:
        target = facts.year_ects[year]
        paths: Iterable[str | None] = facts.specialisations or (None,)
        for spe in paths:
            for track in tracks:
                total = sum(
                    (c.ects for c in facts.courses if _on_path(c, year, spe, track)), Decimal(0)
                )
                label = f"{year}" + (f" + {spe}" if spe else "") + (f" ({track})" if track else "")
                reasons.append(
                    Reason(
                        code="year_ects",
                        passed=total == target,
                        message=f"{label}: {total} ECTS, {target} expected",
                        params={
                            "year": year,
                            "specialisation": spe,
                            "track": track,
                            "total": total,
                            "target": target,
                        },
                    )
                )
    for spe in facts.specialisations:
        offered = spe in facts.offered_specialisations
        reasons.append(
            Reason(
                code="specialisation_offered",
                passed=offered,
                message=(
                    f"{spe} is offered on at least one campus"
                    if offered
                    else f"{spe} is offered on no campus"
                ),
                params={"specialisation": spe},
            )
        )
    return CheckResult(tuple(reasons))
