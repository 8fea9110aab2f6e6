"""Reads on users and their roles."""

from __future__ import annotations

from capitalis.accounts.models import User
from capitalis.accounts.rules import Grant, Role, ScopeKind


def grants_for(*, user: User) -> frozenset[Grant]:
    """The user's role grants as plain data, in one query, for the permission rules."""
    if not user.is_authenticated:
        return frozenset()
    rows = user.role_assignments.values_list("role", "scope", "scope_id")
    return frozenset(Grant(Role(r), ScopeKind(s), sid) for r, s, sid in rows)
