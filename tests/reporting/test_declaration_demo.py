"""``seed_demo`` declares the past cohorts' holders: a real flux valid against the official XSD,
a processing report simulated for the demo (one rejected passage), the latest session's holders
left to declare; a second run changes nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from capitalis.reporting import declaration
from capitalis.reporting.models import AwardDeclaration, AwardStatus, DeclarationFlux

pytestmark = pytest.mark.django_db


def seed(tmp_path: Path, settings: Any) -> str:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_declares_the_past_cohorts(
    referential_data: None, tmp_path: Path, settings: Any
) -> None:
    seed(tmp_path, settings)
    flux = DeclarationFlux.objects.get()
    assert declaration.validate(flux.file.read()) == []
    statuses = list(AwardDeclaration.objects.values_list("status", flat=True))
    assert statuses.count(AwardStatus.REJECTED) == 1
    assert statuses.count(AwardStatus.ACCEPTED) == len(statuses) - 1 > 0
    state = sorted(AwardDeclaration.objects.values_list("id_technique", "status"))
    seed(tmp_path, settings)
    assert DeclarationFlux.objects.count() == 1
    assert sorted(AwardDeclaration.objects.values_list("id_technique", "status")) == state
