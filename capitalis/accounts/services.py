"""Writes on users and their roles."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from django.db import transaction
from django.http import HttpRequest
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
    email_verified: bool = True,
    actor: Any = None,
) -> User:
    """Create a user with an e-mail login (a superuser is always staff).

    The address is recorded as verified (accounts created by staff or imports) unless
    ``email_verified=False`` (a candidate signing up: see ``email_verification_send``)."""
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
    email_address_ensure(user=user, verified=email_verified)
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
def email_address_ensure(*, user: User, verified: bool = True, actor: Any = None) -> EmailAddress:
    """Make the user's login address their one address for allauth (login, password reset,
    verification), verified or not; an address already verified stays verified, a former
    address is forgotten."""
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        address = EmailAddress.objects.create(
            user=user, email=user.email.lower(), primary=True, verified=verified
        )
        audit_record(
            action="email_address_ensure",
            actor=actor,
            target=user,
            summary=f"{user.email} {'verified' if verified else 'unverified'}",
        )
    elif verified and not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
        audit_record(action="email_address_verify", actor=actor, target=user, summary=user.email)
    return address


def email_verification_send(*, request: HttpRequest, user: User) -> bool:
    """Send the user the e-mail whose link confirms their address (allauth's confirmation,
    rate-limited per address by ACCOUNT_RATE_LIMITS["confirm_email"]). False when nothing was
    sent: the address is already verified, or a mail went out moments ago."""
    address = email_address_ensure(user=user, verified=False)
    if address.verified:
        return False
    return send_verification_email_to_address(request, address, signup=True)
