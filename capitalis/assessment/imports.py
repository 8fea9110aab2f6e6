"""Bulk import of an assessment's results from CSV or XLSX, and its template (SPEC §5, issue 5
point 3).

The file has the columns ``learner`` (INE or e-mail), ``competency`` (code; empty = the
assessment as a whole), ``grade`` (0–20, comma or point, two decimals), ``level``, ``absence``,
``comment``. Every row is checked before anything is written, in set-based SQL over a staging
table (PostgreSQL loads a CSV with COPY): unknown learner or competency, grade not a number,
outside 0–20 or with more than two decimals, unknown level or absence, a row with nothing to
record, a duplicate of an earlier row. Nothing is written while a row is bad unless the caller
asks for the valid rows only. Each row is compared with the stored result first: an unchanged
result is not written and gets no history row, so importing the same file twice changes
nothing. New and changed results are written with one INSERT and one UPDATE, their history rows
with one INSERT (who, when, the previous value stays in the earlier history row)."""

# ruff: noqa: S608 — the SQL below interpolates only this module's table names and constant
# fragments; every value from the file or the user travels as a query parameter or via COPY.
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.assessment.models import Absence, Assessment, Level, Result
from capitalis.assessment.queries import concerned_enrolments
from capitalis.assessment.services import result_check_author
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.core.spreadsheets import (
    Sheet,
    check_csv_text,
    csv_bytes,
    csv_rows,
    decode_text,
    is_xlsx,
    sniff_delimiter,
    xlsx_bytes,
    xlsx_rows,
)

COLUMNS = ("learner", "competency", "grade", "level", "absence", "comment")
HEADER_ALIASES = {
    "learner": "learner",
    "apprenant": "learner",
    "ine": "learner",
    "email": "learner",
    "e-mail": "learner",
    "competency": "competency",
    "competency code": "competency",
    "compétence": "competency",
    "competence": "competency",
    "code": "competency",
    "grade": "grade",
    "note": "grade",
    "level": "level",
    "niveau": "level",
    "absence": "absence",
    "comment": "comment",
    "commentaire": "comment",
}
MAX_BYTES = 50_000_000

# Row statuses computed in SQL: "" valid, "blank" (an empty line) and "empty" (a template row
# left unfilled) skipped, anything else a reason for refusing the row.
SKIPPED = ("blank", "empty")


def _reason(code: str, value: str, first_line: int | None) -> str:
    reasons = {
        "learner_missing": _("The learner (INE or e-mail address) is missing."),
        "learner_unknown": _(
            "Unknown learner “%(value)s”: no learner with this INE or e-mail address is "
            "concerned by this assessment."
        ),
        "competency_unknown": _(
            "Unknown competency “%(value)s”: this assessment does not evaluate it."
        ),
        "grade_not_number": _("The grade “%(value)s” is not a number."),
        "grade_range": _("The grade must lie between 0 and 20 (got %(value)s)."),
        "grade_decimals": _("The grade “%(value)s” has more than two decimals."),
        "level_invalid": _(
            "Unknown level “%(value)s”: not_acquired, in_progress, acquired or mastered."
        ),
        "absence_invalid": _("Unknown absence “%(value)s”: none, justified or unjustified."),
        "comment_only": _("Give a grade, a level or an absence."),
        "duplicate": _("Duplicate row: line %(first)s already gives this learner's result."),
        "columns": _("This row has more cells than the header has columns."),
        "header_unknown": _(
            "Unknown column “%(value)s”: the columns are learner, competency, grade, level, "
            "absence and comment."
        ),
        "header_duplicate": _("The column “%(value)s” appears twice."),
        "header_learner": _("The learner column (INE or e-mail address) is missing."),
    }
    return reasons.get(code, code) % {"value": value, "first": first_line}


@dataclass(frozen=True)
class RowError:
    """A refused row: its line in the file (1 = the header), the reason code and the value."""

    line: int
    code: str
    value: str = ""
    first_line: int | None = None

    @property
    def message(self) -> str:
        """The reason, translated in the active language."""
        return _reason(self.code, self.value, self.first_line)


