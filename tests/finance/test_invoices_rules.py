"""Pure invoice rules: instalments split the cents exactly, the deposit is deducted from the
tuition invoice, work-study makes the employer or OPCO the payer, balances and statuses, the
invoice's transition table, payments checked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capitalis.finance import rules
from capitalis.finance.rules import (
    FeeError,
    FeeScheduleFacts,
    FeeTrack,
    InvoiceStatus,
    LineKind,
    Payer,
)

money = st.decimals(
    min_value=Decimal("0.00"), max_value=Decimal("99999999.99"), places=2, allow_nan=False
)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(total=money, count=st.integers(1, 48), first=days, every=st.integers(0, 12))
def test_instalments_sum_to_the_total_and_only_the_last_differs(
    total: Decimal, count: int, first: date, every: int
) -> None:
    plan = rules.instalments(total, count, first, every)
    amounts = [a for _d, a in plan]
    assert len(plan) == count
    assert sum(amounts, Decimal(0)) == total
    assert all(a == a.quantize(Decimal("0.01")) and a >= 0 for a in amounts)
    assert len(set(amounts[:-1])) <= 1
    assert 0 <= amounts[-1] - amounts[0] < Decimal("0.01") * count
    assert plan[0][0] == first
    dues = [d for d, _a in plan]
    assert dues == sorted(dues)


def test_instalments_example_and_month_ends() -> None:
    plan = rules.instalments(Decimal("8890.00"), 3, date(2025, 1, 31), 1)
    assert plan == (
        (date(2025, 1, 31), Decimal("2963.33")),
        (date(2025, 2, 28), Decimal("2963.33")),
        (date(2025, 3, 31), Decimal("2963.34")),
    )


def test_instalments_refuse_no_instalment_and_three_decimals() -> None:
    with pytest.raises(FeeError) as error:
        rules.instalments(Decimal("10"), 0, date(2025, 1, 1))
    assert error.value.code == "instalment_count"
    with pytest.raises(FeeError) as error:
        rules.instalments(Decimal("10.001"), 2, date(2025, 1, 1))
    assert error.value.code == "too_many_decimals"


def _schedule(track: FeeTrack) -> FeeScheduleFacts:
    return FeeScheduleFacts(
        academic_year="2025-26",
        track=track,
        tuition=Decimal("9990.00"),
        deposit=Decimal("1100.00") if track is FeeTrack.INITIAL else Decimal("0.00"),
        application_fee=Decimal("80.00"),
        cvec=Decimal("103.00"),
    )


def test_tuition_invoice_deducts_the_deposit() -> None:
    quote = rules.compute_fees(_schedule(FeeTrack.INITIAL), payer=Payer.LEARNER)
    lines = rules.tuition_lines(quote)
    assert [(x.kind, x.amount) for x in lines] == [
        (LineKind.TUITION, Decimal("9990.00")),
        (LineKind.DEPOSIT, Decimal("-1100.00")),
    ]
    assert sum(x.amount for x in lines) == Decimal("8890.00") == quote.learner_remainder
    assert [(x.kind, x.amount) for x in rules.deposit_lines(quote)] == [
        (LineKind.DEPOSIT, Decimal("1100.00"))
    ]
    assert rules.tuition_payer(quote) is Payer.LEARNER
    assert [x.amount for x in rules.application_fee_lines(quote)] == [Decimal("80.00")]


@pytest.mark.parametrize("payer", [Payer.EMPLOYER, Payer.OPCO])
def test_work_study_the_employer_or_opco_pays_and_the_learner_owes_nothing(payer: Payer) -> None:
    quote = rules.compute_fees(_schedule(FeeTrack.WORK_STUDY), payer=payer)
    assert rules.tuition_payer(quote) is payer
    assert rules.deposit_lines(quote) == ()
    assert [x.amount for x in rules.tuition_lines(quote)] == [Decimal("9990.00")]
    assert quote.learner_remainder == 0


@given(
    lines=st.lists(money, max_size=5),
    payments=st.lists(money.filter(lambda d: d > 0), max_size=5),
)
def test_balance_is_lines_minus_payments(lines: list[Decimal], payments: list[Decimal]) -> None:
    owed = rules.balance(lines, payments)
    assert owed == sum(lines, Decimal(0)) - sum(payments, Decimal(0))
    status = rules.status_from_balance(InvoiceStatus.ISSUED, owed)
    assert (status is InvoiceStatus.PAID) == (owed <= 0)


def test_status_from_balance_leaves_cancelled_and_reopens_paid() -> None:
    assert rules.status_from_balance(InvoiceStatus.CANCELLED, Decimal(0)) is InvoiceStatus.CANCELLED
    assert rules.status_from_balance(InvoiceStatus.PAID, Decimal(5)) is InvoiceStatus.ISSUED


def test_transition_table() -> None:
    assert rules.invoice_can_transition(InvoiceStatus.DRAFT, InvoiceStatus.ISSUED)
    assert rules.invoice_can_transition(InvoiceStatus.ISSUED, InvoiceStatus.CANCELLED)
    assert not rules.invoice_can_transition(InvoiceStatus.PAID, InvoiceStatus.CANCELLED)
    assert not rules.invoice_can_transition(InvoiceStatus.CANCELLED, InvoiceStatus.ISSUED)


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (Decimal("0"), "not_positive"),
        (Decimal("-5"), "not_positive"),
        (Decimal("10.005"), "too_many_decimals"),
        (Decimal("100.01"), "over_balance"),
        (Decimal("NaN"), "not_a_number"),
    ],
)
def test_check_payment_refusals(amount: Decimal, code: str) -> None:
    with pytest.raises(FeeError) as error:
        rules.check_payment(amount, owed=Decimal("100.00"))
    assert error.value.code == code


def test_check_payment_overpayment_when_confirmed() -> None:
    assert rules.check_payment(
        Decimal("120.5"), owed=Decimal("100"), allow_overpayment=True
    ) == Decimal("120.50")
    assert rules.check_payment(Decimal("10.000"), owed=Decimal("100")) == Decimal("10.00")
