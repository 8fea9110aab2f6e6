"""Every CSV/XLSX export with a formula in a name or comment: the finance journal, the results
template (CSV and XLSX) and the indicators CSV each write it inert (CSV: a leading apostrophe;
XLSX: a string cell, not a formula), and a negative amount stays a plain number."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from capitalis.assessment.models import Result
from capitalis.finance.models import Invoice
from capitalis.programmes.models import Campus

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x","y")'


def test_finance_export_names_are_inert_amounts_stay_numbers(client: Client) -> None:
    from capitalis.finance import services
    from tests.finance import invoice_builders as build

    build.catalogue()
    first, second = Campus.objects.order_by("position")
    staff = build.person("finance@example.org", build.Role.FINANCE)
    build.application(build.person("cand@example.org"), campus=first)
    services.invoice_create_for_enrolment(
        enrolment=build.enrolment(build.person("learner@example.org"), campus=second),
        actor=staff,
        issued_on=date(2024, 7, 1),
    )
    Invoice.objects.update(payer_name=FORMULA)
    client.force_login(staff)
    response = client.get("/finance/export.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows and {r["payer_name"] for r in rows} == {"'" + FORMULA}
    negative = [r["amount"] for r in rows if r["amount"].startswith("-")]
    assert negative, "the deducted deposit is a negative amount"
    assert all(float(a) < 0 for a in negative)


@pytest.fixture
def graded():
    from tests.assessment.builders import exam, world

    w = world()
    assessment = exam(w)
    Result.objects.create(
        assessment=assessment,
        enrolment=w.enrolments[0],
        competency=w.competencies[0],
        grade=12,
        comment=FORMULA,
        author=w.lecturer,
    )
    return w, assessment


def test_results_template_csv_comment_is_inert(client: Client, graded) -> None:
    w, assessment = graded
    client.force_login(w.lecturer)
    response = client.get(f"/assessment/{assessment.pk}/import/template.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    comments = [r["comment"] for r in rows if r["comment"]]
    assert comments == ["'" + FORMULA]
    assert "12.00" in [r["grade"] for r in rows]


def test_results_template_xlsx_comment_is_a_string_not_a_formula(client: Client, graded) -> None:
    w, assessment = graded
    client.force_login(w.lecturer)
    response = client.get(f"/assessment/{assessment.pk}/import/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["results"]
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("comment")] for row in sheet.iter_rows(min_row=2)]
    written = [c for c in cells if c.value]
    assert [c.value for c in written] == [FORMULA]
    assert written[0].data_type == "s"


def test_indicators_csv_codes_are_inert(client: Client) -> None:
    from tests.reporting.indicators.test_indicators import build

    data = build()
    Campus.objects.filter(pk=data.campus1.pk).update(code='=HYPERLINK("x","y")')
    client.force_login(data.coordinator1)
    response = client.get("/reporting/indicators/certification.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[2][1] == "'" + '=HYPERLINK("x","y")'
    assert rows[2][2:4] == ["2", "1"]
