"""Writes on users and their roles."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.accounts.models import RoleAssignment, User
from capitalis.accounts.rules import Role, ScopeKind, scope_is_valid
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str = "",
    password: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
    preferred_language: str = "fr",
    actor: Any = None,
) -> User:
    """Create a user with an e-mail login (a superuser is always staff)."""
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(_("A user with this e-mail address already exists."), code="exists")
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
        preferred_language=preferred_language,
    )
    audit_record(action="user_create", actor=actor, target=user, summary=user.email)
    return user


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: Role,
    scope: ScopeKind = ScopeKind.GLOBAL,
    scope_id: int | None = None,
    actor: Any = None,
) -> RoleAssignment:
    """Grant a role on a scope; granting the same role twice changes nothing."""
    check = scope_is_valid(role, scope, scope_id)
    if not check.ok:
        raise DomainError(_("This role cannot be granted on this scope."), code="scope")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role.value, scope=scope.value, scope_id=scope_id
    )
    if created:
        audit_record(
            action="role_grant",
            actor=actor,
            target=assignment,
            summary=f"{user.email} {role.value} {scope.value} {scope_id or ''}",
        )
    return assignment


@transaction.atomic
def role_revoke(
    *,
    user: User,
    role: Role,
    scope: ScopeKind = ScopeKind.GLOBAL,
    scope_id: int | None = None,
    actor: Any = None,
) -> bool:
    """Withdraw a role on a scope; returns whether there was one to withdraw."""
    deleted, _rows = RoleAssignment.objects.filter(
        user=user, role=role.value, scope=scope.value, scope_id=scope_id
    ).delete()
    if deleted:
        audit_record(
            action="role_revoke",
            actor=actor,
            target=user,
            summary=f"{user.email} {role.value} {scope.value} {scope_id or ''}",
        )
    return bool(deleted)
