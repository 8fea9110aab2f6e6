"""Roles and what each may do, as plain data (SPEC "Its users", §10).

No Django import here: later issues check permissions with these functions and pass in the
user's role assignments as plain tuples.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


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
