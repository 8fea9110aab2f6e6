"""``seed_demo`` with the shipped catalogue: campus and course roles get their scoped grant."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from capitalis.accounts.models import RoleAssignment
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.programmes.models import Calendar, Campus, Course
from capitalis.reporting.demo_indicators import COHORTS

pytestmark = pytest.mark.django_db


def seed(tmp_path: Path, settings: Any) -> str:
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_scoped_roles_are_granted_on_a_campus_and_a_course(
    referential_data: None, tmp_path: Path, settings: Any
) -> None:
    output = seed(tmp_path, settings)
    paris = Campus.objects.order_by("position", "code").first()
    assert paris is not None
    for role in (Role.CAMPUS_COORDINATOR, Role.DISABILITY_REFERENT):
        grant = RoleAssignment.objects.get(user__email__startswith=role.value.replace("_", "-"))
        assert (grant.role, grant.scope, grant.scope_id) == (
            role.value,
            ScopeKind.CAMPUS.value,
            paris.pk,
        )
    lecturer = RoleAssignment.objects.get(user__email__startswith="lecturer@")
    assert lecturer.scope == ScopeKind.COURSE.value
    assert Course.objects.filter(pk=lecturer.scope_id).exists()
    assert paris.name in output
    # Every offered campus and track of the catalogue's editions has its calendar (the past
    # cohorts the reporting demo adds have theirs too, counted apart).
    past = [code for code, *_rest in COHORTS]
    assert Calendar.objects.exclude(edition__code__in=past).count() == 10
    assert Calendar.objects.filter(edition__code__in=past).exists()
    # A second run grants nothing more.
    count = RoleAssignment.objects.count()
    seed(tmp_path, settings)
    assert RoleAssignment.objects.count() == count


def test_without_a_catalogue_scoped_roles_wait(tmp_path: Path, settings: Any) -> None:
    seed(tmp_path, settings)
    assert not RoleAssignment.objects.filter(
        role__in=[Role.CAMPUS_COORDINATOR.value, Role.LECTURER.value]
    ).exists()
