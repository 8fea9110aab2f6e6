"""Which staff links the navigation shows: only the pages the signed-in user may open (each
app's own permission check; a link that would answer 404 is not shown)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from capitalis.accounts.queries import grants_for
from capitalis.admissions.queries_jury import admissions_campus_ids
from capitalis.enrolment.queries import can_see_dashboard
from capitalis.reporting.queries import scope_for
from capitalis.reporting.queries_declarations import can_declare
from capitalis.reporting.queries_surveys import campus_scope


def _links(user: Any) -> dict[str, bool]:
    if not (user.is_authenticated and user.is_staff):
        return {}
    admissions = admissions_campus_ids(grants_for(user=user))
    return {
        "admissions": admissions is None or bool(admissions),
        "learners": can_see_dashboard(user=user),
        "indicators": scope_for(user=user) is not None,
        "declarations": can_declare(user=user),
        "surveys": campus_scope(user) != [],
    }


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav``: a lazy mapping of link name → shown (computed only when a template reads it)."""
    user = getattr(request, "user", None)
    return {"nav": SimpleLazyObject(lambda: _links(user)) if user is not None else {}}


def csp_nonce(request: HttpRequest) -> dict[str, Any]:
    """``csp_nonce``: this response's Content-Security-Policy nonce, for an inline ``<script>`` or
    ``<style>`` (``nonce="{{ csp_nonce }}"``); django-htmx's ``{% htmx_script %}`` reads it too.
    Lazy: a page that never reads it sends no nonce in its header."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
