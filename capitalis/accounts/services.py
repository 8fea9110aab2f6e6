"""Writes on users and their roles."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import ApiToken, RoleAssignment, User
from capitalis.accounts.queries import SCOPE_MODELS, grants_for
from capitalis.accounts.rules import (
    STAFF_ROLES,
    Grant,
    Role,
    ScopeKind,
    TokenScope,
    scope_is_valid,
    token_format,
)
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record

logger = logging.getLogger(__name__)


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
    _email_address_set(user=user, verified=email_verified)
    audit_record(action=Action.USER_CREATE, actor=actor, target=user, summary=user.email)
    return user


def _role_summary(user: User, role: Role, scope: ScopeKind, scope_id: int | None) -> str:
    """How the audit trail names a role on a scope (granted or withdrawn)."""
    return f"{user.email} {role.value} {scope.value} {scope_id or ''}"


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
            action=Action.ROLE_GRANT,
            actor=actor,
            target=assignment,
            summary=_role_summary(user, role, scope, scope_id),
        )
    return assignment


def _email_address_set(*, user: User, verified: bool) -> tuple[EmailAddress, bool]:
    """The user's login address as their one allauth address; True when it changed."""
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        address = EmailAddress.objects.create(
            user=user, email=user.email.lower(), primary=True, verified=verified
        )
        return address, True
    if (verified and not address.verified) or not address.primary:
        address.verified = address.verified or verified
        address.primary = True
        address.save(update_fields=["verified", "primary"])
        return address, True
    return address, False


@transaction.atomic
def email_address_ensure(*, user: User, verified: bool = True, actor: Any = None) -> EmailAddress:
    """Make the user's login address their one address for allauth (login, password reset,
    verification), verified or not; an address already verified stays verified, a former
    address is forgotten."""
    address, changed = _email_address_set(user=user, verified=verified)
    if changed:
        audit_record(
            action=Action.EMAIL_ADDRESS_ENSURE,
            actor=actor,
            target=user,
            summary="verified" if address.verified else "unverified",
        )
    return address


@transaction.atomic
def account_secrets_forget(*, user_ids: Iterable[int], actor: Any = None) -> int:
    """For people being anonymised (retention rules): forget the addresses allauth keeps for
    them and their second-factor devices (TOTP secret, recovery codes). Returns how many rows
    went."""
    ids = sorted(set(user_ids))
    addresses, _by_model = EmailAddress.objects.filter(user_id__in=ids).delete()
    devices, _by_model = Authenticator.objects.filter(user_id__in=ids).delete()
    if addresses or devices:
        audit_record(
            action=Action.ACCOUNT_SECRETS_FORGET,
            actor=actor,
            summary=f"{len(ids)} users, {addresses} addresses, {devices} devices",
        )
    return addresses + devices


#: what an anonymised person's name (and other erased labels) becomes (retention rules)
ANONYMISED = "anonymised"
#: the domain of an anonymised person's placeholder e-mail (reserved: it never delivers)
PLACEHOLDER_DOMAIN = "anonymised.invalid"


def placeholder_email(user_id: int) -> str:
    """The unique e-mail an anonymised user keeps (the address must stay unique)."""
    return f"{ANONYMISED}-{user_id}@{PLACEHOLDER_DOMAIN}"


@transaction.atomic
def users_anonymise(*, user_ids: Iterable[int], actor: Any = None) -> int:
    """For people being anonymised (retention rules): the name becomes ``ANONYMISED``, the
    e-mail a unique placeholder, the account inactive without a usable password, every role
    withdrawn, and the addresses and second-factor devices allauth kept for them forgotten.
    The caller chooses who may be anonymised. Returns how many users changed; audited (counts
    and ids only) when there were any."""
    ids = sorted(set(user_ids))
    users = list(User.objects.filter(pk__in=ids))
    for user in users:
        user.full_name = ANONYMISED
        user.email = placeholder_email(user.pk)
        user.is_active = False
        user.set_unusable_password()
    User.objects.bulk_update(users, ["full_name", "email", "is_active", "password"], batch_size=500)
    roles, _by_model = RoleAssignment.objects.filter(user_id__in=ids).delete()
    account_secrets_forget(user_ids=[user.pk for user in users], actor=actor)
    if users or roles:
        audit_record(
            action=Action.USERS_ANONYMISE,
            actor=actor,
            summary=f"{len(users)} users anonymised, {roles} roles withdrawn",
            data={"users": [user.pk for user in users], "roles": roles},
        )
    return len(users)


