"""Login throttling (django-axes) counts failures per person, not per spelling.

Logging in matches the e-mail address case-insensitively (``UserManager.get_by_natural_key``)
and the login form strips it, so ``Candidate@example.org``, ``CANDIDATE@example.org`` and
`` candidate@example.org `` are the same account: they must share one failure count.
``settings.AXES_USERNAME_CALLABLE`` points here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
