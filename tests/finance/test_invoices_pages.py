"""Finance pages: the invoice list with balances per payer (scoped: finance staff all or their
campus, a learner hers, a tutor none), the invoice page with lines, instalments and payments,
recording a payment through the form (errors shown, nothing saved), 404 for an invoice the
user may not read, a flat number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from capitalis.finance import services
from capitalis.finance.models import Invoice, Payment
from capitalis.programmes.models import Campus
from tests.finance import invoice_builders as build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hasher() -> Iterator[None]:
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        LANGUAGE_CODE="en",
    ):
        yield


@pytest.fixture
def data() -> dict[str, object]:
    build.catalogue()
    first, second = Campus.objects.order_by("position")
    staff = build.person("finance@example.org", build.Role.FINANCE)
    learner = build.person("learner@example.org", build.Role.LEARNER)
    candidate = build.person("cand@example.org", build.Role.CANDIDATE)
    fee = services.invoice_create_for_application_fee(
        application=build.application(candidate, campus=first), actor=staff
    )
    _deposit, tuition = services.invoice_create_for_enrolment(
        enrolment=build.enrolment(learner, campus=second), actor=staff
    )
    (employer,) = services.invoice_create_for_enrolment(
        enrolment=build.enrolment(
            build.person("apprentice@example.org"), campus=second, track="work_study"
        ),
        actor=staff,
    )
    return {
        "staff": staff,
        "learner": learner,
        "candidate": candidate,
        "fee": fee,
        "tuition": tuition,
        "employer": employer,
        "first": first,
        "second": second,
    }


def _numbers(client: Client) -> set[str]:
    response = client.get("/finance/invoices/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return {n for n in Invoice.objects.values_list("number", flat=True) if n in response.text}


def test_list_is_scoped(client: Client, data: dict[str, object]) -> None:
    every = set(Invoice.objects.values_list("number", flat=True))
    client.force_login(data["staff"])  # type: ignore[arg-type]
    assert _numbers(client) == every
    client.force_login(build.person("fc@example.org", build.Role.FINANCE, campus=data["first"]))  # type: ignore[arg-type]
    assert _numbers(client) == {data["fee"].number}  # type: ignore[attr-defined]
    client.force_login(data["learner"])  # type: ignore[arg-type]
    learner = data["learner"]
    assert isinstance(learner, build.User)
    assert _numbers(client) == set(
        Invoice.objects.filter(customer=learner).values_list("number", flat=True)
    )
    client.force_login(build.person("tutor@example.org", build.Role.EMPLOYER_TUTOR))
    assert _numbers(client) == set()


def test_balances_per_payer(client: Client, data: dict[str, object]) -> None:
    client.force_login(data["staff"])  # type: ignore[arg-type]
    with translation.override("en"):
        response = client.get("/finance/invoices/")
    text = response.text
    assert "Balances per payer" in text
    # learner: 80 + 1,100 + 8,890 = 10,070; OPCO: the work-study tuition
    assert "10,070.00" in text
    assert data["employer"].payer_name in text  # type: ignore[attr-defined]


def test_detail_shows_lines_instalments_and_records_a_payment(
    client: Client, data: dict[str, object]
) -> None:
    tuition = data["tuition"]
    client.force_login(data["staff"])  # type: ignore[arg-type]
    url = f"/finance/invoices/{tuition.pk}/"  # type: ignore[attr-defined]
    text = client.get(url).text
    assert "9,990.00" in text and "-1,100.00" in text and "Record a payment" in text
    response = client.post(
        url,
        {"action": "pay", "amount": "100,005", "paid_on": "2024-10-01", "method": "transfer"},
    )
    assert response.status_code == 400
    assert "more than two decimals" in response.text
    response = client.post(
        url,
        {"action": "pay", "amount": "9000", "paid_on": "2024-10-01", "method": "transfer"},
    )
    assert "exceeds what is still owed" in response.text
    assert not Payment.objects.exists()
    response = client.post(
        url,
        {"action": "pay", "amount": "2963,33", "paid_on": "2024-10-01", "method": "card"},
    )
    assert response.status_code == 302
    assert Payment.objects.get().amount == Decimal("2963.33")
    assert "5,926.67" in client.get(url).text


def test_reading_is_not_managing(client: Client, data: dict[str, object]) -> None:
    fee = data["fee"]
    client.force_login(data["candidate"])  # type: ignore[arg-type]
    url = f"/finance/invoices/{fee.pk}/"  # type: ignore[attr-defined]
    response = client.get(url)
    assert response.status_code == 200 and "Record a payment" not in response.text
    post = {"action": "pay", "amount": "80", "paid_on": "2024-10-01", "method": "card"}
    assert client.post(url, post).status_code == 404
    assert not Payment.objects.exists()
    # someone else's invoice: 404, so ids cannot be probed
    assert client.get(f"/finance/invoices/{data['tuition'].pk}/").status_code == 404  # type: ignore[attr-defined]
    client.force_login(build.person("fc@example.org", build.Role.FINANCE, campus=data["second"]))  # type: ignore[arg-type]
    assert client.get(url).status_code == 404


def test_cancel_from_the_page(client: Client, data: dict[str, object]) -> None:
    fee = data["fee"]
    client.force_login(data["staff"])  # type: ignore[arg-type]
    url = f"/finance/invoices/{fee.pk}/"  # type: ignore[attr-defined]
    response = client.post(url, {"action": "cancel", "reason": "Duplicate"})
    assert response.status_code == 302
    fee.refresh_from_db()  # type: ignore[attr-defined]
    assert fee.status == "cancelled"  # type: ignore[attr-defined]


def test_list_query_count_is_flat(client: Client, data: dict[str, object]) -> None:
    client.force_login(data["staff"])  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as small:
        client.get("/finance/invoices/")
    for i in range(5):
        invoice = services.invoice_create_for_application_fee(
            application=build.application(build.person(f"more{i}@example.org")), actor=None
        )
        services.payment_record(
            invoice=invoice, amount="10", paid_on=date(2024, 1, 1), method="cash", actor=None
        )
    with CaptureQueriesContext(connection) as large:
        client.get("/finance/invoices/")
    assert len(large) == len(small)
    tuition = data["tuition"]
    with CaptureQueriesContext(connection) as detail:
        client.get(f"/finance/invoices/{tuition.pk}/")  # type: ignore[attr-defined]
    assert len(detail) <= len(small) + 4
