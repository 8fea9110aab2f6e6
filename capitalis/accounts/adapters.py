"""How django-allauth fits Capitalis: no public sign-up through allauth (candidates sign up in
admissions), our wording for a failed login, and staff may not remove their second factor
while it is required (settings.MFA_REQUIRED_FOR_STAFF)."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from capitalis.accounts.queries import user_is_staff_member


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
        """Staff keep their TOTP device while the second factor is required for them."""
        if authenticator.type != Authenticator.Type.TOTP:
            return True
        if not getattr(settings, "MFA_REQUIRED_FOR_STAFF", False):
            return True
        return not user_is_staff_member(user=authenticator.user)

    def get_totp_issuer(self) -> str:
        return str(getattr(settings, "MFA_TOTP_ISSUER", "") or "Capitalis")
