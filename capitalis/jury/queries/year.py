"""The year's results for the ECTS: a course's grade, the courses of a year, a learner's
years."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from capitalis.assessment.models import Result
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.jury import rules
from capitalis.jury.queries.reasons import reason_text
from capitalis.programmes.models import Course, ProgrammeYear


@dataclass(frozen=True)
class CourseLine:
    """One course of the learner's year: its ECTS, her final grade (None: none yet), and
    whether it counted as passed (the ECTS it earned)."""

    course: Course
    ects: Decimal
    grade: Decimal | None
    passed: bool
    resit: bool

    @property
    def ects_earned(self) -> Decimal:
        return self.ects if self.passed else Decimal(0)


@dataclass(frozen=True)
class YearResults:
    """A learner's year for the ECTS (SPEC §6): the courses of her enrolment's year, their
    grades, the ECTS earned, and whether the year is validated — with the reasons."""

    enrolment: Enrolment
    courses: list[CourseLine]
    result: rules.YearResult
    rule: rules.YearRule

    @property
    def status(self) -> str:
        return self.result.status.value

    @property
    def validated(self) -> bool:
        return self.result.status is rules.YearStatus.VALIDATED

    @property
    def ects_earned(self) -> Decimal:
        return self.result.ects_earned

    @property
    def ects_required(self) -> Decimal:
        return self.rule.ects_required

    @property
    def mean(self) -> Decimal | None:
        return self.result.mean

    def reason_texts(self) -> list[str]:
        """The reasons in the active language."""
        return [
            reason_text({"code": r.code, "params": dict(r.params)}) for r in self.result.reasons
        ]


def course_grade(
    rows: Sequence[tuple[int, Decimal, str, Decimal | None, str]],
) -> tuple[Decimal | None, bool]:
    """A course's final grade on 20 from the learner's results ``(assessment, weight, session,
    grade, absence)`` as the database gives them: ``rules.course_grade`` (weighted mean,
    unjustified absence 0, justified left out, a graded resit replaces the first session).
    Returns (grade, whether the resit counted)."""
    result = rules.course_grade(
        [
            rules.CourseEvidence(
                assessment=assessment,
                weight=weight,
                session=rules.Session(session),
                grade=grade,
                absence=rules.Absence(absence),
            )
            for assessment, weight, session, grade, absence in rows
        ]
    )
    return result.grade, result.resit


def year_courses(enrolment: Enrolment) -> QuerySet[Course]:
    """The courses of the enrolment's year: common ones and those of her specialisation, on
    every track or on hers (SPEC §5: the end of MSc 1 differs by track)."""
    qs = Course.objects.filter(edition_id=enrolment.edition_id, year_id=enrolment.year_id)
    return qs.filter(
        Q(specialisation__isnull=True) | Q(specialisation_id=enrolment.specialisation_id),
        Q(track="") | Q(track=enrolment.track),
    ).order_by("position", "code")


def year_results(enrolment: Enrolment) -> YearResults:
    """The learner's year (ECTS): each course of her enrolment's year with its final grade
    (``course_grade``), then ``rules.year_validation`` under the year's rule (the year's ECTS
    required, pass mark 10, no compensation: SPEC §6 default). Three queries."""
    year = ProgrammeYear.objects.only("ects").get(pk=enrolment.year_id)
    courses = list(year_courses(enrolment))
    by_course: dict[int, list[tuple[int, Decimal, str, Decimal | None, str]]] = defaultdict(list)
    for course_id, assessment_id, weight, session, grade, absence in (
        Result.objects.filter(enrolment=enrolment, assessment__course__in=[c.pk for c in courses])
        .order_by()
        .values_list(
            "assessment__course_id",
            "assessment_id",
            "assessment__weight",
            "assessment__session",
            "grade",
            "absence",
        )
    ):
        by_course[course_id].append((assessment_id, weight, session, grade, absence))
    rule = rules.YearRule(ects_required=year.ects)
    lines: list[CourseLine] = []
    inputs: list[rules.CourseResult] = []
    for course in courses:
        grade, resit = course_grade(by_course.get(course.pk, []))
        inputs.append(rules.CourseResult(course=course.code, ects=course.ects, grade=grade))
        passed = grade is not None and grade >= rule.pass_mark
        lines.append(CourseLine(course, course.ects, grade, passed, resit))
    return YearResults(enrolment, lines, rules.year_validation(inputs, rule), rule)


def learner_year_results(*, learner: Learner) -> list[YearResults]:
    """Every enrolment year of the learner, latest first."""
    enrolments = (
        Enrolment.objects.filter(learner=learner)
        .select_related("edition", "year")
        .order_by("-edition__start_date", "-pk")
    )
    return [year_results(e) for e in enrolments]
