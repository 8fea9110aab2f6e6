"""Staff (``is_staff`` or any role in rules.STAFF_ROLES) must have a second factor, an
authenticator app (TOTP) or a security key / passkey (WebAuthn): until they set one up, every
page but the two-factor pages, logging out, the language switch and static files sends them to
the two-factor page, where they choose which to add (settings.MFA_REQUIRED_FOR_STAFF, on by
default outside DEBUG). With one, allauth's login asks for it after the password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import ResolverMatch, reverse
from django.utils.translation import gettext as _

from capitalis.accounts.queries import user_has_second_factor, user_is_staff_member

# Views a staff member without a second factor may still open (allauth's URL names, ours).
MFA_SETUP_ALLOWED_URL_NAMES = frozenset(
    {
        "accounts:logout",
        "account_logout",
        "account_login",
        "accounts:login",
        "account_reauthenticate",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
        "account_email",
        "account_email_verification_sent",
        "account_confirm_email",
        "accounts:email_verification_resend",
        "set_language",
    }
)
MFA_SETUP_URL_NAME = "mfa_index"


def _url_name(match: ResolverMatch | None) -> str:
    if match is None:
        return ""
    return str(match.view_name or "")


def mfa_setup_allowed(match: ResolverMatch | None) -> bool:
    """Whether a view stays open to a staff member who has not set up their second factor:
    allauth's two-factor pages (all named ``mfa_…``), logging in and out, the address
    confirmation and the language switch."""
    name = _url_name(match)
    return name.startswith("mfa_") or name in MFA_SETUP_ALLOWED_URL_NAMES


class StaffMFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(settings, "MFA_REQUIRED_FOR_STAFF", False):
            return None
        if request.path.startswith(settings.STATIC_URL) or mfa_setup_allowed(
            request.resolver_match
        ):
            return None
        if not user_is_staff_member(user=user) or user_has_second_factor(user=user):
            return None
        message = _(
            "Staff accounts need a second factor: set up an authenticator app or a security key"
            " to continue."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "mfa_required"}, status=403)
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse(MFA_SETUP_URL_NAME)
            return response
        messages.warning(request, message)
        return redirect(MFA_SETUP_URL_NAME)
