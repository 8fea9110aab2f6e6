"""A course's final grade from the learner's results (``rules.course_grade``, SPEC §6
defaults), no database: examples, then properties."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from capitalis.jury.rules import Absence, CourseEvidence, CourseGrade, Session, course_grade

D = Decimal
RESIT = Session.RESIT


def test_weighted_mean_of_the_assessments_means() -> None:
    rows = [
        CourseEvidence(1, D(1), grade=D(14)),
        CourseEvidence(1, D(1), grade=D(10)),  # assessment 1: mean 12
        CourseEvidence(2, D(3), grade=D(8)),
    ]
    assert course_grade(rows) == CourseGrade(D("9.00"), False)  # (12 + 3·8) / 4


def test_unjustified_absence_counts_zero_justified_is_left_out() -> None:
    rows = [
        CourseEvidence(1, D(1), grade=D(12)),
        CourseEvidence(2, D(3), absence=Absence.UNJUSTIFIED),
        CourseEvidence(3, D(5), absence=Absence.JUSTIFIED),
    ]
    assert course_grade(rows) == CourseGrade(D("3.00"), False)  # (12 + 3·0) / 4
    # an unjustified absence counts 0 even if a grade was typed beside it
    assert course_grade([CourseEvidence(1, D(1), grade=D(15), absence=Absence.UNJUSTIFIED)]) == (
        CourseGrade(D("0.00"), False)
    )
    # an assessment missed with a justification leaves nothing: no grade yet
    assert course_grade([CourseEvidence(1, D(2), absence=Absence.JUSTIFIED)]) == CourseGrade(
        None, False
    )


def test_graded_resit_replaces_the_first_session_higher_or_lower() -> None:
    first = CourseEvidence(1, D(1), grade=D(6))
    assert course_grade([first, CourseEvidence(2, D(1), RESIT, D(11))]) == CourseGrade(
        D("11.00"), True
    )
    better = CourseEvidence(1, D(1), grade=D(9))
    assert course_grade([better, CourseEvidence(2, D(1), RESIT, D(4))]) == CourseGrade(
        D("4.00"), True
    )
    # a resit missed with a justification leaves the first session standing
    missed = CourseEvidence(2, D(1), RESIT, absence=Absence.JUSTIFIED)
    assert course_grade([first, missed]) == CourseGrade(D("6.00"), False)
    # missed without one: it was graded 0, and replaces
    absent = CourseEvidence(2, D(1), RESIT, absence=Absence.UNJUSTIFIED)
    assert course_grade([first, absent]) == CourseGrade(D("0.00"), True)


def test_rounded_to_two_places_and_nothing_gives_none() -> None:
    rows = [CourseEvidence(1, D(1), grade=D(10)), CourseEvidence(2, D(2), grade=D(11))]
    assert course_grade(rows) == CourseGrade(D("10.67"), False)
    assert course_grade([]) == CourseGrade(None, False)
    # an ungraded result without absence (e.g. a level only) does not count
    assert course_grade([CourseEvidence(1, D(1))]) == CourseGrade(None, False)


grades = st.decimals(min_value=0, max_value=20, places=2)
weights = st.decimals(min_value=D("0.5"), max_value=10, places=1)
results = st.lists(
    st.builds(
        CourseEvidence,
        assessment=st.integers(1, 4),
        weight=weights,
        session=st.sampled_from(Session),
        grade=st.none() | grades,
        absence=st.sampled_from(Absence),
    ),
    max_size=12,
)


def _consistent(rows: list[CourseEvidence]) -> list[CourseEvidence]:
    """Every row of one assessment with that assessment's weight and session (as stored)."""
    first: dict[object, CourseEvidence] = {}
    for row in rows:
        first.setdefault(row.assessment, row)
    return [
        row._replace(weight=first[row.assessment].weight, session=first[row.assessment].session)
        for row in rows
    ]


@given(results)
def test_grade_is_within_the_counted_grades_and_order_does_not_matter(
    rows: list[CourseEvidence],
) -> None:
    rows = _consistent(rows)
    result = course_grade(rows)
    assert course_grade(list(reversed(rows))) == result
    counted = [
        r
        for r in rows
        if r.absence is not Absence.JUSTIFIED
        and (r.grade is not None or r.absence is Absence.UNJUSTIFIED)
    ]
    resits = [r for r in counted if r.session is RESIT]
    assert result.resit is bool(resits)
    used = resits or counted
    if not used:
        assert result.grade is None
        return
    values = [D(0) if r.absence is Absence.UNJUSTIFIED else r.grade for r in used]
    assert result.grade is not None
    assert min(v for v in values if v is not None) - D("0.01") <= result.grade
    assert result.grade <= max(v for v in values if v is not None) + D("0.01")


@given(results, st.integers(2, 5))
def test_scaling_every_weight_changes_nothing(rows: list[CourseEvidence], k: int) -> None:
    rows = _consistent(rows)
    assert course_grade([r._replace(weight=r.weight * k) for r in rows]) == course_grade(rows)


@given(results, st.integers(1, 4), weights)
def test_an_unjustified_absence_never_raises_the_grade(
    rows: list[CourseEvidence], assessment: int, weight: Decimal
) -> None:
    rows = _consistent([r for r in rows if r.session is not RESIT])
    before = course_grade(rows).grade
    absent = CourseEvidence(assessment, weight, absence=Absence.UNJUSTIFIED)
    after = course_grade(_consistent([*rows, absent])).grade
    assert after is not None
    assert before is None or after <= before
