"""API under /api/finance/: invoices and payments, scoped (finance staff all or their campus,
a learner hers, an employer tutor none), validated against the served OpenAPI schema; recording
a payment: 201, 400 with a translated message for a bad amount, 404 for an invoice the user
may not manage."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from openapi_core import OpenAPI

from capitalis.finance import services
from capitalis.finance.models import Invoice, Payment
from capitalis.programmes.models import Campus
from tests.finance import invoice_builders as build
from tests.referential.test_api import get_validated, openapi  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hasher() -> Iterator[None]:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def data() -> dict[str, object]:
    build.catalogue()
    first, second = Campus.objects.order_by("position")
    staff = build.person("finance@example.org", build.Role.FINANCE)
    learner = build.person("learner@example.org", build.Role.LEARNER)
    fee = services.invoice_create_for_application_fee(
        application=build.application(build.person("cand@example.org"), campus=first),
        actor=staff,
    )
    invoices = services.invoice_create_for_enrolment(
        enrolment=build.enrolment(learner, campus=second), actor=staff
    )
    return {"staff": staff, "learner": learner, "fee": fee, "tuition": invoices[-1]}


def test_schema_lists_the_paths(served_schema: dict) -> None:
    paths = served_schema["paths"]
    for path in (
        "/api/finance/invoices/",
        "/api/finance/invoices/{id}/",
        "/api/finance/payments/",
    ):
        assert path in paths


def test_scoped_lists_validate(
    client: Client,
    openapi: OpenAPI,  # noqa: F811
    data: dict[str, object],
) -> None:
    client.force_login(data["staff"])  # type: ignore[arg-type]
    body = get_validated(client, openapi, "/api/finance/invoices/").json()
    assert body["count"] == Invoice.objects.count() == 3
    client.force_login(data["learner"])  # type: ignore[arg-type]
    body = get_validated(client, openapi, "/api/finance/invoices/").json()
    assert {r["kind"] for r in body["results"]} == {"deposit", "tuition"}
    tuition = data["tuition"]
    detail = get_validated(client, openapi, f"/api/finance/invoices/{tuition.pk}/").json()  # type: ignore[attr-defined]
    assert [line["amount"] for line in detail["lines"]] == ["9990.00", "-1100.00"]
    assert detail["owed"] == "8890.00" and len(detail["instalments"]) == 3
    fee = data["fee"]
    assert client.get(f"/api/finance/invoices/{fee.pk}/").status_code == 404  # type: ignore[attr-defined]
    client.force_login(build.person("tutor@example.org", build.Role.EMPLOYER_TUTOR))
    assert get_validated(client, openapi, "/api/finance/invoices/").json()["count"] == 0
    assert get_validated(client, openapi, "/api/finance/payments/").json()["count"] == 0
    client.logout()
    assert client.get("/api/finance/invoices/").status_code in (401, 403)


def test_record_payment(client: Client, data: dict[str, object]) -> None:
    fee = data["fee"]
    payload = {"invoice": fee.pk, "paid_on": "2024-03-05", "method": "transfer"}  # type: ignore[attr-defined]
    client.force_login(data["learner"])  # type: ignore[arg-type]
    response = client.post(
        "/api/finance/payments/", {**payload, "amount": "80.00"}, content_type="application/json"
    )
    assert response.status_code == 404
    client.force_login(data["staff"])  # type: ignore[arg-type]
    response = client.post(
        "/api/finance/payments/",
        {**payload, "amount": "80.001"},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_decimals"
    assert "two decimals" in response.json()["detail"]
    assert not Payment.objects.exists()
    response = client.post(
        "/api/finance/payments/", {**payload, "amount": "80.00"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["amount"] == "80.00"
    fee.refresh_from_db()  # type: ignore[attr-defined]
    assert fee.status == "paid"  # type: ignore[attr-defined]
    listed = client.get("/api/finance/payments/").json()
    assert listed["count"] == 1 and listed["results"][0]["invoice"] == fee.number  # type: ignore[attr-defined]
