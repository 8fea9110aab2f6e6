"""Writes on users and their roles."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from capitalis.accounts.models import ApiToken, RoleAssignment, User
from capitalis.accounts.rules import Role, ScopeKind, TokenScope, scope_is_valid, token_format
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


# --- API tokens ----------------------------------------------------------------------------------

TOKEN_NAME_MAX = 100
# last_used_at is written at most this often per token (not on every request).
TOKEN_USE_GRANULARITY = timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    """The stored form of a token's secret (SHA-256, hex). The secret is 256 random bits, so a
    plain hash suffices: no password hashing on each API request."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scope: TokenScope = TokenScope.READ,
    expires_at: datetime | None = None,
    actor: Any = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns it with the full token text, which is never stored
    and cannot be shown again."""
    name = name.strip()
    if not name:
        raise DomainError(_("Give the token a name."), code="name_required")
    if len(name) > TOKEN_NAME_MAX:
        raise DomainError(
            _("The name is too long (%(max)d characters at most).") % {"max": TOKEN_NAME_MAX},
            code="name_too_long",
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("The expiry date must be in the future."), code="expiry_past")
    if not user.is_active:
        raise DomainError(_("This account is inactive."), code="inactive")
    secret = secrets.token_urlsafe(32)
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    secret_hash=secret_hash(secret),
                    scope=scope.value,
                    expires_at=expires_at,
                )
            break
        except IntegrityError:  # the same random prefix twice: draw another
            continue
    else:  # pragma: no cover - five collisions of 32 random bits
        raise DomainError(_("The token could not be created; try again."), code="retry")
    audit_record(
        action="api_token_create",
        actor=actor,
        target=token,
        summary=f"{user.email} {token.prefix} {scope.value}",
        data={"name": name, "scope": scope.value, "expires_at": str(expires_at or "")},
    )
    return token, token_format(prefix, secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any = None) -> ApiToken:
    """Revoke a token at once (it answers 401 from now on); revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="api_token_revoke",
            actor=actor,
            target=token,
            summary=f"{token.user.email} {token.prefix}",
        )
    return token


def api_token_mark_used(*, token: ApiToken, now: datetime | None = None) -> None:
    """Note when a token was last used (at most once a minute; no audit record: it is a
    reading aid for its owner, not an action)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
