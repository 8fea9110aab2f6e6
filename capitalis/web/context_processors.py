"""Which links the navigation shows: only the pages the signed-in user's roles use and may
open (``capitalis.web.queries.links_for``; a link that would answer 404 is not shown)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from capitalis.web.queries import links_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav``: a lazy mapping of link name → shown (computed only when a template reads it)."""
    user = getattr(request, "user", None)
    return {"nav": SimpleLazyObject(lambda: links_for(user)) if user is not None else {}}


def csp_nonce(request: HttpRequest) -> dict[str, Any]:
    """``csp_nonce``: this response's Content-Security-Policy nonce, for an inline ``<script>`` or
    ``<style>`` (``nonce="{{ csp_nonce }}"``); django-htmx's ``{% htmx_script %}`` reads it too.
    Lazy: a page that never reads it sends no nonce in its header."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
