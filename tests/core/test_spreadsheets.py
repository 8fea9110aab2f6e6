"""capitalis.core.spreadsheets: formula-like texts made inert on the way out (CSV apostrophe,
XLSX string cells), numbers and dates kept; XLSX and CSV read with limits (a zip bomb refused
before openpyxl parses it, rows and cells counted), through the results import's page and API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import zipfile
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook

from capitalis.assessment.models import Result
from capitalis.core import spreadsheets
from capitalis.core.spreadsheets import Limits, Sheet, SpreadsheetError

FORMULA = '=HYPERLINK("http://x","y")'
LIMITS = Limits(members=50, uncompressed=5_000_000, member=5_000_000, ratio=100, rows=50, cells=300)


@pytest.mark.parametrize(
    ("text", "inert"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("   =1+1", "'   =1+1"),
        ("-150.00", "-150.00"),
        ("+33", "+33"),
        ("Dupont-Durand", "Dupont-Durand"),
        ("", ""),
        ("l'apprenant", "l'apprenant"),
    ],
)
def test_neutralise_follows_owasp(text: str, inert: str) -> None:
    assert spreadsheets.neutralise(text) == inert
    assert spreadsheets.unneutralise(spreadsheets.neutralise(text)) == text


def test_csv_text_cells_are_inert_numbers_and_dates_stay() -> None:
    content = spreadsheets.csv_bytes(
        [[FORMULA, -12.5, Decimal("-3.40"), dt.date(2026, 1, 2), None, "-7"]],
        header=["name", "a", "b", "c", "d", "e"],
        delimiter=";",
        bom=True,
    )
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["'" + FORMULA, "-12.5", "-3.40", "2026-01-02", "", "-7"]


def test_xlsx_text_cells_are_strings_never_formulas() -> None:
    content = spreadsheets.xlsx_bytes(
        [
            Sheet(
                "s",
                [["name", "n", "day"], [FORMULA, -12.5, dt.date(2026, 1, 2)], ["a\x01b", 3, None]],
            )
        ]
    )
    sheet = load_workbook(io.BytesIO(content)).active
    cell = sheet["A2"]
    assert cell.value == FORMULA and cell.data_type == "s" and cell.quotePrefix
    assert sheet["B2"].value == -12.5 and sheet["B2"].data_type == "n"
    assert sheet["C2"].is_date
    assert sheet["A3"].value == "ab"  # control characters XML cannot hold are dropped


# --- reading ------------------------------------------------------------------------------------


def _bomb(rows: int = 300_000) -> bytes:
    """An XLSX-shaped zip whose sheet is megabytes of the same row, compressed to kilobytes."""
    workbook = Workbook()
    workbook.active["A1"] = "learner"
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    row = '<row><c t="inlineStr"><is><t>aaaaaaaaaa</t></is></c></row>'  # r= is optional
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, _sep, _tail = data.decode().partition("<sheetData>")
                body = row * rows
                data = (head + "<sheetData>" + body + "</sheetData></worksheet>").encode()
            target.writestr(info.filename, data, zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_parsing() -> None:
    content = _bomb()
    sheet_size = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml").file_size
    assert len(content) < 100_000 and sheet_size > 15_000_000
    start = time.monotonic()
    with pytest.raises(SpreadsheetError) as refused:
        list(spreadsheets.xlsx_rows(content, LIMITS))
    assert time.monotonic() - start < 1
    assert refused.value.code in ("file_too_large", "file_suspicious")


def test_compression_ratio_and_member_count_are_checked() -> None:
    roomy = Limits(members=50, uncompressed=10**9, member=10**9, ratio=100, rows=10**6, cells=10**7)
    with pytest.raises(SpreadsheetError) as refused:
        spreadsheets.check_xlsx_archive(_bomb(), roomy)
    assert refused.value.code == "file_suspicious"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(60):
            archive.writestr(f"m{n}.xml", "<a/>")
    with pytest.raises(SpreadsheetError) as refused:
        spreadsheets.check_xlsx_archive(out.getvalue(), roomy)
    assert refused.value.code == "file_too_large"
    with pytest.raises(SpreadsheetError) as refused:
        spreadsheets.check_xlsx_archive(b"PK\x03\x04 not a zip", roomy)
    assert refused.value.code == "file"


def test_rows_and_cells_are_counted_while_reading() -> None:
    workbook = Workbook()
    for n in range(60):
        workbook.active.append([f"r{n}", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(SpreadsheetError, match="50"):
        list(spreadsheets.xlsx_rows(buffer.getvalue(), LIMITS))
    wide = "\n".join(",".join(["x"] * 20) for _ in range(20))
    with pytest.raises(SpreadsheetError, match="300"):
        list(spreadsheets.csv_rows(wide, delimiter=",", limits=LIMITS))
    with pytest.raises(SpreadsheetError):
        list(spreadsheets.csv_rows("a,b\nc\x00,d\n", delimiter=","))


def test_a_sheet_declaring_huge_dimensions_invents_no_cells() -> None:
    workbook = Workbook()
    workbook.active.append(["a", "b"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'ref="A1:B1"', b'ref="A1:XFD1048576"')
            target.writestr(info.filename, data)
    assert list(spreadsheets.xlsx_rows(out.getvalue(), LIMITS)) == [(1, ["a", "b"])]


# --- through the results import -----------------------------------------------------------------


@pytest.fixture
def import_world(db, settings):
    from tests.assessment.builders import exam, world

    w = world()
    return w, exam(w)


def _named(content: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_the_import_page_and_api_refuse_a_zip_bomb_and_import_nothing(import_world) -> None:
    w, assessment = import_world
    client = Client()
    client.force_login(w.lecturer)
    content = _bomb()
    with translation.override("en"):
        page = client.post(
            f"/assessment/{assessment.pk}/import/",
            {"file": _named(content, "results.xlsx")},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert page.status_code == 400, page.content.decode()[-3000:]
    assert "possible zip bomb" in page.content.decode()
    api = client.post(
        f"/api/assessment/assessments/{assessment.pk}/import/",
        {"file": _named(content, "results.xlsx")},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert api.status_code == 400
    assert api.json()["code"] == "file_suspicious"
    assert "bombe" in api.json()["detail"]
    assert not Result.objects.exists()


def test_a_csv_with_too_many_rows_is_refused_with_nothing_imported(import_world, settings) -> None:
    w, assessment = import_world
    settings.SPREADSHEET_MAX_ROWS = 3
    learner = w.enrolments[0].learner.national_student_number
    code = w.competencies[0].code
    text = "learner,competency,grade\n" + "".join(f"{learner},{code},1{n}\n" for n in range(5))
    client = Client()
    client.force_login(w.lecturer)
    api = client.post(
        f"/api/assessment/assessments/{assessment.pk}/import/",
        {"file": _named(text.encode(), "results.csv")},
    )
    assert api.status_code == 400
    assert api.json()["code"] == "file_too_large"
    assert not Result.objects.exists()


def test_the_exported_template_comes_back_unchanged(import_world) -> None:
    """A formula-like comment goes out inert (apostrophe) and comes back as it was stored."""
    from capitalis.assessment import imports

    w, assessment = import_world
    learner = w.enrolments[0].learner.national_student_number
    quoted = FORMULA.replace('"', '""')
    imports.results_import(
        assessment=assessment,
        content=(
            f'learner,competency,grade,comment\n{learner},{w.competencies[0].code},12,"{quoted}"\n'
        ).encode(),
        filename="r.csv",
        actor=w.lecturer,
    )
    assert Result.objects.get().comment == FORMULA
    for content, name in (
        (imports.template_csv(assessment), "t.csv"),
        (imports.template_xlsx(assessment), "t.xlsx"),
    ):
        report = imports.results_import(
            assessment=assessment, content=content, filename=name, actor=w.lecturer
        )
        assert (report.created, report.updated, report.errors) == (0, 0, []), name
        assert report.unchanged == 1
    assert Result.objects.get().comment == FORMULA
