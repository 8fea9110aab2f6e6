"""Declared history (files ``data/reporting/declared*.yaml``: figures from before the system,
SPEC §9), loaded by ``manage.py load_data`` through the app's ``capitalis.reporting.data``.

Other files of the folder belong to the other loaders: this one reads only ``declared*`` files.
Idempotent: a figure is upserted by (programme, campus, indicator, period) and written only when
it differs; a second load writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from capitalis.core.data import (
    CREATED,
    UNCHANGED,
    UPDATED,
    DataFileError,
    DataLoader,
    LoadCounts,
    app_schema,
    check_document,
    mapping,
    mappings,
)

PREFIX = "declared"
# The indicators a declared figure may be about (the schema's enum, kept equal by a test).
INDICATORS = (
    "certification_rate",
    "partial_certification_rate",
    "block_pass_rate",
    "satisfaction_teaching",
    "satisfaction_work_study",
    "employment_6m",
    "employment_2y",
    "apprentices",
    "apprentices_msc1",
    "apprentices_msc2",
)
SCHEMA = app_schema(__file__, "declared_history")


@dataclass(frozen=True)
class DeclaredDocument:
    path: Path
    programme: str
    figures: list[dict[str, Any]]


def parse_document(path: Path) -> DeclaredDocument | None:
    """Read and validate a declared history file (no database): ``schemas/declared_history
    .schema.json``, then the values; None for another loader's file. Values are Decimal (never
    float); a percentage lies within 0–100; a figure appears once."""
    if not path.name.startswith(PREFIX):
        return None
    raw, errors = check_document(path, SCHEMA)
    top = mapping(raw)
    figures = mappings(top.get("figures"))
    seen: set[tuple[str, str, str]] = set()
    for i, f in enumerate(figures):
        where = f"figures[{i}]"
        if "value" in f:
            try:
                f["value"] = Decimal(f["value"])
                if not f["value"].is_finite() or f["value"] < 0:
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(_("%(path)s: a number is expected") % {"path": f"{where}.value"})
            else:
                if f.get("unit") == "%" and f["value"] > 100:
                    errors.append(
                        _("%(path)s: a percentage lies between 0 and 100")
                        % {"path": f"{where}.value"}
                    )
        key = (f.get("indicator", ""), f.get("period", ""), f.get("campus") or "")
        if key in seen:
            errors.append(_("%(path)s: this figure appears twice") % {"path": where})
        seen.add(key)
    if errors:
        raise DataFileError(path, errors)
    return DeclaredDocument(path=path, programme=top["programme"], figures=figures)


def _apply(documents: Sequence[DeclaredDocument | None]) -> LoadCounts:
    from capitalis.programmes.models import Campus, Programme
    from capitalis.reporting.models import DeclaredFigure

    counts = LoadCounts()
    campuses = {c.code: c for c in Campus.objects.all()}
    for document in documents:
        if document is None:
            continue
        programme = Programme.objects.filter(code=document.programme).first()
        if programme is None:
            raise DataFileError(
                document.path, [_("unknown programme %(code)s") % {"code": document.programme}]
            )
        existing = {
            (f.indicator, f.period, f.campus_id): f
            for f in DeclaredFigure.objects.filter(programme=programme)
        }
        for f in document.figures:
            campus = None
            if f.get("campus"):
                campus = campuses.get(f["campus"])
                if campus is None:
                    raise DataFileError(
                        document.path, [_("unknown campus %(code)s") % {"code": f["campus"]}]
                    )
            values: dict[str, Any] = {
                "value": f["value"],
                "unit": f["unit"],
                "numerator": f.get("numerator"),
                "denominator": f.get("denominator"),
                "as_of": f.get("as_of"),
                "source": f["source"],
            }
            row = existing.get((f["indicator"], f["period"], campus.pk if campus else None))
            if row is None:
                DeclaredFigure.objects.create(
                    programme=programme,
                    campus=campus,
                    indicator=f["indicator"],
                    period=f["period"],
                    **values,
                )
                counts.add("reporting.declaredfigure", CREATED)
                continue
            current = {name: getattr(row, name) for name in values}
            if _same(current, values):
                counts.add("reporting.declaredfigure", UNCHANGED)
                continue
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            counts.add("reporting.declaredfigure", UPDATED)
    return counts


def _same(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Stored values equal the file's (decimals compared as numbers)."""
    for name, value in wanted.items():
        have = current[name]
        if isinstance(value, Decimal) and have is not None:
            have = Decimal(have)
        if have != value:
            return False
    return True


data_loaders = [
    DataLoader(
        name="reporting-declared",
        directory="reporting",
        parse=parse_document,
        apply=_apply,
    ),
]