def signup_allowed(*, request: HttpRequest) -> bool:
    """Whether this sign-up attempt (the candidate sign-up page or API) is within
    ACCOUNT_RATE_LIMITS["signup"], per client address in the shared cache, like allauth's own
    forms; the attempt is counted."""
    return bool(ratelimit.consume(request, action="signup"))


def email_verification_send(*, request: HttpRequest, user: User) -> bool:
    """Send the user the e-mail whose link confirms their address (allauth's confirmation,
    rate-limited per address by ACCOUNT_RATE_LIMITS["confirm_email"]). False when nothing was
    sent: the address is already verified, or a mail went out moments ago."""
    address = email_address_ensure(user=user, verified=False)
    if address.verified:
        return False
    return send_verification_email_to_address(request, address, signup=True)


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
            action=Action.ROLE_REVOKE,
            actor=actor,
            target=user,
            summary=_role_summary(user, role, scope, scope_id),
        )
    return bool(deleted)


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
    if expires_at is not None and expires_at <= clock.now():
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
        action=Action.API_TOKEN_CREATE,
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
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action=Action.API_TOKEN_REVOKE,
            actor=actor,
            target=token,
            summary=f"{token.user.email} {token.prefix}",
        )
    return token


def api_token_mark_used(*, token: ApiToken, now: datetime | None = None) -> None:
    """Note when a token was last used (at most once a minute; no audit record: it is a
    reading aid for its owner, not an action)."""
    now = now or clock.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- staff accounts and their roles ---------------------------------------------------------
# The programme director (permissions TABLE "account") creates the school's staff accounts:
# each gets an invitation e-mail whose link lets its owner choose a password (allauth's
# password reset by key), then grants and withdraws their roles with their scope.

FULL_NAME_MAX = 200


def account_invitation_url(*, user: User) -> str:
    """The link that lets ``user`` choose a password (allauth's reset-by-key page, valid for
    settings.PASSWORD_RESET_TIMEOUT), on the public origin (settings.PUBLIC_BASE_URL)."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return f"{settings.PUBLIC_BASE_URL}{path}"


def account_invitation_mail(*, user_id: int) -> bool:
    """Send the invitation: who invited the person to Capitalis, and the link to choose a
    password, in the person's language. A mail failure is logged; nothing is undone (the
    invitation can be sent again)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    with translation.override(user.preferred_language or "fr"):
        subject = _("Your Capitalis account")
        body = _(
            "Hello %(name)s,\n\nAn account has been created for you on Capitalis, with this "
            "e-mail address as its login. Choose your password by following this link (it can "
            "be used once, for a few days):\n\n%(link)s\n\nThen log in with your e-mail "
            "address and that password. If the link has expired, ask the school to send the "
            "invitation again, or use “Forgot your password?” on the login page.\n"
        ) % {"name": user.get_full_name(), "link": account_invitation_url(user=user)}
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:  # the account stands; the invitation can be sent again
        logger.exception("invitation mail for user %s not sent", user_id)
        return False
    return True


@transaction.atomic
def account_invite(*, user: User, actor: Any = None) -> None:
    """Send ``user`` the invitation e-mail (after the transaction commits), e.g. again when the
    first link expired. An inactive account is refused."""
    if not user.is_active:
        raise DomainError(_("This account is inactive."), code="inactive")
    audit_record(action=Action.ACCOUNT_INVITE, actor=actor, target=user, summary=user.email)
    user_id = user.pk
    transaction.on_commit(lambda: account_invitation_mail(user_id=user_id))


