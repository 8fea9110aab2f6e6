"""The pure fee computation (SPEC §8): no database, money as Decimal, never float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capitalis.finance.rules import (
    FeeError,
    FeeScheduleFacts,
    FeeTrack,
    LineKind,
    Payer,
    compute_fees,
    validate_amount,
    validate_schedule,
)


def schedule(
    *,
    track: FeeTrack = FeeTrack.INITIAL,
    tuition: object = Decimal("9990.00"),
    deposit: object = Decimal("1100.00"),
    application_fee: object = Decimal("80.00"),
    cvec: object = Decimal("103.00"),
    academic_year: str = "2025-26",
) -> FeeScheduleFacts:
    return FeeScheduleFacts(
        academic_year=academic_year,
        track=track,
        tuition=tuition,  # type: ignore[arg-type]
        deposit=deposit,  # type: ignore[arg-type]
        application_fee=application_fee,  # type: ignore[arg-type]
        cvec=cvec,  # type: ignore[arg-type]
    )


def line(quote, kind: LineKind):
    [found] = [item for item in quote.lines if item.kind is kind]
    return found


# -- the two tracks ---------------------------------------------------------------------------


def test_initial_with_deposit_learner_owes_tuition_minus_deposit() -> None:
    quote = compute_fees(schedule(), payer=Payer.LEARNER)
    assert quote.total == Decimal("9990.00")
    assert quote.deposit == Decimal("1100.00")
    assert quote.learner_remainder == Decimal("8890.00")
    assert line(quote, LineKind.TUITION).amount == Decimal("9990.00")
    assert line(quote, LineKind.DEPOSIT).amount == Decimal("-1100.00")
    assert any("deposit" in reason for reason in quote.reasons)


def test_initial_lines_in_order_with_application_fee_and_recorded_cvec() -> None:
    quote = compute_fees(schedule(), payer=Payer.LEARNER)
    assert [item.kind for item in quote.lines] == [
        LineKind.APPLICATION_FEE,
        LineKind.TUITION,
        LineKind.DEPOSIT,
        LineKind.CVEC,
    ]
    assert line(quote, LineKind.APPLICATION_FEE).amount == Decimal("80.00")
    assert line(quote, LineKind.APPLICATION_FEE).payer is Payer.LEARNER
    cvec = line(quote, LineKind.CVEC)
    assert cvec.amount == Decimal("103.00")
    assert cvec.billed is False  # paid to the State, only recorded
    # Neither the application fee nor the CVEC is part of the tuition total.
    assert quote.total == Decimal("9990.00")


def test_initial_without_deposit_has_no_deposit_line() -> None:
    quote = compute_fees(schedule(deposit=Decimal("0")), payer=Payer.LEARNER)
    assert LineKind.DEPOSIT not in {item.kind for item in quote.lines}
    assert quote.deposit == Decimal("0")
    assert quote.learner_remainder == Decimal("9990.00")


def test_initial_paid_by_employer_leaves_nothing_for_the_learner_and_says_why() -> None:
    quote = compute_fees(schedule(), payer=Payer.EMPLOYER)
    assert quote.learner_remainder == Decimal("0.00")
    assert line(quote, LineKind.TUITION).payer is Payer.EMPLOYER
    assert any("employer" in reason for reason in quote.reasons)


@pytest.mark.parametrize("payer", [Payer.EMPLOYER, Payer.OPCO])
def test_work_study_learner_owes_nothing(payer: Payer) -> None:
    quote = compute_fees(
        schedule(track=FeeTrack.WORK_STUDY, tuition=Decimal("10950"), deposit=Decimal("0")),
        payer=payer,
    )
    assert quote.learner_remainder == Decimal("0.00")
    assert quote.deposit == Decimal("0.00")
    assert quote.total == Decimal("10950.00")
    tuition = line(quote, LineKind.TUITION)
    assert tuition.payer is payer
    assert LineKind.DEPOSIT not in {item.kind for item in quote.lines}
    assert any("owes nothing" in reason for reason in quote.reasons)


def test_work_study_ignores_a_deposit_on_the_schedule() -> None:
    quote = compute_fees(schedule(track=FeeTrack.WORK_STUDY), payer=Payer.OPCO)
    assert quote.deposit == Decimal("0.00")
    assert quote.learner_remainder == Decimal("0.00")


def test_work_study_cannot_be_paid_by_the_learner() -> None:
    with pytest.raises(FeeError) as error:
        compute_fees(schedule(track=FeeTrack.WORK_STUDY), payer=Payer.LEARNER)
    assert error.value.code == "payer_not_allowed"


def test_quote_remembers_its_year_and_track() -> None:
    quote = compute_fees(schedule(academic_year="2026-27"), payer=Payer.LEARNER)
    assert quote.params == {"academic_year": "2026-27", "track": "initial"}


# -- bad amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["tuition", "deposit", "application_fee", "cvec"])
def test_more_than_two_decimals_is_refused(field: str) -> None:
    with pytest.raises(FeeError) as error:
        compute_fees(schedule(**{field: Decimal("80.005")}), payer=Payer.LEARNER)
    assert error.value.code == "too_many_decimals"
    assert field in str(error.value)


def test_trailing_zeros_beyond_two_decimals_are_accepted() -> None:
    assert validate_amount(Decimal("80.000"), name="x") == Decimal("80.00")


@pytest.mark.parametrize("field", ["tuition", "deposit", "application_fee", "cvec"])
def test_negative_amount_is_refused(field: str) -> None:
    with pytest.raises(FeeError) as error:
        compute_fees(schedule(**{field: Decimal("-1")}), payer=Payer.LEARNER)
    assert error.value.code == "negative"


def test_deposit_over_tuition_is_refused() -> None:
    with pytest.raises(FeeError) as error:
        compute_fees(
            schedule(tuition=Decimal("1000"), deposit=Decimal("1000.01")), payer=Payer.LEARNER
        )
    assert error.value.code == "deposit_over_tuition"


def test_deposit_equal_to_tuition_leaves_nothing() -> None:
    quote = compute_fees(
        schedule(tuition=Decimal("1000"), deposit=Decimal("1000")), payer=Payer.LEARNER
    )
    assert quote.learner_remainder == Decimal("0")


@pytest.mark.parametrize("value", [9990.0, 0.1, 10, "9990.00", None])
def test_anything_but_a_decimal_is_refused_never_float(value: object) -> None:
    with pytest.raises(FeeError) as error:
        compute_fees(schedule(tuition=value), payer=Payer.LEARNER)
    assert error.value.code == "not_a_number"


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_non_finite_decimals_are_refused(value: Decimal) -> None:
    with pytest.raises(FeeError) as error:
        validate_schedule(schedule(cvec=value))
    assert error.value.code == "not_a_number"


# -- invariants -------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c).scaleb(-2))


@given(tuition=cents, deposit=cents, payer=st.sampled_from(list(Payer)))
def test_initial_remainder_plus_deposit_is_the_tuition_for_the_learner(
    tuition: Decimal, deposit: Decimal, payer: Payer
) -> None:
    facts = schedule(tuition=tuition, deposit=deposit)
    if deposit > tuition:
        with pytest.raises(FeeError):
            compute_fees(facts, payer=payer)
        return
    quote = compute_fees(facts, payer=payer)
    assert quote.total == tuition
    if payer is Payer.LEARNER:
        assert quote.learner_remainder + quote.deposit == tuition
    else:
        assert quote.learner_remainder == 0
    # Every amount keeps two decimals: Decimal all the way, no float creeps in.
    for item in quote.lines:
        assert isinstance(item.amount, Decimal)
        assert item.amount == item.amount.quantize(Decimal("0.01"))
    assert isinstance(quote.learner_remainder, Decimal)


@given(tuition=cents, payer=st.sampled_from([Payer.EMPLOYER, Payer.OPCO]))
def test_work_study_learner_never_owes_tuition(tuition: Decimal, payer: Payer) -> None:
    quote = compute_fees(
        schedule(track=FeeTrack.WORK_STUDY, tuition=tuition, deposit=Decimal(0)), payer=payer
    )
    assert quote.learner_remainder == 0
    billed_to_learner = [
        item
        for item in quote.lines
        if item.payer is Payer.LEARNER and item.kind is LineKind.TUITION
    ]
    assert billed_to_learner == []