@dataclass
class ImportReport:
    """What an import found and did. ``imported`` is False when nothing was written."""

    rows: int = 0
    skipped: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False
    dry_run: bool = False

    @property
    def valid(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "skipped": self.skipped,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "imported": self.imported,
            "dry_run": self.dry_run,
            "errors": [
                {"line": e.line, "code": e.code, "value": e.value, "message": e.message}
                for e in self.errors
            ],
        }


# --- template ---------------------------------------------------------------------------------


def template_rows(assessment: Assessment) -> list[list[str]]:
    """One row per learner concerned × competency evaluated (or one per learner for an
    assessment without competencies), filled with the stored result when there is one."""
    codes: list[tuple[int | None, str]] = list(
        assessment.competency_links.order_by(
            "competency__position", "competency__code"
        ).values_list("competency_id", "competency__code")
    ) or [(None, "")]
    learners = list(
        concerned_enrolments(assessment)
        .order_by("learner__user__full_name", "learner__user__email")
        .values_list("id", "learner__national_student_number", "learner__user__email")
    )
    stored = {
        (r.enrolment_id, r.competency_id): r
        for r in Result.objects.filter(assessment=assessment).only(
            "enrolment_id", "competency_id", "grade", "level", "absence", "comment"
        )
    }
    rows: list[list[str]] = []
    for enrolment_id, ine, email in learners:
        for competency_id, code in codes:
            result = stored.get((enrolment_id, competency_id))
            rows.append(
                [
                    ine or email,
                    code,
                    "" if result is None or result.grade is None else str(result.grade),
                    "" if result is None else result.level or "",
                    "" if result is None else result.absence,
                    "" if result is None else result.comment,
                ]
            )
    return rows


def template_csv(assessment: Assessment) -> bytes:
    """The assessment's template as CSV (UTF-8 with a byte-order mark, for spreadsheets); a
    comment a spreadsheet could take for a formula is made inert (capitalis.core.spreadsheets)."""
    return csv_bytes(template_rows(assessment), header=COLUMNS, lineterminator="\n", bom=True)


def template_xlsx(assessment: Assessment) -> bytes:
    """The assessment's template as an XLSX workbook: the rows (text cells, never formulas),
    and a sheet of allowed values."""
    values = [
        [level, absence]
        for level, absence in zip(Level.values, [*Absence.values, ""], strict=False)
    ]
    return xlsx_bytes(
        [
            Sheet("results", [list(COLUMNS), *template_rows(assessment)], (28, 14, 8, 14, 12, 40)),
            Sheet("values", [["level", "absence"], *values]),
        ]
    )


# --- reading ----------------------------------------------------------------------------------


