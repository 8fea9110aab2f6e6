"""Roles and what each may do, as plain data (SPEC "Its users", §10).

No Django import here: later issues check permissions with these functions and pass in the
user's role assignments as plain tuples.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Role(enum.StrEnum):
    """Every kind of person who uses Capitalis."""

    PROGRAMME_DIRECTOR = "programme_director"
    CAMPUS_COORDINATOR = "campus_coordinator"
    ADMISSIONS_OFFICER = "admissions_officer"
    LECTURER = "lecturer"
    JURY_PRESIDENT = "jury_president"
    JURY_MEMBER = "jury_member"
    DISABILITY_REFERENT = "disability_referent"
    FINANCE = "finance"
    LEARNER = "learner"
    EMPLOYER_TUTOR = "employer_tutor"
    VAE_CANDIDATE = "vae_candidate"
    CANDIDATE = "candidate"


class ScopeKind(enum.StrEnum):
    """What a role assignment is limited to. ``JURY_SESSION`` is a certification jury session
    (jury app) and ``ADMISSION_JURY`` an admission jury sitting (admissions app): two tables
    whose ids overlap, so a grant on one never counts on the other."""

    GLOBAL = "global"
    CAMPUS = "campus"
    COURSE = "course"
    JURY_SESSION = "jury_session"
    ADMISSION_JURY = "admission_jury"


STAFF_ROLES: frozenset[Role] = frozenset(
    {
        Role.PROGRAMME_DIRECTOR,
        Role.CAMPUS_COORDINATOR,
        Role.ADMISSIONS_OFFICER,
        Role.LECTURER,
        Role.JURY_PRESIDENT,
        Role.JURY_MEMBER,
        Role.DISABILITY_REFERENT,
        Role.FINANCE,
    }
)

# Which scope kinds make sense for each role; GLOBAL means "the whole school".
ALLOWED_SCOPES: dict[Role, frozenset[ScopeKind]] = {
    Role.PROGRAMME_DIRECTOR: frozenset({ScopeKind.GLOBAL}),
    Role.CAMPUS_COORDINATOR: frozenset({ScopeKind.CAMPUS}),
    Role.ADMISSIONS_OFFICER: frozenset({ScopeKind.GLOBAL, ScopeKind.CAMPUS}),
    Role.LECTURER: frozenset({ScopeKind.COURSE}),
    Role.JURY_PRESIDENT: frozenset({ScopeKind.JURY_SESSION, ScopeKind.ADMISSION_JURY}),
    Role.JURY_MEMBER: frozenset({ScopeKind.JURY_SESSION, ScopeKind.ADMISSION_JURY}),
    Role.DISABILITY_REFERENT: frozenset({ScopeKind.CAMPUS}),
    Role.FINANCE: frozenset({ScopeKind.GLOBAL, ScopeKind.CAMPUS}),
    Role.LEARNER: frozenset({ScopeKind.GLOBAL}),
    Role.EMPLOYER_TUTOR: frozenset({ScopeKind.GLOBAL}),
    Role.VAE_CANDIDATE: frozenset({ScopeKind.GLOBAL}),
    Role.CANDIDATE: frozenset({ScopeKind.GLOBAL}),
}


@dataclass(frozen=True)
class Grant:
    """One role held by a user, limited to a scope (scope_id is None for GLOBAL)."""

    role: Role
    scope: ScopeKind
    scope_id: int | None = None


@dataclass(frozen=True)
class Check:
    """A yes/no answer with its reason."""

    ok: bool
    reason: str


def scope_is_valid(role: Role, scope: ScopeKind, scope_id: int | None) -> Check:
    """A role can only be granted on the scope kinds it makes sense for."""
    if scope not in ALLOWED_SCOPES[role]:
        return Check(False, f"role {role.value} cannot be scoped to {scope.value}")
    if (scope is ScopeKind.GLOBAL) != (scope_id is None):
        return Check(False, "a global grant has no scope id; a scoped grant needs one")
    return Check(True, "scope allowed")


def has_role(
    grants: frozenset[Grant] | set[Grant],
    role: Role,
    scope: ScopeKind = ScopeKind.GLOBAL,
    scope_id: int | None = None,
) -> Check:
    """Does one of the grants give ``role`` on that scope? A global grant covers every scope."""
    for grant in grants:
        if grant.role is not role:
            continue
        if grant.scope is ScopeKind.GLOBAL:
            return Check(True, f"{role.value} for the whole school")
        if grant.scope is scope and grant.scope_id == scope_id:
            return Check(True, f"{role.value} on this {scope.value}")
    return Check(False, f"no {role.value} grant on this {scope.value}")


# --- API tokens --------------------------------------------------------------------------------
# A program calls the API with ``Authorization: Bearer cap_<prefix>_<secret>``. The prefix finds
# the token (and lets its owner recognise it in her list); only a SHA-256 hash of the secret is
# kept, so the token can be shown once and never again.

TOKEN_TAG = "cap"  # noqa: S105 - not a secret: the tag every token text begins with
SAFE_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenScope(enum.StrEnum):
    """What a token may do: read only (safe methods), or read and write."""

    READ = "read"
    WRITE = "write"


def token_format(prefix: str, secret: str) -> str:
    """The token as its owner copies it."""
    return f"{TOKEN_TAG}_{prefix}_{secret}"


def token_split(raw: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` of a token as presented, or None when it is not shaped like one."""
    tag, _sep, rest = raw.strip().partition("_")
    prefix, _sep, secret = rest.partition("_")
    if tag != TOKEN_TAG or not prefix or not secret or not prefix.isalnum():
        return None
    return prefix, secret


def token_scope_allows(scope: TokenScope, method: str) -> bool:
    """A read token may only use the safe methods; a write token may use all of them."""
    return scope is TokenScope.WRITE or method.upper() in SAFE_METHODS


def token_is_live(*, revoked: bool, expires_at: datetime | None, now: datetime) -> bool:
    """A token works until it is revoked or its expiry instant passes (no expiry: until
    revoked)."""
    if revoked:
        return False
    return expires_at is None or now < expires_at
