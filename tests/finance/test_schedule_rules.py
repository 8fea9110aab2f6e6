"""Pure rules (no database): which fee schedule an edition pays, the academic year of an
edition, what a withdrawal credits, what is late."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capitalis.finance import rules

D = Decimal


def test_an_edition_pays_its_own_year_else_the_latest_before() -> None:
    years = ["2024-25", "2025-26", "2026-27"]
    assert rules.schedule_year_for("2025-26", years) == rules.ScheduleChoice(
        "2025-26", True, "the 2025-26 fee schedule"
    )
    later = rules.schedule_year_for("2028-29", years)
    assert (later.year, later.exact) == ("2026-27", False)
    assert "latest before it (2026-27)" in later.reason
    # never a later year's prices, nothing before: none applies
    assert rules.schedule_year_for("2023-24", years).year is None
    assert rules.schedule_year_for("2024-25", []).year is None


def test_academic_year_of_an_edition() -> None:
    assert rules.academic_year_of("2024-25", date(2024, 9, 1)) == "2024-25"
    assert rules.academic_year_of("SPRING", date(2026, 1, 15)) == "2025-26"
    assert rules.academic_year_of("2024-26", date(2024, 9, 1)) == "2024-25"
    assert rules.academic_year_of("X", date(2099, 9, 1)) == "2099-00"


PLAN = (
    (date(2026, 10, 1), D("300.00")),
    (date(2026, 11, 1), D("300.00")),
    (date(2026, 12, 1), D("400.00")),
)


def test_withdrawal_credits_what_falls_due_later_less_what_was_paid_ahead() -> None:
    on = date(2026, 10, 15)
    assert rules.withdrawal_credit(PLAN, paid=D("0"), withdrawn_on=on).amount == D("700.00")
    assert rules.withdrawal_credit(PLAN, paid=D("300"), withdrawn_on=on).amount == D("700.00")
    assert rules.withdrawal_credit(PLAN, paid=D("500"), withdrawn_on=on).amount == D("500.00")
    assert rules.withdrawal_credit(PLAN, paid=D("1000"), withdrawn_on=on).amount == D("0.00")
    # withdrawn on a due day: that instalment stays owed
    assert rules.withdrawal_credit(PLAN, paid=D("0"), withdrawn_on=date(2026, 11, 1)).amount == D(
        "400.00"
    )


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    paid=st.decimals(min_value=0, max_value=2000, places=2),
    day=st.dates(min_value=date(2026, 9, 1), max_value=date(2027, 1, 31)),
)
def test_after_credit_nothing_is_refunded_and_what_fell_due_stays_owed(
    paid: Decimal, day: date
) -> None:
    credit = rules.withdrawal_credit(PLAN, paid=paid, withdrawn_on=day).amount
    total = sum(a for _d, a in PLAN)
    payable = total - credit
    assert D(0) <= credit <= total
    assert payable >= min(rules.due_by(PLAN, day), total)  # what fell due is kept
    assert payable >= min(paid, total)  # money received is never credited back


def test_late_is_what_fell_due_less_what_was_paid() -> None:
    today = date(2026, 11, 15)
    assert rules.late_amount(PLAN, payable=D("1000"), paid=D("0"), today=today) == D("600.00")
    assert rules.late_amount(PLAN, payable=D("1000"), paid=D("650"), today=today) == D("0.00")
    # after a credit note, only what remains payable can be late
    assert rules.late_amount(PLAN, payable=D("300"), paid=D("100"), today=date(2027, 1, 1)) == D(
        "200.00"
    )
