"""Shipped interview scoring grids (``data/admissions/interviews/*.yaml``): parse and validate
a file (no database), then apply it through ``jury.services.interview_grid_set``.

The grid lives in its own sub-folder so that the eligibility loader (``data/admissions/``)
never reads it. Format: see data/admissions/interviews/grid.yaml (header comment).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from capitalis.core.data import (
    DataFileError,
    DataLoader,
    LoadCounts,
    app_schema,
    check_document,
    check_unique,
    mapping,
    mappings,
)

# The schema stays with the app's others (capitalis/admissions/schemas/): the folder of this
# subpackage stands for a module of the app.
SCHEMA = app_schema(str(Path(__file__).resolve().parent), "interview_grid")


@dataclass(frozen=True)
class GridDocument:
    path: str
    programme: str
    grids: list[tuple[list[str], list[dict[str, Any]]]]


def parse_grid(path: Path) -> GridDocument:
    """Read and validate one grid file (``schemas/interview_grid.schema.json``, then the
    criterion codes are unique within a grid); every problem is reported with its key path."""
    raw, errors = check_document(path, SCHEMA)
    data = mapping(raw)
    grids: list[tuple[list[str], list[dict[str, Any]]]] = []
    for i, grid in enumerate(mappings(data.get("grids"))):
        criteria = mappings(grid.get("criteria"))
        check_unique([str(c.get("code", "")) for c in criteria], f"grids[{i}].criteria", errors)
        grids.append(([str(e) for e in grid.get("editions", [])], criteria))
    if errors:
        raise DataFileError(path, errors)
    return GridDocument(path=str(path), programme=str(data["programme"]), grids=grids)


def apply_grids(documents: Sequence[GridDocument]) -> LoadCounts:
    from capitalis.admissions.jury.services import interview_grid_set
    from capitalis.programmes.models import Edition

    counts = LoadCounts()
    for document in documents:
        for editions, criteria in document.grids:
            for code in editions:
                edition = Edition.objects.filter(
                    programme__code=document.programme, code=code
                ).first()
                if edition is None:
                    raise DataFileError(
                        document.path,
                        [
                            _("edition %(edition)s of %(programme)s is not loaded")
                            % {"edition": code, "programme": document.programme}
                        ],
                    )
                counts.merge(interview_grid_set(edition=edition, criteria=criteria))
    return counts


data_loaders = [
    DataLoader(
        name="admissions-interviews",
        directory="admissions/interviews",
        parse=parse_grid,
        apply=apply_grids,
    )
]
