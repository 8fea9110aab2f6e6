"""Candidate accounts: the password rules, the sign-up (which never tells whether an address
has an account) and its e-mails (texts in ``admissions/mail/signup_*.txt``)."""

from __future__ import annotations

import logging

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role
from capitalis.accounts.services import role_grant, user_create
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.mail import mail_text
from capitalis.core.models import audit_record

logger = logging.getLogger(__name__)


def password_check(*, email: str, full_name: str, password: str) -> None:
    """The password rules of settings.AUTH_PASSWORD_VALIDATORS (at least 12 characters, not
    like the e-mail address or the name, not common, not only digits), checked against the
    would-be user; a translated ``DomainError`` (code ``password``) lists what is wrong."""
    would_be = User(email=email.strip().lower(), full_name=full_name.strip())
    try:
        password_validation.validate_password(password, user=would_be)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="password") from error


@transaction.atomic
def candidate_signup(
    *, email: str, full_name: str, password: str, preferred_language: str = "fr"
) -> User:
    """A new candidate account: a user with the CANDIDATE role (the password follows the
    password rules; an address that has an account is refused with code ``exists`` — the
    public sign-up page goes through :func:`candidate_signup_request`, which does not tell)."""
    if preferred_language not in ("fr", "en"):
        raise DomainError(_("Choose French or English."), code="language")
    password_check(email=email, full_name=full_name, password=password)
    user = user_create(
        email=email.strip().lower(),
        full_name=full_name.strip(),
        password=password,
        preferred_language=preferred_language,
        email_verified=False,  # confirmed by the link of the confirmation e-mail
    )
    role_grant(user=user, role=Role.CANDIDATE, actor=user)
    audit_record(action=Action.CANDIDATE_SIGNUP, actor=user, target=user, summary=user.email)
    return user


@transaction.atomic
def candidate_signup_request(
    *, email: str, full_name: str, password: str, preferred_language: str = "fr"
) -> User | None:
    """The public sign-up, which never tells whether an address already has an account: a
    new address gets its candidate account and a welcome e-mail; an address that has one
    gets nothing created, nobody logged in, and its owner a notice e-mail. The caller shows
    the same outcome either way. Returns the new user, or None. Bad input (language,
    password) raises a translated ``DomainError`` and changes nothing."""
    if preferred_language not in ("fr", "en"):
        raise DomainError(_("Choose French or English."), code="language")
    password_check(email=email, full_name=full_name, password=password)
    address = email.strip().lower()
    user: User | None = None
    if not User.objects.filter(email__iexact=address).exists():
        try:
            with transaction.atomic():
                user = candidate_signup(
                    email=address,
                    full_name=full_name,
                    password=password,
                    preferred_language=preferred_language,
                )
        except DomainError as error:
            if error.code != "exists":
                raise
        except IntegrityError:  # created meanwhile by a concurrent sign-up
            user = None
    if user is not None:
        user_id = user.pk
        transaction.on_commit(lambda: signup_mail(user_id=user_id, new=True))
        return user
    make_password(password)  # as much work as a real sign-up: the timing does not tell either
    owner = User.objects.filter(email__iexact=address).first()
    if owner is not None:
        audit_record(
            action=Action.CANDIDATE_SIGNUP_EXISTING,
            target=owner,
            summary="sign-up attempted with an address that has an account",
        )
        owner_id = owner.pk
        transaction.on_commit(lambda: signup_mail(user_id=owner_id, new=False))
    return None


def signup_mail(*, user_id: int, new: bool) -> bool:
    """E-mail sent after a sign-up, in the person's language: a welcome for a new account, a
    notice to the owner when someone signed up with an address that has an account. A mail
    failure is logged; it does not undo anything."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    with translation.override(user.preferred_language or "fr"):
        if new:
            subject = _("Your candidate account is ready")
            body = mail_text("admissions/mail/signup_welcome.txt", {})
        else:
            subject = _("Someone tried to create an account with your address")
            body = mail_text("admissions/mail/signup_existing.txt", {})
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:  # the account (or nothing) stands; the mail can be sent again
        logger.exception("sign-up mail for user %s not sent", user_id)
        return False
    return True