def _header(cells: list[Any]) -> tuple[list[str], list[RowError]]:
    """The column names of a header row (aliases and French names accepted), or line-1 errors."""
    names: list[str] = []
    errors: list[RowError] = []
    for cell in cells:
        raw = str(cell if cell is not None else "").strip().lower()
        name = HEADER_ALIASES.get(raw, "")
        if not raw:
            name = f"_ignored{len(names)}"
        elif not name:
            errors.append(RowError(1, "header_unknown", raw))
        elif name in names:
            errors.append(RowError(1, "header_duplicate", raw))
        names.append(name)
    if "learner" not in names:
        errors.append(RowError(1, "header_learner", ""))
    return names, errors


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_rows(content: bytes, *, xlsx: bool) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(column names, [(line, learner, competency, grade, level, absence, comment)]); fully
    empty lines are left out; a file that cannot be read raises a translated DomainError."""
    if xlsx:
        lines: Any = ((number, [_cell(v) for v in row]) for number, row in xlsx_rows(content))
    else:
        text = decode_text(content)
        lines = csv_rows(text, delimiter=sniff_delimiter(text.split("\n", 1)[0]))
    try:
        first = next(lines, None)
        if first is None:
            raise DomainError(_("The file is empty."), code="file")
        names, errors = _header(first[1])
        if errors:
            raise _HeaderError(names, errors)
        positions = [names.index(c) if c in names else None for c in COLUMNS]
        rows: list[tuple[Any, ...]] = []
        for number, cells in lines:
            if not any(c.strip() for c in cells):
                continue
            values = [cells[p] if p is not None and p < len(cells) else "" for p in positions]
            extra = any(c.strip() for c in cells[len(names) :])
            rows.append((number, *values, "columns" if extra else ""))
    except csv.Error:
        raise DomainError(_("This file is not a readable CSV file."), code="file") from None
    finally:
        close = getattr(lines, "close", None)
        if close is not None:
            close()
    return names, rows


class _HeaderError(Exception):
    def __init__(self, names: list[str], errors: list[RowError]) -> None:
        super().__init__("header")
        self.names = names
        self.errors = errors


# --- checking and writing (set-based SQL) -----------------------------------------------------

STAGE = "assessment_import_rows"
CHECKED = "assessment_import_checked"
STATUSED = "assessment_import_statused"
LEARNERS = "assessment_import_learners"
COMPETENCIES = "assessment_import_competencies"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _create_tables(cursor: Any, assessment: Assessment) -> None:
    for table in (STAGE, STATUSED, CHECKED, LEARNERS, COMPETENCIES):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    line = (
        "line integer GENERATED BY DEFAULT AS IDENTITY (START WITH 2)"
        if _postgres()
        else "line integer"
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGE} ({line}, learner text, competency text, grade text, "
        "level text, absence text, comment text, problem text)"
    )
    cursor.execute(f"CREATE TEMPORARY TABLE {LEARNERS} (k text, enrolment_id bigint)")
    cursor.execute(f"CREATE TEMPORARY TABLE {COMPETENCIES} (k text, competency_id bigint)")
    learners = concerned_enrolments(assessment).values_list(
        "id", "learner__user__email", "learner__national_student_number"
    )
    pairs: dict[str, int] = {}
    for enrolment_id, email, ine in learners:
        for key in (email, ine):
            if key and key.strip():
                pairs.setdefault(key.strip().lower(), enrolment_id)
    competencies: dict[str, int] = {}
    for competency_id, code in assessment.competency_links.values_list(
        "competency_id", "competency__code"
    ):
        competencies.setdefault(code.strip().upper(), competency_id)
    _load(cursor, LEARNERS, ("k", "enrolment_id"), list(pairs.items()))
    _load(cursor, COMPETENCIES, ("k", "competency_id"), list(competencies.items()))


def _load(cursor: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Bulk-load rows into a staging table: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    if _postgres():
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _copy_csv(cursor: Any, content: bytes) -> int | None:
    """PostgreSQL fast path: COPY the CSV text straight into the staging table. None when the
    file needs the careful reader (odd header, blank or multi-line records, bad quoting)."""
    text = decode_text(content)
    check_csv_text(text)
    if _GUARDED.search(text):
        return None  # an exported formula-like text: the careful reader takes its apostrophe off
    first_line, _sep, _rest = text.partition("\n")
    delimiter = sniff_delimiter(first_line)
    try:
        header = next(csv.reader([first_line.rstrip("\r")], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None
    names, errors = _header(header)
    if errors or any(n.startswith("_") for n in names):
        return None
    physical = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        with transaction.atomic():
            with cursor.cursor.copy(
                f"COPY {STAGE} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv, HEADER true, "
                f"DELIMITER '{delimiter}')"
            ) as copy:
                copy.write(text)
            copied = cursor.cursor.rowcount
            if copied != physical - 1:
                raise _Fallback
    except Exception:
        return None
    return int(copied)


_GUARDED = re.compile(r"'\s*[=+\-@\t\r]")


class _Fallback(Exception):
    pass


def _regexp(column: str, pattern_mark: str = "%s") -> str:
    return f"{column} ~ {pattern_mark}" if _postgres() else f"{column} REGEXP {pattern_mark}"


def _fence() -> str:
    """Keep PostgreSQL from inlining a subquery (which would recompute its expressions)."""
    return "OFFSET 0" if _postgres() else ""


NUMBER = r"^-?[0-9]+([.][0-9]+)?$"
TWO_DECIMALS = r"^[0-9]+([.][0-9]{1,2})?$"


def _check(cursor: Any, assessment: Assessment) -> None:
    """Build the checked table: each staged row with its learner, competency, typed values,
    stored result, status (valid or the first reason) and action (create/update/unchanged)."""
    _check_rows(cursor)
    _check_against_stored(cursor, assessment)


def _check_rows(cursor: Any) -> None:
    """Stage 1: each row typed, resolved and given its first reason (materialised once)."""
    levels = ", ".join(["%s"] * len(Level.values))
    absences = ", ".join(["%s"] * len(Absence.values))
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {STATUSED} AS
        SELECT j.*,
            CASE
                WHEN j.learner IS NULL AND j.competency IS NULL AND j.grade IS NULL
                    AND j.level IS NULL AND j.absence_raw IS NULL AND j.comment = ''
                    THEN 'blank'
                WHEN j.problem <> '' THEN j.problem
                WHEN j.learner IS NULL THEN 'learner_missing'
                WHEN j.enrolment_id IS NULL THEN 'learner_unknown'
                WHEN j.competency IS NOT NULL AND j.competency_id IS NULL
                    THEN 'competency_unknown'
                WHEN j.grade IS NOT NULL AND j.grade_value IS NULL THEN 'grade_not_number'
                WHEN j.grade_value < 0 OR j.grade_value > 20 THEN 'grade_range'
                WHEN j.grade IS NOT NULL AND NOT ({_regexp("j.grade")}) THEN 'grade_decimals'
                WHEN j.level IS NOT NULL AND j.level NOT IN ({levels}) THEN 'level_invalid'
                WHEN j.absence NOT IN ({absences}) THEN 'absence_invalid'
                WHEN j.grade IS NULL AND j.level IS NULL AND j.absence = 'none'
                    AND j.comment = '' THEN 'empty'
                WHEN j.grade IS NULL AND j.level IS NULL AND j.absence = 'none'
                    THEN 'comment_only'
                ELSE ''
            END AS status
        FROM (
            SELECT n.*, k.enrolment_id, c.competency_id,
                COALESCE(c.competency_id, 0) AS ck,
                CASE WHEN {_regexp("n.grade")} THEN CAST(n.grade AS NUMERIC) END AS grade_value
            FROM (
                SELECT line, COALESCE(problem, '') AS problem,
                    NULLIF(TRIM(learner), '') AS learner,
                    NULLIF(TRIM(competency), '') AS competency,
                    REPLACE(NULLIF(TRIM(grade), ''), ',', '.') AS grade,
                    LOWER(NULLIF(TRIM(level), '')) AS level,
                    NULLIF(TRIM(absence), '') AS absence_raw,
                    COALESCE(LOWER(NULLIF(TRIM(absence), '')), 'none') AS absence,
                    COALESCE(TRIM(comment), '') AS comment
                FROM {STAGE} {_fence()}
            ) n
            LEFT JOIN {LEARNERS} k ON k.k = LOWER(n.learner)
            LEFT JOIN {COMPETENCIES} c ON c.k = UPPER(n.competency) {_fence()}
        ) j
        """,
        [TWO_DECIMALS, *Level.values, *Absence.values, NUMBER],
    )


