"""Shipped interview scoring grids (``data/admissions/interviews/*.yaml``): parse and validate
a file (no database), then apply it through ``services_jury.interview_grid_set``.

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
    Field,
    LoadCounts,
    check_list,
    check_mapping,
    check_unique,
    read_data_file,
)

FILE = {"programme": Field("text"), "grids": Field("list")}
GRID = {"editions": Field("list"), "criteria": Field("list")}
CRITERION = {
    "code": Field("text"),
    "label_fr": Field("text"),
    "label_en": Field("str", required=False),
    "max_score": Field("int"),
}


@dataclass(frozen=True)
class GridDocument:
    path: str
    programme: str
    grids: list[tuple[list[str], list[dict[str, Any]]]]


def parse_grid(path: Path) -> GridDocument:
    """Read and validate one grid file; every problem is reported with its key path."""
    errors: list[str] = []
    data = check_mapping(read_data_file(path), FILE, "", errors)
    grids: list[tuple[list[str], list[dict[str, Any]]]] = []
    for i, raw in enumerate(check_list(data.get("grids"), "grids", errors)):
        where = f"grids[{i}]"
        grid = check_mapping(raw, GRID, where, errors)
        editions = [str(e) for e in check_list(grid.get("editions"), f"{where}.editions", errors)]
        if "editions" in grid and not editions:
            errors.append(_("%(path)s: must not be empty") % {"path": f"{where}.editions"})
        criteria = []
        for j, item in enumerate(check_list(grid.get("criteria"), f"{where}.criteria", errors)):
            cwhere = f"{where}.criteria[{j}]"
            criterion = check_mapping(item, CRITERION, cwhere, errors)
            score = criterion.get("max_score")
            if isinstance(score, int) and not 1 <= score <= 20:
                errors.append(
                    _("%(path)s: must be between 1 and 20") % {"path": f"{cwhere}.max_score"}
                )
            criteria.append(criterion)
        check_unique([str(c.get("code", "")) for c in criteria], f"{where}.criteria", errors)
        grids.append((editions, criteria))
    if errors:
        raise DataFileError(path, errors)
    return GridDocument(path=str(path), programme=str(data["programme"]), grids=grids)


def apply_grids(documents: Sequence[GridDocument]) -> LoadCounts:
    from capitalis.admissions.services_jury import interview_grid_set
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
