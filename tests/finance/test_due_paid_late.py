"""What is due, paid and late, per invoice and in total, on the finance page and the API:
instalments fallen due less payments; the "late only" filter; a learner sees her own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client, override_settings

from capitalis.finance import queries, services
from tests.finance import invoice_builders as build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], LANGUAGE_CODE="en"
    ):
        yield


@pytest.fixture
def data() -> dict[str, object]:
    build.catalogue()
    staff = build.person("finance@example.org", build.Role.FINANCE)
    learner = build.person("learner@example.org", build.Role.LEARNER)
    deposit, tuition = services.invoice_create_for_enrolment(
        enrolment=build.enrolment(learner),
        actor=staff,
        issued_on=date(2024, 7, 1),
        first_due=date(2024, 10, 31),
        every_months=1,
    )
    services.payment_record(
        invoice=tuition, amount="1000.00", paid_on=date(2024, 11, 2), method="transfer", actor=staff
    )
    services.payment_record(
        invoice=deposit, amount="1100.00", paid_on=date(2024, 7, 2), method="card", actor=staff
    )
    return {"staff": staff, "learner": learner, "deposit": deposit, "tuition": tuition}


def test_figures_per_invoice_and_in_total(client: Client, data: dict[str, object]) -> None:
    rows = {i.kind: i for i in queries.invoice_list_for(user=data["staff"])}
    tuition = rows["tuition"]
    assert (tuition.total, tuition.fallen_due, tuition.paid, tuition.late, tuition.owed) == (
        Decimal("8890.00"),
        Decimal("8890.00"),
        Decimal("1000.00"),
        Decimal("7890.00"),
        Decimal("7890.00"),
    )
    assert (rows["deposit"].late, rows["deposit"].owed) == (Decimal("0.00"), Decimal("0.00"))
    (learner_row,) = queries.balances_per_payer(queries.invoice_list_for(user=data["staff"]))
    assert (learner_row.total, learner_row.paid, learner_row.late, learner_row.owed) == (
        Decimal("9990.00"),
        Decimal("2100.00"),
        Decimal("7890.00"),
        Decimal("7890.00"),
    )
    client.force_login(data["staff"])  # type: ignore[arg-type]
    page = client.get("/finance/invoices/")
    assert page.status_code == 200
    assert 'data-late="7890.00"' in page.text
    assert "Late (€)" in page.text and "Fallen due (€)" in page.text
    late_only = client.get("/finance/invoices/?late=1")
    assert data["tuition"].number in late_only.text  # type: ignore[attr-defined]
    assert data["deposit"].number not in late_only.text  # type: ignore[attr-defined]


def test_the_learner_sees_her_own_figures(client: Client, data: dict[str, object]) -> None:
    client.force_login(data["learner"])  # type: ignore[arg-type]
    page = client.get("/finance/invoices/")
    assert data["tuition"].number in page.text  # type: ignore[attr-defined]
    assert 'data-late="7890.00"' in page.text
    assert "Create the missing invoices" not in page.text
    assert client.post("/finance/invoices/").status_code == 404
    other = build.person("other@example.org", build.Role.LEARNER)
    client.force_login(other)
    assert data["tuition"].number not in client.get("/finance/invoices/").text  # type: ignore[attr-defined]


def test_api_gives_the_figures_and_filters_late(client: Client, data: dict[str, object]) -> None:
    client.force_login(data["staff"])  # type: ignore[arg-type]
    body = client.get("/api/finance/invoices/?late=true").json()
    items = body["results"] if isinstance(body, dict) else body
    assert [(i["kind"], i["fallen_due"], i["paid"], i["late"]) for i in items] == [
        ("tuition", "8890.00", "1000.00", "7890.00")
    ]
    tuition = data["tuition"]
    response = client.post(
        "/api/finance/payments/",
        {"invoice": tuition.pk, "amount": "7890.00", "paid_on": "2025-01-05", "method": "transfer"},  # type: ignore[attr-defined]
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert client.get("/api/finance/invoices/?late=true").json() in (
        [],
        {"count": 0, "next": None, "previous": None, "results": []},
    )
