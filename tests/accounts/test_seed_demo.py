"""``manage.py seed_demo``: demo users for every role, printed logins, idempotent."""

from __future__ import annotations

import re
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from capitalis.accounts import demo
from capitalis.accounts.demo import DemoContext, demo_password, demo_step, demo_steps
from capitalis.accounts.models import RoleAssignment, User
from capitalis.accounts.rules import ALLOWED_SCOPES, STAFF_ROLES, Role, ScopeKind
from capitalis.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def var_dir(tmp_path: Path, settings: Any) -> Path:
    settings.VAR_DIR = tmp_path
    # Demo users are created with the real hasher; a fast one keeps the test quick.
    return tmp_path


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_one_user_per_role_and_a_superuser(var_dir: Path) -> None:
    output = seed()
    admin = User.objects.get(email="admin@demo.capitalis.test")
    assert admin.is_superuser and admin.is_staff
    assert User.objects.count() == len(Role) + 1
    for role in Role:
        user = User.objects.get(email=f"{role.value.replace('_', '-')}@demo.capitalis.test")
        assert user.is_staff is (role in STAFF_ROLES)
        assert not user.is_superuser
        assert user.full_name and "@" not in user.full_name
        assert user.email in output
        grants = set(RoleAssignment.objects.filter(user=user).values_list("role", "scope"))
        if ScopeKind.GLOBAL in ALLOWED_SCOPES[role]:
            assert grants == {(role.value, "global")}
        else:
            assert grants == set()
    # Writes went through the services: each creation and grant is audited.
    assert AuditEvent.objects.filter(action="user_create").count() == len(Role) + 1
    assert AuditEvent.objects.filter(action="role_grant").count() == RoleAssignment.objects.count()


def test_only_generated_people(var_dir: Path) -> None:
    seed()
    emails = list(User.objects.values_list("email", flat=True))
    assert all(e.endswith("@demo.capitalis.test") for e in emails)
    names = list(User.objects.values_list("full_name", flat=True))
    assert len(set(names)) == len(names)


def test_printed_password_is_the_users_password_and_is_kept(var_dir: Path) -> None:
    output = seed()
    password = (var_dir / "demo-password").read_text().strip()
    assert len(password) >= 12
    assert stat.S_IMODE((var_dir / "demo-password").stat().st_mode) == 0o600
    assert re.search(rf"admin@demo\.capitalis\.test\s+.*{re.escape(password)}", output)
    user = User.objects.get(email="programme-director@demo.capitalis.test")
    assert user.check_password(password)
    assert User.objects.get(email="admin@demo.capitalis.test").check_password(password)


def test_second_run_creates_nothing_and_prints_the_same_logins(var_dir: Path) -> None:
    first = seed()
    users, grants, audits = (
        User.objects.count(),
        RoleAssignment.objects.count(),
        AuditEvent.objects.count(),
    )
    second = seed()
    assert (User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count()) == (
        users,
        grants,
        audits,
    )

    def table(text: str) -> list[str]:
        return [line for line in text.splitlines() if "@demo.capitalis.test" in line]

    assert table(first) == table(second)
    assert len(table(first)) == len(Role) + 1


def test_password_generated_per_installation(tmp_path: Path) -> None:
    a = demo_password(tmp_path / "a")
    assert demo_password(tmp_path / "a") == a
    assert demo_password(tmp_path / "b") != a


def test_later_apps_append_steps(var_dir: Path) -> None:
    seen: list[int] = []

    @demo_step(order=900, name="test-extra")
    def extra(ctx: DemoContext) -> None:
        seen.append(len(ctx.users))
        ctx.note("extra step ran")

    try:
        names = [name for name, _ in demo_steps()]
        assert names.index("accounts") < names.index("test-extra")
        output = seed()
    finally:
        demo._STEPS.pop("test-extra")
    assert seen == [len(Role)]
    assert "extra step ran" in output
