"""The CSV export for accounting at /finance/export.csv: semicolons, UTF-8 with a BOM, one row
per invoice line and one per payment, amounts with a dot, filtered by date; parsed back with
``csv``. Finance staff only (campus staff get their campus); a fixed number of queries."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from capitalis.finance import services
from capitalis.finance.queries import EXPORT_COLUMNS
from capitalis.programmes.models import Campus
from tests.finance import invoice_builders as build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_english")]


@pytest.fixture
def _english() -> Iterator[None]:
    with (
        translation.override("en"),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        yield


@pytest.fixture
def data() -> dict[str, object]:
    build.catalogue()
    first, second = Campus.objects.order_by("position")
    staff = build.person("finance@example.org", build.Role.FINANCE)
    fee = services.invoice_create_for_application_fee(
        application=build.application(build.person("cand@example.org"), campus=first),
        actor=staff,
        issued_on=date(2024, 3, 1),
    )
    services.payment_record(
        invoice=fee,
        amount="80.00",
        paid_on=date(2024, 3, 10),
        method="transfer",
        reference="VIR;42",
        actor=staff,
    )
    _deposit, tuition = services.invoice_create_for_enrolment(
        enrolment=build.enrolment(build.person("learner@example.org"), campus=second),
        actor=staff,
        issued_on=date(2024, 7, 1),
    )
    return {"staff": staff, "fee": fee, "tuition": tuition, "first": first, "second": second}


def _export(client: Client, query: str = "") -> tuple[list[str], list[dict[str, str]]]:
    response = client.get("/finance/export.csv" + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_export_rows_parse_back(client: Client, data: dict[str, object]) -> None:
    client.force_login(data["staff"])  # type: ignore[arg-type]
    columns, rows = _export(client)
    assert tuple(columns) == EXPORT_COLUMNS
    entries = [(r["date"], r["entry"], r["invoice"], r["line_kind"], r["amount"]) for r in rows]
    fee, tuition = data["fee"], data["tuition"]
    assert entries == [
        ("2024-03-01", "line", fee.number, "application_fee", "80.00"),  # type: ignore[attr-defined]
        ("2024-03-10", "payment", fee.number, "", "80.00"),  # type: ignore[attr-defined]
        ("2024-07-01", "line", entries[2][2], "deposit", "1100.00"),
        ("2024-07-01", "line", tuition.number, "tuition", "9990.00"),  # type: ignore[attr-defined]
        ("2024-07-01", "line", tuition.number, "deposit", "-1100.00"),  # type: ignore[attr-defined]
    ]
    payment = rows[1]
    assert payment["reference"] == "VIR;42"  # a semicolon in a value is quoted, not a new column
    assert payment["method"] == "transfer" and payment["payer_kind"] == "learner"


def test_export_filters_by_date(client: Client, data: dict[str, object]) -> None:
    client.force_login(data["staff"])  # type: ignore[arg-type]
    _columns, rows = _export(client, "?from=2024-03-05&to=2024-06-30")
    assert [r["entry"] for r in rows] == ["payment"]
    response = client.get("/finance/export.csv?from=yesterday")
    assert response.status_code == 400


def test_campus_finance_gets_its_campus_others_nothing(
    client: Client, data: dict[str, object]
) -> None:
    campus_staff = build.person("fc@example.org", build.Role.FINANCE, campus=data["second"])  # type: ignore[arg-type]
    client.force_login(campus_staff)
    _columns, rows = _export(client)
    assert {r["campus"] for r in rows} == {data["second"].code}  # type: ignore[attr-defined]
    for email, role in [
        ("cand2@example.org", build.Role.CANDIDATE),
        ("t@example.org", build.Role.EMPLOYER_TUTOR),
    ]:
        client.force_login(build.person(email, role))
        assert client.get("/finance/export.csv").status_code == 404
    client.logout()
    assert client.get("/finance/export.csv").status_code == 302


def test_export_query_count_is_flat(client: Client, data: dict[str, object]) -> None:
    client.force_login(data["staff"])  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as small:
        _export(client)
    for i in range(4):
        services.invoice_create_for_application_fee(
            application=build.application(build.person(f"more{i}@example.org")), actor=None
        )
    with CaptureQueriesContext(connection) as large:
        _columns, rows = _export(client)
    assert len(rows) == 9
    assert len(large) == len(small)
