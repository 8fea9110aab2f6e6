"""Shipped fee schedules (``data/finance/*.yaml``): parse and validate a file (no database),
then apply it through ``finance.services.fee_schedule_set`` (amounts: Decimal, at most two
decimals, deposit within tuition). Idempotent: a second load writes nothing."""

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
from capitalis.core.exceptions import DomainError

SCHEMA = app_schema(__file__, "fees")
AMOUNTS = ("tuition", "deposit", "application_fee", "cvec")


@dataclass(frozen=True)
class FeeDocument:
    path: Path
    programme: str
    schedules: list[dict[str, Any]]


def parse_document(path: Path) -> FeeDocument:
    """Read and validate a fee file (``schemas/fees.schema.json``); amounts are strings read
    as Decimal (never float)."""
    raw, errors = check_document(path, SCHEMA)
    top = mapping(raw)
    schedules = mappings(top.get("schedules"))
    for i, s in enumerate(schedules):
        for name in AMOUNTS:
            if name not in s:
                continue
            try:
                s[name] = Decimal(s[name])
            except InvalidOperation:
                errors.append(
                    _("%(path)s: an amount is expected") % {"path": f"schedules[{i}].{name}"}
                )
    if errors:
        raise DataFileError(path, errors)
    return FeeDocument(path=path, programme=top["programme"], schedules=schedules)


def _apply(documents: Sequence[FeeDocument]) -> LoadCounts:
    from capitalis.finance.models import FeeSchedule
    from capitalis.finance.services import fee_schedule_set
    from capitalis.programmes.models import Programme

    counts = LoadCounts()
    for document in documents:
        programme = Programme.objects.filter(code=document.programme).first()
        if programme is None:
            raise DataFileError(
                document.path,
                [_("unknown programme %(code)s") % {"code": document.programme}],
            )
        for s in document.schedules:
            existed = FeeSchedule.objects.filter(
                programme=programme, academic_year=s["academic_year"], track=s["track"]
            ).exists()
            try:
                _schedule, changed = fee_schedule_set(
                    programme=programme,
                    academic_year=s["academic_year"],
                    track=s["track"],
                    tuition=s["tuition"],
                    deposit=s["deposit"],
                    application_fee=s["application_fee"],
                    cvec=s["cvec"],
                    third_party_pays=s.get("third_party_pays", False),
                    provenance=s.get("provenance", ""),
                )
            except DomainError as exc:
                raise DataFileError(
                    document.path, [f"{s['academic_year']} {s['track']}: {exc.message}"]
                ) from exc
            status = UNCHANGED if not changed else (UPDATED if existed else CREATED)
            counts.add("finance.feeschedule", status)
        _check_every_edition_priced(document, programme.pk)
    return counts


def _check_every_edition_priced(document: FeeDocument, programme_id: int) -> None:
    """Every edition of the programme, on every track it offers, must find the fee schedule
    it pays (``rules.schedule_year_for``); otherwise the load fails and writes nothing."""
    from capitalis.finance.queries import edition_schedules

    missing = [
        _("edition %(edition)s (%(track)s) finds no fee schedule")
        % {"edition": row.edition_code, "track": row.track}
        for row in edition_schedules(programme_ids=[programme_id])
        if row.schedule_year is None
    ]
    if missing:
        raise DataFileError(document.path, missing)


data_loaders = [DataLoader(name="finance", directory="finance", parse=parse_document, apply=_apply)]
