"""The retention rules file (``data/reporting/retention.yaml``) checked by ``manage.py
load_data``: an invalid file stops the load with its key paths, before anything is written.
Nothing is stored: ``apply_retention`` reads the file when it runs (see services.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from capitalis.core.data import DataLoader, LoadCounts

FILE_NAME = "retention.yaml"


def parse_retention_file(path: Path) -> Any:
    """The parsed rules of the retention file; None for the folder's other files."""
    if path.name != FILE_NAME:
        return None
    from capitalis.reporting.privacy.services import parse_retention

    return parse_retention(path)


def apply_retention_file(documents: Sequence[Any]) -> LoadCounts:
    return LoadCounts()


data_loaders = [
    DataLoader(
        name="reporting-retention",
        directory="reporting",
        parse=parse_retention_file,
        apply=apply_retention_file,
    )
]
