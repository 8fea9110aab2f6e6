"""Bulk import of results (CSV and XLSX): the template, every bad input reported with its line
and translated reason, nothing written unless every row is valid or the valid rows are chosen,
idempotency (same file twice → no change, no history row), permissions, one audit record."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from capitalis.assessment import imports
from capitalis.assessment.models import Result
from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from tests.assessment.builders import exam, world

pytestmark = pytest.mark.django_db

HEADER = "learner,competency,grade,level,absence,comment\n"


@pytest.fixture
def w():
    return world()


@pytest.fixture
def assessment(w):
    return exam(w)


def codes(w) -> tuple[str, str]:
    return w.competencies[0].code, w.competencies[1].code


def ine(w, n: int) -> str:
    return w.enrolments[n].learner.national_student_number


def email(w, n: int) -> str:
    return w.enrolments[n].learner.user.email


def good_csv(w) -> str:
    c1, c2 = codes(w)
    return HEADER + (
        f"{ine(w, 0)},{c1},12.5,acquired,,Bien\n"
        f'{ine(w, 0)},{c2},"8,25",in_progress,none,\n'
        f"{email(w, 1).upper()},{c1.lower()},,not_acquired,unjustified,\n"
        f"{email(w, 1)},{c2},20,mastered,,\n"
    )


def run(w, assessment, text: str | bytes, *, name: str = "results.csv", **kw):
    content = text.encode() if isinstance(text, str) else text
    return imports.results_import(
        assessment=assessment, content=content, filename=name, actor=w.lecturer, **kw
    )


def test_a_valid_file_is_imported_with_history_and_one_audit_record(w, assessment) -> None:
    report = run(w, assessment, good_csv(w))
    assert (report.created, report.updated, report.unchanged, report.errors) == (4, 0, 0, [])
    assert report.imported
    c1, _c2 = codes(w)
    first = Result.objects.get(enrolment=w.enrolments[0], competency__code=c1)
    assert (first.grade, first.level, first.absence, first.comment) == (
        Decimal("12.50"),
        "acquired",
        "none",
        "Bien",
    )
    assert first.author == w.lecturer
    assert Result.objects.get(enrolment=w.enrolments[0], grade=Decimal("8.25"))
    absent = Result.objects.get(enrolment=w.enrolments[1], competency__code=c1)
    assert (absent.grade, absent.absence) == (None, "unjustified")
    assert Result.history.count() == 4
    assert set(Result.history.values_list("history_type", flat=True)) == {"+"}
    assert set(Result.history.values_list("history_user", flat=True)) == {w.lecturer.pk}
    event = AuditEvent.objects.get(action="assessment.results_import")
    assert event.data["created"] == 4 and event.actor == w.lecturer


def test_the_same_file_twice_changes_nothing(w, assessment) -> None:
    run(w, assessment, good_csv(w))
    before = list(Result.objects.values_list("id", "grade", "level", "entered_at"))
    again = run(w, assessment, good_csv(w))
    assert (again.created, again.updated, again.unchanged, again.imported) == (0, 0, 4, False)
    assert list(Result.objects.values_list("id", "grade", "level", "entered_at")) == before
    assert Result.history.count() == 4
    assert AuditEvent.objects.filter(action="assessment.results_import").count() == 1


def test_a_changed_row_is_updated_and_keeps_the_previous_value(w, assessment) -> None:
    run(w, assessment, good_csv(w))
    changed = good_csv(w).replace("12.5,acquired", "14,mastered")
    report = run(w, assessment, changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    c1, _c2 = codes(w)
    result = Result.objects.get(enrolment=w.enrolments[0], competency__code=c1)
    assert (result.grade, result.level) == (Decimal("14.00"), "mastered")
    grades = list(result.history.order_by("history_date").values_list("grade", "history_type"))
    assert grades == [(Decimal("12.50"), "+"), (Decimal("14.00"), "~")]


BAD_ROWS = [
    ("nobody@example.org,{c1},12,,,", "learner_unknown", "Unknown learner"),
    ("{ine0},ZZ9,12,,,", "competency_unknown", "Unknown competency"),
    ("{ine0},{c1},21,,,", "grade_range", "between 0 and 20"),
    ("{ine0},{c1},-1,,,", "grade_range", "between 0 and 20"),
    ("{ine0},{c1},douze,,,", "grade_not_number", "not a number"),
    ("{ine0},{c1},12.345,,,", "grade_decimals", "more than two decimals"),
    ("{ine0},{c1},12,excellent,,", "level_invalid", "Unknown level"),
    ("{ine0},{c1},12,,maybe,", "absence_invalid", "Unknown absence"),
    ("{ine0},{c1},,,,just a comment", "comment_only", "grade, a level or an absence"),
    (",{c1},12,,,", "learner_missing", "learner"),
]


@pytest.mark.parametrize(("row", "code", "english"), BAD_ROWS)
def test_each_bad_row_is_reported_with_its_line_and_nothing_is_written(
    w, assessment, row: str, code: str, english: str
) -> None:
    c1, c2 = codes(w)
    text = HEADER + f"{ine(w, 1)},{c2},10,,,\n" + row.format(c1=c1, ine0=ine(w, 0)) + "\n"
    report = run(w, assessment, text)
    assert [(e.line, e.code) for e in report.errors] == [(3, code)]
    assert not report.imported and report.created == 1
    assert not Result.objects.exists()
    assert not Result.history.exists()
    with translation.override("en"):
        assert english in report.errors[0].message
    with translation.override("fr"):
        assert report.errors[0].message != "" and english not in report.errors[0].message


def test_a_duplicate_row_names_the_first_line(w, assessment) -> None:
    c1, _c2 = codes(w)
    text = HEADER + f"{ine(w, 0)},{c1},10,,,\n{email(w, 2)},{c1},11,,,\n{ine(w, 0)},{c1},12,,,\n"
    report = run(w, assessment, text)
    assert [(e.line, e.code, e.first_line) for e in report.errors] == [(4, "duplicate", 2)]
    with translation.override("en"):
        assert "line 2" in report.errors[0].message
    assert not Result.objects.exists()


def test_importing_the_valid_rows_only_is_an_explicit_choice(w, assessment) -> None:
    c1, _c2 = codes(w)
    text = good_csv(w) + f"nobody@example.org,{c1},12,,,\n{ine(w, 2)},{c1},99,,,\n"
    report = run(w, assessment, text, valid_only=True)
    assert [(e.line, e.code) for e in report.errors] == [
        (6, "learner_unknown"),
        (7, "grade_range"),
    ]
    assert report.imported and report.created == 4
    assert Result.objects.count() == 4
    event = AuditEvent.objects.get(action="assessment.results_import")
    assert event.data["refused"] == 2 and event.data["valid_only"] is True


def test_unfilled_template_rows_and_blank_lines_are_skipped(w, assessment) -> None:
    c1, c2 = codes(w)
    text = HEADER + f"{ine(w, 0)},{c1},,,,\n\n,,,,,\n{ine(w, 0)},{c2},9,,,\n"
    report = run(w, assessment, text)
    assert (report.errors, report.created, report.skipped) == ([], 1, 1)


def test_semicolons_bom_and_french_headers_are_read(w, assessment) -> None:
    c1, _c2 = codes(w)
    text = f"\ufeffApprenant;Compétence;Note;Niveau;Absence;Commentaire\n{ine(w, 0)};{c1};12,5;;;\n"
    report = run(w, assessment, text.encode("utf-8"))
    assert (report.errors, report.created) == ([], 1)
    assert Result.objects.get().grade == Decimal("12.50")


def test_a_bad_header_is_reported_on_line_1(w, assessment) -> None:
    report = run(w, assessment, "student,competency,grade\nx,y,1\n")
    assert {(e.line, e.code) for e in report.errors} == {
        (1, "header_unknown"),
        (1, "header_learner"),
    }
    assert not report.imported and not Result.objects.exists()


def test_a_row_with_too_many_cells_is_refused(w, assessment) -> None:
    c1, _c2 = codes(w)
    report = run(w, assessment, HEADER + f"{ine(w, 0)},{c1},12,,,,surplus\n")
    assert [(e.line, e.code) for e in report.errors] == [(2, "columns")]


def test_dry_run_counts_without_writing(w, assessment) -> None:
    report = run(w, assessment, good_csv(w), dry_run=True)
    assert (report.created, report.imported) == (4, False)
    assert not Result.objects.exists()


def test_only_the_course_lecturer_may_import(w, assessment) -> None:
    with translation.override("en"), pytest.raises(DomainError) as error:
        imports.results_import(
            assessment=assessment,
            content=good_csv(w).encode(),
            filename="r.csv",
            actor=w.other_lecturer,
        )
    assert error.value.code == "not_authorised"
    assert not Result.objects.exists()


def test_xlsx_template_round_trip(w, assessment) -> None:
    workbook = load_workbook(io.BytesIO(imports.template_xlsx(assessment)))
    sheet = workbook["results"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(imports.COLUMNS)
    assert len(rows) == 1 + len(w.enrolments) * 2
    sheet.cell(row=2, column=3, value=15.5)
    sheet.cell(row=3, column=4, value="acquired")
    out = io.BytesIO()
    workbook.save(out)
    report = run(w, assessment, out.getvalue(), name="results.xlsx")
    assert (report.errors, report.created, report.skipped) == ([], 2, len(rows) - 3)
    assert Result.objects.get(grade__isnull=False).grade == Decimal("15.50")


def test_csv_template_lists_learners_and_stored_results(w, assessment) -> None:
    run(w, assessment, good_csv(w))
    text = imports.template_csv(assessment).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == ",".join(imports.COLUMNS)
    assert len(lines) == 1 + len(w.enrolments) * 2
    c1, _c2 = codes(w)
    assert f"{ine(w, 0)},{c1},12.50,acquired,none,Bien" in lines
    again = run(w, assessment, text)
    assert (again.errors, again.created, again.updated) == ([], 0, 0)


def test_an_unreadable_workbook_is_a_translated_error(w, assessment) -> None:
    with translation.override("en"), pytest.raises(DomainError, match="XLSX"):
        run(w, assessment, b"PK\x03\x04garbage", name="r.xlsx")


def test_an_xlsx_with_bad_rows_reports_lines(w, assessment) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(imports.COLUMNS))
    sheet.append([ine(w, 0), codes(w)[0], 25, None, None, None])
    out = io.BytesIO()
    workbook.save(out)
    report = run(w, assessment, out.getvalue(), name="r.xlsx")
    assert [(e.line, e.code, e.value) for e in report.errors] == [(2, "grade_range", "25")]
