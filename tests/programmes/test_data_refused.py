"""A bad shipped catalogue file loads nothing: the database stays as it was (empty here; the
good catalogue's checks, on a catalogue loaded once, are in test_data.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from capitalis.core.data import DataFileError
from capitalis.core.services import data_load
from capitalis.finance.models import FeeSchedule
from capitalis.programmes.models import Course, Edition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English here (French is the default language)."""
    with translation.override("en"):
        yield


DATA = Path(settings.BASE_DIR) / "data"


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def test_negative_ects_in_the_file_loads_nothing(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    path = data_dir / "programmes" / "msc-erci.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "title_fr: Typologie des crises, title_en: Typology of crises, ects: 3",
            "title_fr: Typologie des crises, title_en: Typology of crises, ects: -3",
        ),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="ECTS cannot be negative"):
        call_command("load_data", "--data-dir", str(data_dir), stdout=StringIO())
    assert not Course.objects.exists()
    assert not Edition.objects.exists()


def test_overlapping_editions_in_the_file_load_nothing(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    path = data_dir / "programmes" / "msc-erci.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("start_date: 2026-09-01", "start_date: 2025-06-01"), encoding="utf-8"
    )
    with pytest.raises(DataFileError, match="overlaps edition 2024-25"):
        data_load(data_dir=data_dir)
    assert not Edition.objects.exists()
    assert not FeeSchedule.objects.exists()
