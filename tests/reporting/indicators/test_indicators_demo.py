"""The reporting demo's past cohorts (``capitalis.reporting.indicators.demo``): the defence grade
puts each learner's mean on the side the demo plans. What ``seed_demo`` gives the indicators is
checked on the demo seeded once, in tests/demo/test_seeded_demo.py."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from capitalis.reporting.indicators.demo import DEFENCE_WEIGHT, defence_grade

grades = st.decimals(min_value=0, max_value=20, places=1)


@given(grade_sum=grades, usual=grades, acquired=st.booleans())
def test_defence_grade_puts_the_mean_on_the_planned_side(
    grade_sum: Decimal, usual: Decimal, acquired: bool
) -> None:
    """One earlier grade (weight 2) and the defence (weight 3): the mean lands at or above 10
    when the competency must be acquired, below 10 otherwise; the usual grade when it does."""
    weight = Decimal(2)
    total = grade_sum * weight
    grade = defence_grade(grade_sum=total, grade_weight=weight, acquired=acquired, usual=usual)
    assert Decimal(0) <= grade <= Decimal(20)
    mean = (total + DEFENCE_WEIGHT * grade) / (weight + DEFENCE_WEIGHT)
    assert (mean >= 10) is acquired
    if (total + DEFENCE_WEIGHT * usual >= 10 * (weight + DEFENCE_WEIGHT)) is acquired:
        assert grade == usual
