"""Writes of the shared kernel.

Sections: shipped data loading (``data_load``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from capitalis.core.data import (
    CREATED,
    DELETED,
    UNCHANGED,
    UPDATED,
    LoadCounts,
    data_files,
    default_data_dir,
    discover_loaders,
)
from capitalis.core.models import audit_record

# --- shipped data loading ----------------------------------------------------------------


@dataclass
class DataLoadReport:
    """What a load did: the files read and the row counts, per loader."""

    files: list[str] = field(default_factory=list)
    counts: dict[str, LoadCounts] = field(default_factory=dict)

    def total(self, status: str) -> int:
        return sum(c.total(status) for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.counts.values())

    def summary(self) -> dict[str, int]:
        return {s: self.total(s) for s in (CREATED, UPDATED, UNCHANGED, DELETED)}


@transaction.atomic
def data_load(*, data_dir: Path | None = None, actor: Any = None) -> DataLoadReport:
    """Load every shipped data file under ``data_dir`` (default ``data/``), app by app in
    pipeline order, idempotently: rows are upserted by natural key, only differing rows are
    written, rows of a loaded version that the file no longer has are deleted.

    Every file is parsed and validated before anything is written; on any error
    (:class:`~capitalis.core.data.DataFileError`) nothing is written. One audit event records
    a load that changed something; a load that changes nothing writes nothing at all."""
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    loaders = discover_loaders()
    parsed: list[tuple[str, list[Any]]] = []
    report = DataLoadReport()
    for loader in loaders:
        paths = data_files(root / loader.directory)
        parsed.append((loader.name, [loader.parse(p) for p in paths]))
        report.files.extend(str(p) for p in paths)
    for loader, (_name, documents) in zip(loaders, parsed, strict=True):
        report.counts[loader.name] = loader.apply(documents) if documents else LoadCounts()
    if report.changed:
        audit_record(
            action="core.data_load",
            actor=actor,
            target_type="data",
            target_id=str(root.name),
            summary="Shipped data loaded: {created} created, {updated} updated, "
            "{deleted} deleted, {unchanged} unchanged".format(**report.summary()),
            data={
                "files": [Path(f).name for f in report.files],
                "counts": {name: c.as_dict() for name, c in report.counts.items()},
            },
        )
    return report