def _check_against_stored(cursor: Any, assessment: Assessment) -> None:
    """Stage 2: duplicates (a later row for the same learner and competency) and the stored
    result each valid row would create, change or leave unchanged."""
    result_table = Result._meta.db_table
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {CHECKED} AS
        SELECT x.*,
            CASE WHEN x.status = '' AND x.first_line <> x.line THEN 'duplicate' ELSE x.status
            END AS final_status,
            r.id AS result_id,
            CASE
                WHEN r.id IS NULL THEN 'create'
                WHEN COALESCE(r.grade, -1) <> COALESCE(x.grade_value, -1)
                    OR COALESCE(r.level, '') <> COALESCE(x.level, '')
                    OR r.absence <> x.absence OR r.comment <> x.comment THEN 'update'
                ELSE 'unchanged'
            END AS action
        FROM (
            SELECT s.*,
                MIN(CASE WHEN s.status = '' THEN s.line END)
                    OVER (PARTITION BY s.enrolment_id, s.ck) AS first_line
            FROM {STATUSED} s
        ) x
        LEFT JOIN (
            SELECT id, enrolment_id, COALESCE(competency_id, 0) AS ck, grade, level, absence,
                comment
            FROM {result_table} WHERE assessment_id = %s
        ) r ON r.enrolment_id = x.enrolment_id AND r.ck = x.ck AND x.status = ''
        """,
        [assessment.pk],
    )


def _write(cursor: Any, assessment: Assessment, actor: User | None) -> None:
    """One UPDATE of the changed results, one INSERT of the new ones, and their history rows
    (on PostgreSQL in the same statements, from what the UPDATE and INSERT return)."""
    result_table = Result._meta.db_table
    history_table = Result.history.model._meta.db_table  # type: ignore[attr-defined]
    now = clock.now()
    author = actor.pk if actor is not None else None
    valid = "c.final_status = '' AND c.action"
    fields = (
        "id, assessment_id, enrolment_id, competency_id, grade, level, absence, comment, "
        "author_id, entered_at"
    )
    history_columns = (
        f"{fields}, history_date, history_change_reason, history_type, history_user_id"
    )
    update = f"""UPDATE {result_table} AS r SET grade = c.grade_value, level = c.level,
            absence = c.absence, comment = c.comment, author_id = %s, entered_at = %s
        FROM {CHECKED} c WHERE r.id = c.result_id AND {valid} = 'update'"""
    insert = f"""INSERT INTO {result_table} (assessment_id, enrolment_id, competency_id, grade,
            level, absence, comment, author_id, entered_at)
        SELECT %s, c.enrolment_id, c.competency_id, c.grade_value, c.level, c.absence,
            c.comment, %s, %s
        FROM {CHECKED} c WHERE {valid} = 'create'"""
    if _postgres():
        for statement, params, kind in (
            (update, [author, now], "~"),
            (insert, [assessment.pk, author, now], "+"),
        ):
            returning = ", ".join(f"r.{f.strip()}" for f in fields.split(","))
            if statement is insert:
                returning = fields
            cursor.execute(
                f"""WITH written AS ({statement} RETURNING {returning})
                INSERT INTO {history_table} ({history_columns})
                SELECT {fields}, %s, %s, %s, %s FROM written""",
                [*params, now, "import", kind, author],
            )
        return
    cursor.execute(update, [author, now])
    cursor.execute(insert, [assessment.pk, author, now])
    cursor.execute(
        f"""INSERT INTO {history_table} ({history_columns})
        SELECT r.id, r.assessment_id, r.enrolment_id, r.competency_id, r.grade, r.level,
            r.absence, r.comment, r.author_id, r.entered_at, %s, %s,
            CASE WHEN c.action = 'create' THEN '+' ELSE '~' END, %s
        FROM {CHECKED} c JOIN {result_table} r ON r.assessment_id = %s
            AND r.enrolment_id = c.enrolment_id
            AND COALESCE(r.competency_id, 0) = COALESCE(c.competency_id, 0)
        WHERE {valid} IN ('create', 'update')""",
        [now, "import", author, assessment.pk],
    )


@transaction.atomic
def results_import(
    *,
    assessment: Assessment,
    content: bytes,
    filename: str,
    actor: User | None,
    valid_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Check every row of a results file and, when all are valid (or ``valid_only``), write the
    new and changed results in one transaction with their history and one audit record.

    Only the course's lecturer or a programme director may import (the same check as a single
    result). ``dry_run`` checks and counts without writing (the preview)."""
    result_check_author(assessment=assessment, actor=actor)
    # One import at a time per assessment: a concurrent one waits, then sees these results.
    Assessment.objects.select_for_update().filter(pk=assessment.pk).exists()
    if len(content) > MAX_BYTES:
        raise DomainError(_("The file is larger than 50 MB."), code="file")
    report = ImportReport(dry_run=dry_run)
    with connection.cursor() as cursor:
        _create_tables(cursor, assessment)
        header_errors = _stage(cursor, content, filename)
        if header_errors is not None:
            report.errors = header_errors
            _drop(cursor)
            return report
        _plan_with_real_sizes(cursor)
        _check(cursor, assessment)
        _count(cursor, report)
        report.errors = _row_errors(cursor)
        if not dry_run and (valid_only or not report.errors) and (report.created or report.updated):
            _write(cursor, assessment, actor)
            report.imported = True
        _drop(cursor)
    if report.imported:
        _audit_import(assessment, actor, filename, report, valid_only=valid_only)
    return report


