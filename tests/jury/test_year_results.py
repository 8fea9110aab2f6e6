"""The learner's year for the ECTS (SPEC §6): course grades from her results, the year's rule
through ``rules.year_validation``, with reasons (``queries.year_results``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from capitalis.assessment import services as assessment_services
from capitalis.jury import queries
from capitalis.programmes.models import Course
from tests.assessment.builders import World, exam, world

D = Decimal


def test_course_grade_weighted_and_absences() -> None:
    rows = [
        (1, D(1), "first", D(14), "none"),
        (1, D(1), "first", D(10), "none"),  # assessment 1: mean 12
        (2, D(3), "first", None, "unjustified"),  # counts 0
        (3, D(5), "first", None, "justified"),  # not counted
    ]
    assert queries.course_grade(rows) == (D("3.00"), False)


def test_course_grade_resit_replaces_first_session() -> None:
    rows = [(1, D(1), "first", D(6), "none"), (2, D(1), "resit", D(11), "none")]
    assert queries.course_grade(rows) == (D("11.00"), True)
    # a resit that was not graded (justified absence) leaves the first session
    rows2: list[tuple[int, Decimal, str, Decimal | None, str]] = [
        (1, D(1), "first", D(6), "none"),
        (2, D(1), "resit", None, "justified"),
    ]
    assert queries.course_grade(rows2) == (D("6.00"), False)
    assert queries.course_grade([]) == (None, False)


def _one_course_year(w: World) -> Course:
    """The learner's MSc 1 holds exactly the common course C0 (7.5 ECTS): the year requires
    7.5 ECTS."""
    enrolment = w.enrolments[0]
    courses = list(queries.year_courses(enrolment))
    assert w.course in courses
    w.msc1.ects = sum((c.ects for c in courses), D(0))
    w.msc1.save()
    return w.course


@pytest.mark.django_db
def test_year_validated_with_reasons() -> None:
    w = world(learners=2)
    _one_course_year(w)
    a = exam(w)
    for comp in w.competencies[:2]:
        assessment_services.result_set(
            assessment=a, enrolment=w.enrolments[0], competency=comp, grade="12", actor=w.lecturer
        )
    other_courses = [c for c in queries.year_courses(w.enrolments[0]) if c != w.course]
    year = queries.year_results(w.enrolments[0])
    line = next(c for c in year.courses if c.course == w.course)
    assert line.grade == D("12.00") and line.passed and line.ects_earned == w.course.ects
    assert all(c.grade is None for c in year.courses if c.course in other_courses)
    if not other_courses:
        assert year.validated and year.status == "validated"
    with translation.override("fr"):
        texts = year.reason_texts()
    assert any(t.startswith(f"{w.course.code}") and "12.00/20" in t for t in texts)
    assert any("ECTS" in t for t in texts)
    # the other learner has no grade: the year is incomplete, the course has no grade
    other = queries.year_results(w.enrolments[1])
    assert other.status == "incomplete" and other.ects_earned == 0
    assert all(c.grade is None for c in other.courses)


@pytest.mark.django_db
def test_year_not_validated_below_pass_mark_and_resit() -> None:
    w = world(learners=1)
    _one_course_year(w)
    enrolment = w.enrolments[0]
    a = exam(w)
    assessment_services.result_set(
        assessment=a, enrolment=enrolment, competency=w.competencies[0], grade="8", actor=w.lecturer
    )
    year = queries.year_results(enrolment)
    line = next(c for c in year.courses if c.course == w.course)
    assert line.grade == D("8.00") and not line.passed
    assert not year.validated
    with translation.override("en"):
        assert any("is below 10" in t for t in year.reason_texts())
    resit = exam(w, code="RS1", when=dt.date(2025, 6, 20), session="resit")
    assessment_services.result_set(
        assessment=resit,
        enrolment=enrolment,
        competency=w.competencies[0],
        grade="13",
        actor=w.lecturer,
    )
    line = next(c for c in queries.year_results(enrolment).courses if c.course == w.course)
    assert line.grade == D("13.00") and line.resit and line.passed


@pytest.mark.django_db
def test_year_courses_exclude_other_specialisations_and_other_years() -> None:
    w = world(learners=1)
    enrolment = w.enrolments[0]
    courses = list(queries.year_courses(enrolment))
    assert courses
    for c in courses:
        assert c.year_id == enrolment.year_id and c.edition_id == enrolment.edition_id
        assert c.specialisation_id in (None, enrolment.specialisation_id)
    excluded = Course.objects.filter(edition=w.edition).exclude(pk__in=[c.pk for c in courses])
    assert excluded.exists()


@pytest.mark.django_db
def test_year_results_query_count_does_not_grow() -> None:
    w = world(learners=1)
    enrolment = w.enrolments[0]
    a = exam(w)
    assessment_services.result_set(
        assessment=a,
        enrolment=enrolment,
        competency=w.competencies[0],
        grade="12",
        actor=w.lecturer,
    )
    with CaptureQueriesContext(connection) as small:
        queries.year_results(enrolment)
    for n in range(2, 6):
        more = exam(w, code=f"EX{n}", competencies=w.competencies[:1])
        assessment_services.result_set(
            assessment=more,
            enrolment=enrolment,
            competency=w.competencies[0],
            grade=str(10 + n),
            actor=w.lecturer,
        )
    with CaptureQueriesContext(connection) as big:
        queries.year_results(enrolment)
    assert len(big) == len(small) <= 3
