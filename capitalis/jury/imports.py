"""Block validations obtained before Capitalis (issue 13 point 2): the file format of their
import, its template, its reading, and the translated reasons of a refused validation.

The file (CSV or XLSX, read through :mod:`capitalis.core.spreadsheets` with its limits) has the
columns ``learner`` (e-mail address or INE), ``certification`` (code), ``version`` (code),
``block`` (code), ``date`` (ISO 2024-06-30 or French 30/06/2024), ``route`` (training, vae or
equivalence; French names accepted) and ``source`` (the reference of the minutes or decision).
French column names are accepted. The checks and the writing are
``services.prior_validations_import``'s: all or nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError
from capitalis.core.spreadsheets import (
    csv_bytes,
    csv_rows,
    decode_text,
    is_xlsx,
    sniff_delimiter,
    xlsx_rows,
)
from capitalis.jury import rules
from capitalis.jury.models import Route

COLUMNS = ("learner", "certification", "version", "block", "date", "route", "source")
HEADER_ALIASES = {
    "learner": "learner",
    "apprenant": "learner",
    "apprenante": "learner",
    "email": "learner",
    "e-mail": "learner",
    "ine": "learner",
    "certification": "certification",
    "version": "version",
    "block": "block",
    "bloc": "block",
    "date": "date",
    "validated_on": "date",
    "route": "route",
    "voie": "route",
    "source": "source",
    "source_reference": "source",
    "reference": "source",
    "référence": "source",
}
ROUTE_ALIASES = {
    "training": "training",
    "formation": "training",
    "vae": "vae",
    "equivalence": "equivalence",
    "équivalence": "equivalence",
}
MAX_BYTES = 5_000_000
MAX_ROWS = 5_000


def reason_text(reason: rules.Reason) -> str:
    """One reason of :func:`rules.prior_validation_check`, in the active language."""
    messages = {
        "learner_missing": _("The learner (e-mail address or INE) is missing."),
        "learner_unknown": _("Unknown learner “%(value)s”: no learner has this e-mail or INE."),
        "block_missing": _("The block is missing."),
        "certification_unknown": _("Unknown certification “%(value)s”."),
        "version_unknown": _("The certification %(certification)s has no version “%(value)s”."),
        "block_unknown": _("The version %(version)s has no block “%(value)s”."),
        "not_enrolled": _(
            "This learner is neither enrolled on a programme leading to %(certification)s nor "
            "a VAE candidate for it."
        ),
        "date_missing": _("The date of the validation is missing."),
        "date_invalid": _("The date “%(value)s” is not a date: write 2024-06-30 or 30/06/2024."),
        "date_future": _("The date %(date)s is in the future."),
        "date_before_version": _(
            "The date %(date)s is before this version came into force (%(valid_from)s)."
        ),
        "route_invalid": _("Unknown route “%(value)s”: training, vae or equivalence."),
        "source_missing": _(
            "Give the source: the reference of the minutes or decision, or the document."
        ),
        "source_too_long": _("The source reference is longer than %(limit)s characters."),
        "already_validated": _(
            "This learner already holds block %(block)s (validated on %(date)s, %(route)s): "
            "a block is validated once."
        ),
        "duplicate": _("Duplicate row: line %(first)s already records this learner's block."),
        "columns": _("This row has more cells than the header has columns."),
    }
    template = messages.get(reason.code)
    params = dict(reason.params)
    if params.get("route") in Route.values:
        params["route"] = str(Route(params["route"]).label)
    return template % params if template else reason.code


_FIELDS = {
    "learner_missing": "learner",
    "learner_unknown": "learner",
    "not_enrolled": "learner",
    "block_missing": "block",
    "certification_unknown": "block",
    "version_unknown": "block",
    "block_unknown": "block",
    "already_validated": "block",
    "date_missing": "validated_on",
    "date_invalid": "validated_on",
    "date_future": "validated_on",
    "date_before_version": "validated_on",
    "route_invalid": "route",
    "source_missing": "source_reference",
    "source_too_long": "source_reference",
}


class PriorRefused(DomainError):
    """A prior validation the rules refuse: every reason, translated, and by form field
    (``learner``, ``block``, ``validated_on``, ``route``, ``source_reference``)."""

    def __init__(self, reasons: tuple[rules.Reason, ...]) -> None:
        super().__init__(" ".join(reason_text(r) for r in reasons), code=reasons[0].code)
        self.reasons = reasons
        self.fields: dict[str, list[str]] = {}
        for reason in reasons:
            self.fields.setdefault(_FIELDS.get(reason.code, "learner"), []).append(
                reason_text(reason)
            )


@dataclass(frozen=True)
class PriorRow:
    """One row of the file, as typed (text)."""

    line: int
    learner: str
    certification: str
    version: str
    block: str
    date: str
    route: str
    source: str
    extra: bool = False


@dataclass(frozen=True)
class RowError:
    """A refused row: its line in the file (1 = the header) and its reasons."""

    line: int
    reasons: tuple[rules.Reason, ...]

    @property
    def messages(self) -> list[str]:
        return [reason_text(r) for r in self.reasons]

    @property
    def message(self) -> str:
        return " ".join(self.messages)


@dataclass
class ImportReport:
    """What an import found and did; ``imported`` is False when nothing was written."""

    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False
    dry_run: bool = False

    @property
    def valid(self) -> int:
        return self.rows - len(self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "created": self.created,
            "imported": self.imported,
            "dry_run": self.dry_run,
            "errors": [
                {
                    "line": e.line,
                    "codes": [r.code for r in e.reasons],
                    "message": e.message,
                }
                for e in self.errors
            ],
        }


def template_csv() -> bytes:
    """The import template: the header and one example row (UTF-8 with a byte-order mark)."""
    example = [
        "learner@example.org",
        "RNCP00000",
        "V1",
        "BC01",
        "2024-06-30",
        "training",
        "PV jury 2024-06-30",
    ]
    return csv_bytes([example], header=COLUMNS, lineterminator="\n", bom=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(content: bytes, filename: str) -> list[PriorRow]:
    """The rows of a CSV or XLSX file (blank lines left out). A file that cannot be read,
    is past a limit, or whose header is wrong raises a translated :class:`DomainError`."""
    if len(content) > MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // 1_000_000},
            code="file",
        )
    xlsx = is_xlsx(content, filename)
    lines: Any
    if xlsx:
        lines = ((n, [_cell(v) for v in row]) for n, row in xlsx_rows(content))
    else:
        text = decode_text(content)
        first = text.split("\n", 1)[0]
        delimiter = sniff_delimiter(first)
        lines = csv_rows(text, delimiter=delimiter)
    try:
        head = next(lines, None)
        if head is None:
            raise DomainError(_("The file is empty."), code="file")
        names = _header(head[1])
        positions = [names.index(c) for c in COLUMNS]
        rows: list[PriorRow] = []
        for number, cells in lines:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise DomainError(
                    _("The file has more than %(limit)s rows; split it into smaller files.")
                    % {"limit": MAX_ROWS},
                    code="file_too_large",
                )
            values = [cells[p].strip() if p < len(cells) else "" for p in positions]
            extra = any(c.strip() for c in cells[len(names) :])
            learner, certification, version, block, day, route, source = values
            rows.append(
                PriorRow(number, learner, certification, version, block, day, route, source, extra)
            )
    finally:
        close = getattr(lines, "close", None)
        if close is not None:
            close()
    return rows


def _header(cells: list[Any]) -> list[str]:
    names: list[str] = []
    for cell in cells:
        raw = str(cell if cell is not None else "").strip().lower()
        name = HEADER_ALIASES.get(raw, "")
        if raw and not name:
            raise DomainError(
                _(
                    "Unknown column “%(value)s”: the columns are learner, certification, "
                    "version, block, date, route and source."
                )
                % {"value": raw[:50]},
                code="header",
            )
        if name and name in names:
            raise DomainError(
                _("The column “%(value)s” appears twice.") % {"value": raw[:50]}, code="header"
            )
        names.append(name or f"_ignored{len(names)}")
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise DomainError(
            _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)},
            code="header",
        )
    return names