def _stage(cursor: Any, content: bytes, filename: str) -> list[RowError] | None:
    """Load the file's rows into the staging table (PostgreSQL copies a CSV file straight in);
    the header's errors when its columns cannot be read, else None."""
    xlsx = is_xlsx(content, filename)
    copied = None if xlsx or not _postgres() else _copy_csv(cursor, content)
    if copied is None:
        try:
            _names, rows = _read_rows(content, xlsx=xlsx)
        except _HeaderError as error:
            return error.errors
        _load(cursor, STAGE, ("line", *COLUMNS, "problem"), rows)
    return None


def _plan_with_real_sizes(cursor: Any) -> None:
    """On PostgreSQL: fresh temporary tables have no statistics, and the results table's may
    be stale right after a large import: plan with real sizes, hash (not merge) joins, sorts
    in memory."""
    if _postgres():
        cursor.execute(f"ANALYZE {STAGE}, {LEARNERS}, {COMPETENCIES}")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL enable_mergejoin = off")


def _count(cursor: Any, report: ImportReport) -> None:
    """Count the checked rows into the report: rows, skipped, created, updated, unchanged."""
    cursor.execute(
        f"SELECT final_status, action, COUNT(*) FROM {CHECKED} "
        "WHERE final_status <> 'blank' GROUP BY final_status, action"
    )
    for status, action, count in cursor.fetchall():
        report.rows += count
        if status in SKIPPED:
            report.skipped += count
        elif status == "":
            setattr(report, {"create": "created", "update": "updated"}.get(action, action), count)


