"""Login throttling (django-axes) counts failures per person, not per spelling.

Logging in matches the e-mail address case-insensitively (``UserManager.get_by_natural_key``)
and the login form strips it, so ``Candidate@example.org``, ``CANDIDATE@example.org`` and
`` candidate@example.org `` are the same account: they must share one failure count.
``settings.AXES_USERNAME_CALLABLE`` points here. And the candidate sign-up's rate limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allauth.core import ratelimit
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

# Where the typed address may sit: Django's login form and allauth post "username" or
# "login"; DRF's basic authentication and allauth pass the user model's field, "email".
LOGIN_KEYS = ("username", "email", "login")


def login_key(value: object) -> str | None:
    """The account an attempt is counted against: the typed address, stripped and
    lower-cased (``None`` when nothing was typed)."""
    if not isinstance(value, str):
        return None
    key = value.strip().lower()
    return key or None


def _first_key(source: Any) -> str | None:
    if not source or not hasattr(source, "get"):
        return None
    for name in LOGIN_KEYS:
        found = login_key(source.get(name))
        if found:
            return found
    return None


def axes_username(request: Any, credentials: Mapping[str, Any] | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the normalised e-mail of a login attempt, from the
    credentials handed to ``authenticate`` (form or API), else from the posted form."""
    found = _first_key(credentials)
    if found is None and request is not None:
        # The posted form only: reading an API request's body here could fail to parse.
        found = _first_key(getattr(request, "POST", None))
    return found


# --- sign-up ---------------------------------------------------------------------------------
# The candidate sign-up (the admissions page and its API) is limited per client address by
# ACCOUNT_RATE_LIMITS["signup"], in the shared cache, like allauth's own forms.


def signup_allowed(request: HttpRequest) -> bool:
    """Whether this sign-up attempt is within ACCOUNT_RATE_LIMITS["signup"] (it is counted)."""
    return bool(ratelimit.consume(request, action="signup"))


class SignupThrottle(BaseThrottle):
    """The same limit for the sign-up API: a POST beyond it answers 429."""

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method != "POST":
            return True
        return signup_allowed(request._request)

    def wait(self) -> float | None:
        return 60.0
