"""How django-allauth fits Capitalis: no public sign-up through allauth (candidates sign up in
admissions), our wording for a failed login, and staff may not remove their last
second factor (authenticator app or security key) while it is required
(settings.MFA_REQUIRED_FOR_STAFF)."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from capitalis.accounts.queries import SECOND_FACTOR_TYPES, user_is_staff_member


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _("Enter a correct e-mail address and password."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are created by staff, or by candidates on the admissions sign-up page."""
        return False


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff keep at least one second factor (an authenticator app or a security key) while
        it is required for them: they may remove one only when another remains."""
        if authenticator.type not in SECOND_FACTOR_TYPES:
            return True
        if not getattr(settings, "MFA_REQUIRED_FOR_STAFF", False):
            return True
        if not user_is_staff_member(user=authenticator.user):
            return True
        others = Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=SECOND_FACTOR_TYPES
        ).exclude(pk=authenticator.pk)
        return others.exists()

    def get_totp_issuer(self) -> str:
        return str(getattr(settings, "MFA_TOTP_ISSUER", "") or "Capitalis")