def _row_errors(cursor: Any) -> list[RowError]:
    """The refused rows, in file order: the reason, the value refused, the line kept first."""
    cursor.execute(
        f"""SELECT line, final_status,
            CASE final_status
                WHEN 'learner_unknown' THEN learner WHEN 'competency_unknown' THEN competency
                WHEN 'level_invalid' THEN level WHEN 'absence_invalid' THEN absence
                WHEN 'grade_not_number' THEN grade WHEN 'grade_range' THEN grade
                WHEN 'grade_decimals' THEN grade ELSE '' END,
            first_line
        FROM {CHECKED} WHERE final_status NOT IN ('', 'blank', 'empty') ORDER BY line"""
    )
    return [
        RowError(line, code, value or "", first) for line, code, value, first in cursor.fetchall()
    ]


def _audit_import(
    assessment: Assessment,
    actor: User | None,
    filename: str,
    report: ImportReport,
    *,
    valid_only: bool,
) -> None:
    audit_record(
        action=Action.RESULTS_IMPORT,
        actor=actor,
        target=assessment,
        summary=f"{filename}: {report.created} created, {report.updated} updated",
        data={
            "file": filename[:200],
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "refused": len(report.errors),
            "skipped": report.skipped,
            "valid_only": valid_only,
        },
    )


def _drop(cursor: Any) -> None:
    for table in (STAGE, STATUSED, CHECKED, LEARNERS, COMPETENCIES):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
