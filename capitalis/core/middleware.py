"""Request guards shared by every page and API endpoint.

``NulCharacterMiddleware``: a NUL character (``\\x00``, ``%00`` once decoded) in the path, a
query-string or form key or value, a cookie or a header is refused with a 400 before any view
runs. PostgreSQL cannot store NUL in text and answers a query holding one with an error (a 500
where SQLite simply finds nothing); no honest browser sends one.

``DomainErrorMiddleware``: a ``DomainError`` a page view did not catch answers with its status
(400, 403, 404, 409) and a page showing its message instead of a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError

NUL = "\x00"


def _has_nul(values: Iterable[str]) -> bool:
    return any(NUL in value for value in values)


def _query_has_nul(data: object) -> bool:
    lists = getattr(data, "lists", None)
    if lists is None:
        return False
    for key, values in lists():
        if NUL in key or _has_nul(v for v in values if isinstance(v, str)):
            return True
    return False


def request_has_nul(request: HttpRequest) -> bool:
    """Whether the path, query string, form fields, cookies or headers hold a NUL character."""
    if NUL in request.path or NUL in request.path_info:
        return True
    if _query_has_nul(request.GET) or _has_nul(request.COOKIES.keys()):
        return True
    if _has_nul(request.COOKIES.values()):
        return True
    if _has_nul(v for k, v in request.META.items() if k.startswith("HTTP_") and isinstance(v, str)):
        return True
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method == "POST" and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        return _query_has_nul(request.POST)
    return False


class NulCharacterMiddleware:
    """Answer 400 to a request holding a NUL character (see the module docstring): JSON
    ``{detail, code}`` under ``/api/``, a short text elsewhere (no template: the page would
    read the session, itself perhaps the hostile part)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_has_nul(request):
            message = _("The request contains a NUL character, which is not allowed.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "nul_character"}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class DomainErrorMiddleware:
    """A page whose view lets a ``DomainError`` escape answers with the error's status (the one
    table in ``capitalis.core.exceptions``: 400, 403, 404 or 409) and a page showing its
    message, never a 500. The API (``/api/``) is left to DRF's handler
    (``capitalis.core.handlers.api_exception_handler``). A view that re-renders a form with the
    message catches it itself with ``capitalis.core.handlers.domain_errors``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        return render(
            request,
            "core/domain_error.html",
            {"message": exception.message, "code": exception.code, "status": exception.status},
            status=exception.status,
        )
