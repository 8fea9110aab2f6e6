"""``seed_demo`` without the shipped catalogue: the campus and course roles wait for one. With
the catalogue (their scoped grants, the calendars) it is checked on the demo seeded once, in
tests/demo/test_seeded_demo.py."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from capitalis.accounts.models import RoleAssignment
from capitalis.accounts.rules import Role

pytestmark = pytest.mark.django_db


def seed(tmp_path: Path, settings: Any) -> str:
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_without_a_catalogue_scoped_roles_wait(tmp_path: Path, settings: Any) -> None:
    seed(tmp_path, settings)
    assert not RoleAssignment.objects.filter(
        role__in=[Role.CAMPUS_COORDINATOR.value, Role.LECTURER.value]
    ).exists()
