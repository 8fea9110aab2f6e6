"""The year's results for the ECTS (SPEC §6): a course's grade and the year's validation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from capitalis.jury.rules.reasons import Reason, _show
from capitalis.jury.rules.vocabulary import _CENT, _ZERO, Absence, Key, Session, YearStatus


class CourseEvidence(NamedTuple):
    """One of the learner's results in an assessment of a course: the assessment, its weight
    and session, the grade on 20 (None: not graded) and the absence."""

    assessment: Key
    weight: Decimal
    session: Session = Session.FIRST
    grade: Decimal | None = None
    absence: Absence = Absence.NONE


@dataclass(frozen=True, slots=True)
class CourseGrade:
    """A course's final grade on 20 (None: nothing graded yet) and whether a resit counted."""

    grade: Decimal | None
    resit: bool


def _weighted_mean(pairs: Sequence[tuple[Decimal, Decimal]]) -> Decimal | None:
    """The mean of (weight, grade) pairs weighted, rounded to two places; None without weight."""
    weight = sum((w for w, _g in pairs), _ZERO)
    if not weight:
        return None
    return (sum((w * g for w, g in pairs), _ZERO) / weight).quantize(_CENT)


def course_grade(results: Sequence[CourseEvidence]) -> CourseGrade:
    """A course's final grade from the learner's results in its assessments (SPEC §6 defaults,
    as the deliberation). Per assessment: the mean of its graded results, where an unjustified
    absence counts 0 and a justified one is left out (an assessment left with nothing does
    not count). Then the assessments' mean weighted by their weights, rounded to two places.
    When a resit assessment of the course was graded, the resits' mean replaces the first
    session's, higher or lower (``ResitRule.REPLACE``)."""
    per_assessment: dict[Key, tuple[Decimal, Session, list[Decimal]]] = {}
    for result in results:
        _w, _s, grades = per_assessment.setdefault(
            result.assessment, (result.weight, result.session, [])
        )
        if result.absence is Absence.JUSTIFIED:
            continue
        if result.absence is Absence.UNJUSTIFIED:
            grades.append(_ZERO)
        elif result.grade is not None:
            grades.append(result.grade)
    first: list[tuple[Decimal, Decimal]] = []
    resit: list[tuple[Decimal, Decimal]] = []
    for weight, session, grades in per_assessment.values():
        if grades:
            (resit if session is Session.RESIT else first).append(
                (weight, sum(grades, _ZERO) / len(grades))
            )
    if resit:
        return CourseGrade(_weighted_mean(resit), True)
    return CourseGrade(_weighted_mean(first), False)


@dataclass(frozen=True, slots=True)
class CourseResult:
    """A course of the year with its ECTS and the learner's final grade on 20 (None: none yet)."""

    course: str
    ects: Decimal
    grade: Decimal | None


@dataclass(frozen=True)
class YearRule:
    """The edition's rule for a year (SPEC §6): each course passed at ``pass_mark`` earns its
    ECTS; with ``compensation`` an ECTS-weighted year mean at the pass mark earns them all.
    The year is validated when ``ects_required`` are earned."""

    pass_mark: Decimal = Decimal(10)
    compensation: bool = False
    ects_required: Decimal = Decimal(60)


@dataclass(frozen=True, slots=True)
class YearResult:
    status: YearStatus
    ects_earned: Decimal
    mean: Decimal | None
    reasons: tuple[Reason, ...]


def year_validation(courses: Sequence[CourseResult], rule: YearRule = YearRule()) -> YearResult:
    """Is the year validated (60 ECTS by default), and how many ECTS are earned?"""
    reasons: list[Reason] = []
    earned = _ZERO
    missing = False
    for course in sorted(courses, key=lambda c: c.course):
        if course.grade is None:
            missing = True
            reasons.append(Reason("course_missing", {"course": course.course}))
        elif course.grade >= rule.pass_mark:
            earned += course.ects
            reasons.append(
                Reason(
                    "course_passed",
                    {"course": course.course, "grade": str(course.grade), "ects": str(course.ects)},
                )
            )
        else:
            reasons.append(
                Reason(
                    "course_failed",
                    {
                        "course": course.course,
                        "grade": str(course.grade),
                        "threshold": str(rule.pass_mark),
                    },
                )
            )
    graded = [c for c in courses if c.grade is not None]
    weight = sum((c.ects for c in graded), _ZERO)
    mean = None
    if weight:
        total = sum((c.ects * c.grade for c in graded if c.grade is not None), _ZERO)
        mean = total / weight
        if rule.compensation and not missing and total >= rule.pass_mark * weight:
            earned = sum((c.ects for c in courses), _ZERO)
            reasons.append(
                Reason("compensated", {"mean": _show(mean), "threshold": str(rule.pass_mark)})
            )
    reasons.append(
        Reason("ects_earned", {"earned": str(earned), "required": str(rule.ects_required)})
    )
    if earned >= rule.ects_required:
        status = YearStatus.VALIDATED
    elif missing:
        status = YearStatus.INCOMPLETE
    else:
        status = YearStatus.NOT_VALIDATED
    return YearResult(status, earned, mean, tuple(reasons))
