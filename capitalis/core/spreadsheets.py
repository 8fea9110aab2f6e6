"""Every CSV and XLSX the product writes or reads goes through here.

Writing (exports, templates): a text cell that a spreadsheet would take for a formula is made
inert (OWASP, CSV injection): in CSV a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return, also after leading spaces, gets a leading apostrophe; in XLSX every text cell is
stored as a string (``data_type`` "s", never "f") with Excel's quote prefix, so the text shows
as typed and stays text when edited. Numbers, dates and texts that are plain numbers
(``-150.00``) stay what they are.

Reading (imports): an XLSX is a zip; before openpyxl parses it, its members are counted and
their uncompressed sizes and compression ratios checked (a few hundred kilobytes can unpack to
gigabytes of sheet XML); rows and cells are then counted while reading. CSV files get the same
row and cell limits. Limits are settings (``SPREADSHEET_*``); a file past one raises
:class:`SpreadsheetError`, a translated DomainError, before anything is imported.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_MAGIC = b"PK\x03\x04"


# --- writing ----------------------------------------------------------------------------------


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (OWASP CSV injection): it starts
    with a trigger character, also after leading whitespace; a plain number is not."""
    if not text:
        return False
    if text[0] in ("\t", "\r"):
        return True
    stripped = text.lstrip()
    if not stripped or stripped[0] not in FORMULA_TRIGGERS:
        return False
    return not _PLAIN_NUMBER.fullmatch(stripped)


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet could take it for a formula."""
    return "'" + text if is_formula_like(text) else text


def unneutralise(text: str) -> str:
    """The inverse of :func:`neutralise`, for a file that went out and comes back (an import
    template): the apostrophe written before a formula-like text is taken off again."""
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | decimal.Decimal | datetime.date | datetime.time):
        return str(value)
    return neutralise(str(value))


def csv_bytes(
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[Any] | None = None,
    delimiter: str = ",",
    lineterminator: str = "\r\n",
    bom: bool = False,
) -> bytes:
    """A CSV file in UTF-8 (with a byte-order mark when ``bom``: spreadsheet software then
    reads the accents right), every text cell made inert (module docstring)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    if header is not None:
        writer.writerow([_csv_cell(v) for v in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


@dataclass
class Sheet:
    """One worksheet of :func:`xlsx_bytes`: its title, rows (the header first, if any) and the
    widths of its first columns."""

    title: str
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = field(default_factory=tuple)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook of these sheets: numbers and dates as such, every other value a string
    cell (never a formula), formula-like texts with Excel's quote prefix."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title)
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for row in spec.rows:
            cells = []
            for value in row:
                if value is None:
                    cells.append(WriteOnlyCell(sheet, value=None))
                    continue
                if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
                    cells.append(WriteOnlyCell(sheet, value=value))
                    continue
                if isinstance(value, datetime.date | datetime.time):
                    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
                        value = value.replace(tzinfo=None)
                    cells.append(WriteOnlyCell(sheet, value=value))
                    continue
                text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
                cell = WriteOnlyCell(sheet, value=None)
                cell._value = text  # set directly: openpyxl's setter would make "=…" a formula
                cell.data_type = "s"
                if is_formula_like(text):
                    cell.quotePrefix = True
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- reading ----------------------------------------------------------------------------------


class SpreadsheetError(DomainError):
    """A spreadsheet that cannot be read or is past a limit; the message is translated."""


@dataclass(frozen=True)
class Limits:
    """The reading limits, from settings unless given."""

    members: int
    uncompressed: int
    member: int
    ratio: int
    rows: int
    cells: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            members=settings.SPREADSHEET_MAX_MEMBERS,
            uncompressed=settings.SPREADSHEET_MAX_UNCOMPRESSED_BYTES,
            member=settings.SPREADSHEET_MAX_MEMBER_BYTES,
            ratio=settings.SPREADSHEET_MAX_RATIO,
            rows=settings.SPREADSHEET_MAX_ROWS,
            cells=settings.SPREADSHEET_MAX_CELLS,
        )


def is_xlsx(content: bytes, filename: str) -> bool:
    """Whether an uploaded file is to be read as XLSX (a zip, or named so) rather than CSV."""
    return content.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx")


def decode_text(content: bytes) -> str:
    """An uploaded CSV's text: UTF-8 (with or without a BOM), else Windows-1252 (what French
    spreadsheet software writes)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a CSV, from its header line: semicolon, comma or tab, the most used."""
    return max((";", ",", "\t"), key=first_line.count)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


# A member smaller than this is not checked for its ratio: tiny repetitive files compress well.
_RATIO_FLOOR = 1024 * 1024


def check_xlsx_archive(content: bytes, limits: Limits | None = None) -> None:
    """Refuse (SpreadsheetError) an XLSX whose zip is not readable or would unpack past the
    limits; nothing is decompressed. The sizes are the ones the zip declares: Python's zip
    reader never returns more bytes than a member declares, so a lying size only truncates."""
    limits = limits or Limits.from_settings()
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise SpreadsheetError(
            _("This file is not a readable XLSX workbook."), code="file"
        ) from None
    if len(members) > limits.members:
        raise SpreadsheetError(
            _("This workbook holds %(count)s files; at most %(limit)s are accepted.")
            % {"count": len(members), "limit": limits.members},
            code="file_too_large",
        )
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > limits.member or total > limits.uncompressed:
            raise SpreadsheetError(
                _(
                    "This workbook unpacks to more than %(size)s MB; split it into smaller "
                    "files or save it as CSV."
                )
                % {"size": _megabytes(min(limits.member, limits.uncompressed))},
                code="file_too_large",
            )
        if member.file_size > _RATIO_FLOOR and member.file_size > limits.ratio * max(
            member.compress_size, 1
        ):
            raise SpreadsheetError(
                _(
                    "This workbook is compressed abnormally well (more than %(ratio)s to 1); "
                    "it is refused as a possible zip bomb."
                )
                % {"ratio": limits.ratio},
                code="file_suspicious",
            )


def _count(limits: Limits, rows: int, cells: int) -> None:
    if rows > limits.rows:
        raise SpreadsheetError(
            _("The file has more than %(limit)s rows; split it into smaller files.")
            % {"limit": limits.rows},
            code="file_too_large",
        )
    if cells > limits.cells:
        raise SpreadsheetError(
            _("The file has more than %(limit)s cells; split it into smaller files.")
            % {"limit": limits.cells},
            code="file_too_large",
        )


def xlsx_rows(content: bytes, limits: Limits | None = None) -> Iterator[tuple[int, list[Any]]]:
    """(line number, cell values) of the first sheet of an XLSX, checked first (see
    :func:`check_xlsx_archive`) and counted while read (read-only mode, values only, the
    sheet's declared dimensions ignored so an empty cell is not invented up to column XFD)."""
    limits = limits or Limits.from_settings()
    check_xlsx_archive(content, limits)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
    except Exception:
        raise SpreadsheetError(
            _("This file is not a readable XLSX workbook."), code="file"
        ) from None
    rows = cells = 0
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows += 1
            cells += len(row)
            _count(limits, rows, cells)
            yield number, list(row)
    except SpreadsheetError:
        raise
    except Exception:
        raise SpreadsheetError(
            _("This file is not a readable XLSX workbook."), code="file"
        ) from None
    finally:
        workbook.close()


def csv_rows(
    text: str, *, delimiter: str, limits: Limits | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a CSV text, counted against the row and cell limits; a NUL
    character or a bad quote raises SpreadsheetError. An apostrophe that an export put before a
    formula-like text is taken off (:func:`unneutralise`)."""
    limits = limits or Limits.from_settings()
    if "\x00" in text:
        raise SpreadsheetError(
            _("This file contains a NUL character: it is not a CSV text file."), code="file"
        )
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = cells = 0
    try:
        for row in reader:
            rows += 1
            cells += len(row)
            _count(limits, rows, cells)
            yield reader.line_num, [unneutralise(cell) for cell in row]
    except csv.Error:
        raise SpreadsheetError(_("This file is not a readable CSV file."), code="file") from None


def check_csv_text(text: str, limits: Limits | None = None) -> None:
    """Refuse a CSV text past the row limit before it is bulk-loaded whole (PostgreSQL COPY),
    and one holding a NUL character (PostgreSQL cannot store it)."""
    limits = limits or Limits.from_settings()
    if "\x00" in text:
        raise SpreadsheetError(
            _("This file contains a NUL character: it is not a CSV text file."), code="file"
        )
    _count(limits, text.count("\n"), 0)


def check_spreadsheet(content: bytes, filename: str, limits: Limits | None = None) -> None:
    """The quick checks of an uploaded CSV or XLSX, before a background job reads it: an XLSX's
    archive (a zip bomb), a CSV's row count and NUL characters. Raises SpreadsheetError."""
    if is_xlsx(content, filename):
        check_xlsx_archive(content, limits)
    else:
        check_csv_text(decode_text(content), limits)
