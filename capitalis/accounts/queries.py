"""Reads on users and their roles."""

from __future__ import annotations

from django.db.models import QuerySet

from capitalis.accounts.models import ApiToken, User
from capitalis.accounts.rules import Grant, Role, ScopeKind


def grants_for(*, user: User) -> frozenset[Grant]:
    """The user's role grants as plain data, in one query, for the permission rules."""
    if not user.is_authenticated:
        return frozenset()
    rows = user.role_assignments.values_list("role", "scope", "scope_id")
    return frozenset(Grant(Role(r), ScopeKind(s), sid) for r, s, sid in rows)


def api_tokens_for(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (revoked ones too: she sees what she revoked)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_get_for(*, user: User, pk: int) -> ApiToken | None:
    """One of the user's own tokens; None for another person's (the caller answers 404)."""
    return api_tokens_for(user=user).filter(pk=pk).first()


def api_token_by_prefix(prefix: str) -> ApiToken | None:
    """The token a request presents, with its owner, in one query."""
    return ApiToken.objects.select_related("user").filter(prefix=prefix).first()
