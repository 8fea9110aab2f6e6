"""Fee schedules: ``fee_schedule_set`` refuses amounts with more than two decimals, negative
amounts and a deposit above the tuition with a clear error and saves nothing; a stored
schedule feeds the pure fee computation."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.finance import rules
from capitalis.finance.models import FeeSchedule
from capitalis.finance.services import fee_schedule_set, schedule_facts
from capitalis.programmes.models import Programme
from tests.programmes.builders import build_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English here (French is the default language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def programme() -> Programme:
    build_catalogue(editions=1, campuses=1, courses=1)
    FeeSchedule.objects.all().delete()
    return Programme.objects.get()


def _set(programme: Programme, **overrides: object) -> tuple[FeeSchedule, bool]:
    values: dict[str, object] = {
        "programme": programme,
        "academic_year": "2025-26",
        "track": "initial",
        "tuition": Decimal("9990.00"),
        "deposit": Decimal("1100.00"),
        "application_fee": Decimal("80"),
        "cvec": Decimal("103"),
    }
    values.update(overrides)
    return fee_schedule_set(**values)  # type: ignore[arg-type]


def test_set_then_same_values_write_nothing(programme: Programme) -> None:
    schedule, changed = _set(programme)
    assert changed and schedule.tuition == Decimal("9990.00")
    audits = AuditEvent.objects.count()
    _schedule, changed = _set(programme)
    assert not changed
    assert AuditEvent.objects.count() == audits
    _schedule, changed = _set(programme, tuition=Decimal("10000"))
    assert changed
    assert FeeSchedule.objects.get().tuition == Decimal("10000.00")


def test_more_than_two_decimals_is_refused(programme: Programme) -> None:
    with pytest.raises(DomainError, match="tuition has more than two decimals") as exc:
        _set(programme, tuition=Decimal("9990.001"))
    assert exc.value.code == "too_many_decimals"
    assert not FeeSchedule.objects.exists()
    assert not AuditEvent.objects.filter(action="fee_schedule_set").exists()


def test_string_amount_with_three_decimals_is_refused(programme: Programme) -> None:
    with pytest.raises(DomainError, match="more than two decimals"):
        _set(programme, cvec="103.125")
    assert not FeeSchedule.objects.exists()


def test_negative_and_deposit_over_tuition_are_refused(programme: Programme) -> None:
    with pytest.raises(DomainError, match="cannot be negative"):
        _set(programme, application_fee=Decimal("-80"))
    with pytest.raises(DomainError, match="deposit exceeds the tuition"):
        _set(programme, deposit=Decimal("10000"))
    with pytest.raises(DomainError, match="academic year"):
        _set(programme, academic_year="2025/2026")
    assert not FeeSchedule.objects.exists()


def test_stored_schedule_feeds_the_computation(programme: Programme) -> None:
    schedule, _changed = _set(programme)
    quote = rules.compute_fees(schedule_facts(schedule), payer=rules.Payer.LEARNER)
    assert quote.total == Decimal("9990.00")
    assert quote.deposit == Decimal("1100.00")
    assert quote.learner_remainder == Decimal("8890.00")
    work, _changed = _set(
        programme,
        track="work_study",
        deposit=Decimal(0),
        tuition=Decimal("10950"),
        third_party_pays=True,
    )
    quote = rules.compute_fees(schedule_facts(work), payer=rules.Payer.OPCO)
    assert quote.learner_remainder == Decimal("0.00")


def test_error_is_translated(programme: Programme) -> None:
    from django.utils import translation

    with translation.override("fr"), pytest.raises(DomainError) as exc:
        _set(programme, tuition=Decimal("1.234"))
    assert exc.value.message == "Le montant « frais de scolarité » comporte plus de deux décimales."
