"""Reads on users, their roles, their e-mail verification and their second factor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from capitalis.accounts.models import ApiToken, RoleAssignment, User
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


# The authenticators that are a second factor on their own (recovery codes only back them up).
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def user_has_second_factor(*, user: User | AnonymousUser) -> bool:
    """Whether the user has a second factor: an authenticator app (TOTP) or a security key or
    passkey (WebAuthn). Either satisfies the staff requirement."""
    if not user.is_authenticated:
        return False
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES).exists()


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


# --- the school's people and their grants -----------------------------------------------------

# The table each scope kind's ``scope_id`` points to (later apps own them: named by label,
# looked up when a query runs, so accounts never imports them).
SCOPE_MODELS: dict[ScopeKind, str] = {
    ScopeKind.CAMPUS: "programmes.Campus",
    ScopeKind.COURSE: "programmes.Course",
    ScopeKind.JURY_SESSION: "jury.JurySession",
    ScopeKind.ADMISSION_JURY: "admissions.AdmissionJury",
}
SEARCH_MAX = 100


def account_list(*, search: str = "", staff_only: bool = False) -> QuerySet[User]:
    """Accounts by e-mail address with their role grants (one query for the grants); ``search``
    matches the address or the name. The caller checks ``permissions.can(user, "read",
    "account")`` first."""
    qs = User.objects.prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.order_by("role", "scope", "scope_id"),
        )
    ).order_by("email")
    term = search.strip()[:SEARCH_MAX]
    if term:
        qs = qs.filter(Q(email__icontains=term) | Q(full_name__icontains=term))
    if staff_only:
        staff_roles = RoleAssignment.objects.filter(role__in=[r.value for r in STAFF_ROLES])
        qs = qs.filter(Q(is_staff=True) | Q(pk__in=staff_roles.values("user_id")))
    return qs


def _scope_rows(kind: ScopeKind, ids: Iterable[int] | None) -> list[tuple[int, str]]:
    """(id, label) of the rows of a scope kind (all of them when ``ids`` is None)."""
    model = apps.get_model(SCOPE_MODELS[kind])
    qs = model._default_manager.all()
    if ids is not None:
        qs = qs.filter(pk__in=sorted(set(ids)))
    if kind is ScopeKind.COURSE:
        rows = qs.order_by("edition__start_date", "year__position", "position", "code")
        english = (translation.get_language() or "fr").startswith("en")
        fields = ("pk", "edition__code", "code", "title_fr", "title_en")
        return [
            (pk, f"{edition} · {code} {title_en if english and title_en else title_fr}")
            for pk, edition, code, title_fr, title_en in rows.values_list(*fields)
        ]
    if kind is ScopeKind.CAMPUS:
        return list(qs.order_by("name").values_list("pk", "name"))
    if kind is ScopeKind.ADMISSION_JURY:
        qs = qs.select_related("edition__programme", "campus")
    return [(row.pk, str(row)) for row in qs]


def scope_target_labels(grants: Iterable[Grant]) -> dict[tuple[ScopeKind, int], str]:
    """What each scoped grant points to, by (kind, id), in one query per kind."""
    wanted: dict[ScopeKind, set[int]] = {}
    for grant in grants:
        if grant.scope in SCOPE_MODELS and grant.scope_id is not None:
            wanted.setdefault(grant.scope, set()).add(grant.scope_id)
    return {
        (kind, pk): label for kind, ids in wanted.items() for pk, label in _scope_rows(kind, ids)
    }


def scope_choices() -> list[tuple[ScopeKind, list[tuple[int, str]]]]:
    """Every scope a role can be granted on, by kind (campuses, courses, certification jury
    sessions, admission juries), for the grant form."""
    return [(kind, _scope_rows(kind, None)) for kind in SCOPE_MODELS]
