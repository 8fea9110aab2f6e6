"""The site's URLs plus a page (and an API-looking path) whose service writes, then refuses
with the domain error of the code in its path: tests/core/test_handlers_pages.py."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError
from capitalis.urls import urlpatterns as site_urlpatterns

MESSAGES = {
    "not_found": "No such invoice.",
    "forbidden": "You may not manage accounts.",
    "has_payments": "This invoice has payments: it cannot be cancelled.",
    "invalid": "The dates must read like 2026-09-30.",
}


def refusing_service(*, code: str) -> None:
    """Writes a row, then refuses: the transaction must leave nothing behind."""
    with transaction.atomic():
        get_user_model().objects.create_user(email="written@example.org", password="x")
        raise DomainError(_(MESSAGES[code]), code=code)


def refusing_page(request: HttpRequest, code: str) -> HttpResponse:
    refusing_service(code=code)
    return HttpResponse("unreachable")


urlpatterns = [
    path("test-refusal/<str:code>/", refusing_page),
    path("api/test-refusal/<str:code>/", refusing_page),
    *site_urlpatterns,
]
