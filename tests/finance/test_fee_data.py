"""The shipped fee schedules price every edition of the shipped catalogue (2024-25 from seed
000, 2026-27 from seed 001); load_data refuses a catalogue edition that finds no schedule and
then writes nothing; the finance page shows which schedule each edition pays."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import translation

from capitalis.accounts.rules import Role, ScopeKind
from capitalis.core.data import DataFileError
from capitalis.core.services import data_load
from capitalis.finance import queries
from capitalis.finance.models import FeeSchedule
from capitalis.programmes.models import Edition
from tests.enrolment.builders import user

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "data"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with (
        translation.override("en"),
        override_settings(
            LANGUAGE_CODE="en", PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
    ):
        yield


def test_every_shipped_edition_finds_its_own_schedule(client: Client) -> None:
    data_load(data_dir=DATA)
    rows = queries.edition_schedules()
    editions = set(Edition.objects.values_list("code", flat=True))
    assert editions == {"2024-25", "2026-27"}
    assert {r.edition_code for r in rows} == editions
    assert {(r.edition_code, r.track) for r in rows} == {
        (e, t) for e in editions for t in ("initial", "work_study")
    }
    assert all(r.schedule_year == r.edition_code and r.exact for r in rows), rows
    fees = {(s.academic_year, s.track): s for s in FeeSchedule.objects.all()}
    assert fees[("2024-25", "initial")].tuition == Decimal("9990.00")
    assert fees[("2024-25", "initial")].deposit == Decimal("1100.00")
    assert fees[("2024-25", "work_study")].third_party_pays
    client.force_login(user("finance@example.org", (Role.FINANCE, ScopeKind.GLOBAL, None)))
    page = client.get("/finance/invoices/")
    assert "Fee schedule paid by each edition" in page.text
    assert "The 2024-25 fee schedule." in page.text


def test_an_edition_without_a_schedule_fails_the_load_and_writes_nothing(
    tmp_path: Path,
) -> None:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    path = target / "finance" / "msc-erci-fees.yaml"
    text = path.read_text(encoding="utf-8")
    head, schedules = text.split("schedules:\n", 1)
    kept = [b for b in schedules.split("- academic_year: ") if b and not b.startswith("2024-25")]
    path.write_text(
        head + "schedules:\n" + "".join("- academic_year: " + b for b in kept), encoding="utf-8"
    )
    with pytest.raises(DataFileError, match=r"edition 2024-25 \(initial\) finds no fee schedule"):
        data_load(data_dir=target)
    assert not FeeSchedule.objects.exists()
    assert not Edition.objects.exists()
