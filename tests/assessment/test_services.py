"""Assessment services: creation and its calendar events, result entry with its checks,
history, group results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from capitalis.assessment import services
from capitalis.assessment.models import Assessment, Result
from capitalis.core.exceptions import DomainError
from capitalis.programmes.models import CalendarEvent
from tests.assessment.builders import exam, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def test_assessment_needs_course_or_block_and_positive_weight(w) -> None:
    with translation.override("en"), pytest.raises(DomainError, match="course, a block"):
        services.assessment_create(
            edition=w.edition,
            code="X",
            title_fr="X",
            modality="oral_exam",
            date=dt.date(2025, 2, 1),
            actor=w.director,
        )
    with translation.override("fr"), pytest.raises(DomainError, match="supérieur à 0"):
        exam(w, weight=0)
    assert not Assessment.objects.exists()


def test_a_lecturer_cannot_create_another_course_assessment(w) -> None:
    with pytest.raises(DomainError) as error:
        services.assessment_create(
            edition=w.edition,
            course=w.course,
            code="X",
            title_fr="X",
            modality="oral_exam",
            date=dt.date(2025, 2, 1),
            actor=w.other_lecturer,
        )
    assert error.value.code == "not_authorised"


def test_calendar_events_created_then_moved_with_a_stable_uid(w) -> None:
    a = exam(w)
    events = list(CalendarEvent.objects.filter(kind="assessment").order_by("uid"))
    # four learners: two campuses × two tracks → four calendars, one event each
    assert len(events) == 4
    assert {e.start_date for e in events} == {dt.date(2025, 1, 15)}
    assert all(e.uid.startswith(f"assessment-{a.pk}-") for e in events)
    uids = [e.uid for e in events]
    services.assessment_update(assessment=a, date=dt.date(2025, 2, 3), actor=w.lecturer)
    moved = list(CalendarEvent.objects.filter(kind="assessment").order_by("uid"))
    assert [e.uid for e in moved] == uids
    assert {e.start_date for e in moved} == {dt.date(2025, 2, 3)}


def test_grade_outside_0_20_is_refused_and_nothing_saved(w) -> None:
    a = exam(w)
    e = w.enrolments[0]
    for bad in ("20.5", "-1", "abc", Decimal("21")):
        with translation.override("fr"), pytest.raises(DomainError) as error:
            services.result_set(
                assessment=a,
                enrolment=e,
                competency=w.competencies[0],
                grade=bad,
                actor=w.lecturer,
            )
        assert error.value.code == "grade"
        assert "entre 0 et 20" in error.value.message or "pas un nombre" in error.value.message
    assert not Result.objects.exists()


def test_only_the_course_lecturer_or_a_director_enters_results(w) -> None:
    a = exam(w)
    e = w.enrolments[0]
    learner_user = e.learner.user
    for intruder in (w.other_lecturer, learner_user):
        with translation.override("en"), pytest.raises(DomainError, match="lecturer"):
            services.result_set(
                assessment=a, enrolment=e, competency=w.competencies[0], grade=12, actor=intruder
            )
    assert not Result.objects.exists()
    services.result_set(
        assessment=a, enrolment=e, competency=w.competencies[0], grade=12, actor=w.director
    )
    assert Result.objects.get().author == w.director


def test_a_results_grid_is_entered_all_or_nothing_with_a_reason_per_cell(w) -> None:
    a = exam(w)
    e0, e1 = w.enrolments[:2]
    c = w.competencies[0]

    def entry(key: str, enrolment: Any, grade: str) -> services.ResultEntry:
        return services.ResultEntry(
            key=key,
            enrolment=enrolment,
            competency=c,
            grade=grade,
            level=None,
            absence="none",
            comment="",
        )

    with translation.override("en"), pytest.raises(services.ResultsRefused) as refused:
        services.results_enter(
            assessment=a, entries=[entry("a", e0, "12"), entry("b", e1, "25")], actor=w.lecturer
        )
    assert list(refused.value.errors) == ["b"] and "between 0 and 20" in refused.value.errors["b"]
    assert not Result.objects.exists()
    entries = [entry("a", e0, "12"), entry("b", e1, "14")]
    assert services.results_enter(assessment=a, entries=entries, actor=w.lecturer) == 2
    assert services.results_enter(assessment=a, entries=entries, actor=w.lecturer) == 0
    assert sorted(Result.objects.values_list("grade", flat=True)) == [  # type: ignore[type-var]
        Decimal("12.00"),
        Decimal("14.00"),
    ]


def test_history_keeps_the_previous_value_and_the_author(w) -> None:
    a = exam(w)
    e = w.enrolments[0]
    c = w.competencies[0]
    services.result_set(assessment=a, enrolment=e, competency=c, grade="9,5", actor=w.lecturer)
    result, changed = services.result_set(
        assessment=a, enrolment=e, competency=c, grade="11", comment="revu", actor=w.director
    )
    assert changed and result.grade == Decimal("11.00")
    history = list(result.history.order_by("history_date"))
    assert [h.grade for h in history] == [Decimal("9.50"), Decimal("11.00")]
    assert [h.history_user for h in history] == [w.lecturer, w.director]
    # the same value again: nothing written
    _, changed = services.result_set(
        assessment=a, enrolment=e, competency=c, grade="11", comment="revu", actor=w.director
    )
    assert not changed and result.history.count() == 2


def test_competency_must_be_evaluated_by_the_assessment(w) -> None:
    a = exam(w, competencies=w.competencies[:1])
    with translation.override("en"), pytest.raises(DomainError, match="not evaluated"):
        services.result_set(
            assessment=a,
            enrolment=w.enrolments[0],
            competency=w.competencies[1],
            grade=10,
            actor=w.lecturer,
        )


def test_bad_level_or_absence_is_refused(w) -> None:
    a = exam(w)
    cases: list[dict[str, Any]] = [{"level": "great"}, {"absence": "sick"}, {}]
    for kw in cases:
        with pytest.raises(DomainError):
            services.result_set(assessment=a, enrolment=w.enrolments[0], actor=w.lecturer, **kw)
    assert not Result.objects.exists()


def test_group_result_reaches_every_member(w) -> None:
    a = exam(w, code="GRP", modality="group_case_study")
    group = services.assessment_group_set(
        assessment=a, name="Équipe A", members=w.enrolments[:3], actor=w.lecturer
    )
    results = services.group_result_set(
        group=group, competency=w.competencies[0], grade=14, level="acquired", actor=w.lecturer
    )
    assert len(results) == 3
    rows = Result.objects.filter(assessment=a).values_list("enrolment_id", "grade", "level")
    assert sorted(rows) == sorted((e.pk, Decimal("14.00"), "acquired") for e in w.enrolments[:3])
    with pytest.raises(DomainError):
        services.group_result_set(group=group, grade=25, actor=w.lecturer)
    assert Result.objects.filter(assessment=a).count() == 3
