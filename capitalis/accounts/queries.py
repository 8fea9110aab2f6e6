"""Reads on users, their roles, their e-mail verification and their second factor."""

from __future__ import annotations

from typing import Any, Protocol

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from capitalis.accounts.models import ApiToken, User
from capitalis.accounts.rules import STAFF_ROLES, Grant, Role, ScopeKind
from capitalis.core.exceptions import DomainError


class _Request(Protocol):
    @property
    def user(self) -> Any: ...


def request_user(request: _Request) -> User:
    """The signed-in person of a page's or an API view's request (``HttpRequest`` or DRF's
    ``Request``): every view behind ``login_required`` or ``IsAuthenticated`` uses it. An
    anonymous visitor reaching it anyway is refused (403), never a server error."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def grants_for(*, user: User) -> frozenset[Grant]:
    """The user's role grants as plain data, in one query, for the permission rules."""
    if not user.is_authenticated:
        return frozenset()
    rows = user.role_assignments.values_list("role", "scope", "scope_id")
    return frozenset(Grant(Role(r), ScopeKind(s), sid) for r, s, sid in rows)


def user_is_staff_member(*, user: User | AnonymousUser) -> bool:
    """Whether the person works for the school: ``is_staff`` or any staff role (rules.STAFF_ROLES)
    on any scope. At most one query."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.role_assignments.filter(role__in=[r.value for r in STAFF_ROLES]).exists()


def user_has_totp(*, user: User | AnonymousUser) -> bool:
    """Whether the user has set up a TOTP authenticator (second factor)."""
    if not user.is_authenticated:
        return False
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def email_is_verified(*, user: User | AnonymousUser) -> bool:
    """Whether the user's login address has been confirmed (the link of the confirmation e-mail
    followed, or the account created by staff). Candidates must have it before they submit an
    application."""
    if not user.is_authenticated:
        return False
    return EmailAddress.objects.filter(
        user_id=user.pk, email__iexact=user.email, verified=True
    ).exists()


def ensure_email_verified(*, user: User | AnonymousUser) -> None:
    """Stop a step that needs a confirmed address (a candidate submitting an application) with
    a translated DomainError(code="email_unverified") when the address is not confirmed yet.
    An account with no address row at all was made outside the sign-up (``create_user`` in a
    shell or a fixture; every account that existed before got a verified row by migration):
    nothing awaits confirmation there, so it is not stopped."""
    if not user.is_authenticated or email_awaits_confirmation(user=user):
        raise DomainError(
            _(
                "Confirm your e-mail address first: follow the link in the e-mail we sent you "
                "(you can ask for it again)."
            ),
            code="email_unverified",
        )


def email_awaits_confirmation(*, user: User | AnonymousUser) -> bool:
    """The user signed up and has not followed the confirmation link yet (her address row is
    there, unverified). False for accounts made by staff, imports or ``create_user``."""
    if not user.is_authenticated:
        return False
    rows = list(
        EmailAddress.objects.filter(user_id=user.pk, email__iexact=user.email).values_list(
            "verified", flat=True
        )
    )
    return bool(rows) and not any(rows)


def api_tokens_for(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (revoked ones too: she sees what she revoked)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_get_for(*, user: User, pk: int) -> ApiToken | None:
    """One of the user's own tokens; None for another person's (the caller answers 404)."""
    return api_tokens_for(user=user).filter(pk=pk).first()


def api_token_by_prefix(prefix: str) -> ApiToken | None:
    """The token a request presents, with its owner, in one query."""
    return ApiToken.objects.select_related("user").filter(prefix=prefix).first()
