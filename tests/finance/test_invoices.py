"""Invoices from the fee schedules: the application fee of a candidate, the deposit and the
tuition (deposit deducted, in instalments) of an enrolment on the initial track, the tuition
billed to the OPCO or the employer on work-study; a missing schedule or a second invoice is
refused with a translated error and nothing saved; cancelling needs a reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation

from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.finance import services
from capitalis.finance.models import FeeSchedule, Invoice
from tests.finance import invoice_builders as build

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_english"),
]


@pytest.fixture
def _english() -> Iterator[None]:
    with (
        translation.override("en"),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        yield


@pytest.fixture
def staff():  # type: ignore[no-untyped-def]
    build.catalogue()
    return build.person("finance@example.org", build.Role.FINANCE)


def _total(invoice: Invoice) -> Decimal:
    return sum((line.amount for line in invoice.lines.all()), Decimal(0))


def test_application_fee_invoice(staff) -> None:  # type: ignore[no-untyped-def]
    candidate = build.person("cand@example.org", build.Role.CANDIDATE)
    application = build.application(candidate)
    invoice = services.invoice_create_for_application_fee(
        application=application, actor=staff, issued_on=date(2024, 3, 2)
    )
    assert invoice.number == "CAP-2024-00001"
    assert invoice.status == "issued"
    assert invoice.customer == candidate and invoice.payer_kind == "learner"
    assert [(x.kind, x.amount) for x in invoice.lines.all()] == [
        ("application_fee", Decimal("80.00"))
    ]
    assert [(i.due_on, i.amount) for i in invoice.instalments.all()] == [
        (date(2024, 3, 2), Decimal("80.00"))
    ]
    assert AuditEvent.objects.filter(action="invoice_create", target_id=str(invoice.pk)).exists()
    # exactly once: a second call returns the same invoice and writes nothing
    again = services.invoice_create_for_application_fee(application=application, actor=staff)
    assert again.pk == invoice.pk and Invoice.objects.count() == 1
    second = services.invoice_create_for_application_fee(
        application=build.application(candidate), actor=staff, issued_on=date(2024, 3, 3)
    )
    assert second.number == "CAP-2024-00002"


def test_missing_fee_schedule_is_a_translated_error_and_saves_nothing(staff) -> None:  # type: ignore[no-untyped-def]
    FeeSchedule.objects.all().delete()
    application = build.application(build.person("cand@example.org"))
    with pytest.raises(DomainError) as error:
        services.invoice_create_for_application_fee(application=application, actor=staff)
    assert "No fee schedule for" in error.value.message and "2024-25" in error.value.message
    with translation.override("fr"), pytest.raises(DomainError) as error:
        services.invoice_create_for_application_fee(application=application, actor=staff)
    assert "Aucun barème" in error.value.message
    assert not Invoice.objects.exists()


def test_initial_track_deposit_then_tuition_with_the_deposit_deducted(staff) -> None:  # type: ignore[no-untyped-def]
    learner = build.person("learner@example.org", build.Role.LEARNER)
    enrolment = build.enrolment(learner)
    deposit, tuition = services.invoice_create_for_enrolment(
        enrolment=enrolment,
        actor=staff,
        issued_on=date(2024, 7, 1),
        instalment_count=3,
        first_due=date(2024, 10, 31),
        every_months=1,
    )
    assert (deposit.kind, deposit.payer_kind, _total(deposit)) == (
        "deposit",
        "learner",
        Decimal("1100.00"),
    )
    assert [(x.kind, x.amount) for x in tuition.lines.all()] == [
        ("tuition", Decimal("9990.00")),
        ("deposit", Decimal("-1100.00")),
    ]
    assert [(i.due_on, i.amount) for i in tuition.instalments.all()] == [
        (date(2024, 10, 31), Decimal("2963.33")),
        (date(2024, 11, 30), Decimal("2963.33")),
        (date(2024, 12, 31), Decimal("2963.34")),
    ]
    assert _total(deposit) + _total(tuition) == Decimal("9990.00")
    again = services.invoice_create_for_enrolment(enrolment=enrolment, actor=staff)
    assert [i.pk for i in again] == [deposit.pk, tuition.pk] and Invoice.objects.count() == 2


@pytest.mark.parametrize(("opco", "payer"), [("OPCO Atlas test", "opco"), ("", "employer")])
def test_work_study_billed_to_the_opco_or_employer_learner_owes_nothing(
    staff,  # type: ignore[no-untyped-def]
    opco: str,
    payer: str,
) -> None:
    learner = build.person("learner@example.org", build.Role.LEARNER)
    enrolment = build.enrolment(learner, track="work_study", opco=opco)
    (invoice,) = services.invoice_create_for_enrolment(enrolment=enrolment, actor=staff)
    assert invoice.payer_kind == payer
    assert invoice.payer_name == (opco or "Employer Test SA")
    assert _total(invoice) == FeeSchedule.objects.get(track="work_study").tuition
    assert not Invoice.objects.filter(payer_kind="learner").exists()


def test_work_study_without_contract_is_refused(staff) -> None:  # type: ignore[no-untyped-def]
    enrolment = build.enrolment(build.person("l@example.org"), track="work_study")
    enrolment.contracts.all().delete()
    with pytest.raises(DomainError, match="no current contract"):
        services.invoice_create_for_enrolment(enrolment=enrolment, actor=staff)
    assert not Invoice.objects.exists()


def test_cancel_needs_a_reason_and_is_audited(staff) -> None:  # type: ignore[no-untyped-def]
    application = build.application(build.person("cand@example.org"))
    invoice = services.invoice_create_for_application_fee(application=application, actor=staff)
    with pytest.raises(DomainError, match="Say why"):
        services.invoice_cancel(invoice=invoice, reason="  ", actor=staff)
    invoice = services.invoice_cancel(invoice=invoice, reason="Duplicate file", actor=staff)
    assert invoice.status == "cancelled" and invoice.cancel_reason == "Duplicate file"
    assert AuditEvent.objects.filter(action="invoice_cancel").count() == 1
    with pytest.raises(DomainError, match="cannot be cancelled"):
        services.invoice_cancel(invoice=invoice, reason="again", actor=staff)
    # a cancelled application-fee invoice can be replaced
    services.invoice_create_for_application_fee(application=application, actor=staff)


def test_demo_step_invoices_its_own_people_once(staff) -> None:  # type: ignore[no-untyped-def]
    from capitalis.accounts.demo import DEMO_DOMAIN, DemoContext
    from capitalis.finance.demo import finance

    paid = build.application(build.person(f"candidate-x@{DEMO_DOMAIN}"))
    paid.application_fee_paid = True
    paid.save()
    build.enrolment(build.person(f"learner-x@{DEMO_DOMAIN}"))
    build.enrolment(build.person(f"apprentice-x@{DEMO_DOMAIN}"), track="work_study")
    # people entered by hand: the demo never invoices them
    build.application(build.person("by-hand@example.org"))
    build.enrolment(build.person("by-hand-learner@example.org"))
    ctx = DemoContext(password="x", users={build.Role.FINANCE: staff})
    finance(ctx)
    assert Invoice.objects.count() == 4  # fee, deposit + tuition, work-study tuition
    assert not Invoice.objects.filter(customer__email__endswith="@example.org").exists()
    assert Invoice.objects.get(kind="application_fee").status == "paid"
    assert Invoice.objects.get(kind="deposit").status == "paid"
    finance(DemoContext(password="x", users={build.Role.FINANCE: staff}))
    assert Invoice.objects.count() == 4
    assert Invoice.objects.get(kind="deposit").payments.count() == 1