@transaction.atomic
def staff_account_create(
    *, email: str, full_name: str, preferred_language: str = "fr", actor: Any = None
) -> User:
    """A staff member's account (a lecturer, a campus coordinator, a jury member...): no
    password yet, an invitation e-mail to choose one; roles are granted next
    (:func:`staff_role_grant`). An address that has an account is refused (code ``exists``)."""
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise DomainError(_("Enter a valid e-mail address."), code="email") from None
    name = full_name.strip()
    if not name:
        raise DomainError(_("Give the person's full name."), code="name_required")
    if len(name) > FULL_NAME_MAX:
        raise DomainError(
            _("The name is too long (%(max)d characters at most).") % {"max": FULL_NAME_MAX},
            code="name_too_long",
        )
    if preferred_language not in ("fr", "en"):
        raise DomainError(_("Choose French or English."), code="language")
    user = user_create(
        email=address,
        full_name=name,
        is_staff=True,
        preferred_language=preferred_language,
        actor=actor,
    )
    account_invite(user=user, actor=actor)
    return user


@transaction.atomic
def director_open(*, email: str, full_name: str, preferred_language: str = "fr") -> User:
    """The school's first account, from the command line (``manage.py open_school``): a
    programme director over the whole school, invited by e-mail to choose a password; from
    there the director creates every other account on the accounts page or the API. Refused
    (code ``exists``) when the address already has an account."""
    user = staff_account_create(
        email=email, full_name=full_name, preferred_language=preferred_language
    )
    role_grant(user=user, role=Role.PROGRAMME_DIRECTOR)
    return user


def _scope_target_exists(scope: ScopeKind, scope_id: int | None) -> bool:
    label = SCOPE_MODELS.get(scope)
    if label is None:
        return scope_id is None
    return apps.get_model(label)._default_manager.filter(pk=scope_id).exists()


@transaction.atomic
def staff_role_grant(
    *,
    user: User,
    role: Role,
    scope: ScopeKind = ScopeKind.GLOBAL,
    scope_id: int | None = None,
    actor: Any = None,
) -> RoleAssignment:
    """Grant a staff role (rules.STAFF_ROLES) on a scope that suits it (rules.ALLOWED_SCOPES)
    and exists (the campus, course, jury session or admission jury); audited. Learner, tutor
    and candidate roles come with their enrolment, contract or sign-up, not from here."""
    if role not in STAFF_ROLES:
        raise DomainError(
            _("This role is not granted by hand: it comes with the person's file."),
            code="role",
        )
    if not scope_is_valid(role, scope, scope_id).ok:
        raise DomainError(
            _("This role cannot be granted on this scope."),
            code="scope",
        )
    if not _scope_target_exists(scope, scope_id):
        raise DomainError(_("The scope of this grant does not exist."), code="scope_missing")
    return role_grant(user=user, role=role, scope=scope, scope_id=scope_id, actor=actor)


@transaction.atomic
def staff_role_revoke(
    *,
    user: User,
    role: Role,
    scope: ScopeKind = ScopeKind.GLOBAL,
    scope_id: int | None = None,
    actor: Any = None,
) -> None:
    """Withdraw a role grant; audited. Withdrawing one's own last role that lets one manage
    accounts is refused (code ``own_last_admin``): nobody locks the school out by mistake. A
    grant that does not exist is refused (code ``not_granted``)."""
    held = Grant(role, scope, scope_id)
    if held not in grants_for(user=user):
        raise DomainError(_("This person does not hold this role."), code="not_granted")
    if getattr(actor, "pk", None) == user.pk and not user.is_superuser:
        remaining = permissions.Principal(user.pk, False, grants_for(user=user) - {held})
        if not permissions.can(remaining, "manage", "account"):
            raise DomainError(
                _(
                    "You cannot withdraw your own last administrator role: ask another "
                    "programme director to do it."
                ),
                code="own_last_admin",
            )
    role_revoke(user=user, role=role, scope=scope, scope_id=scope_id, actor=actor)
