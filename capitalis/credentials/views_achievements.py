"""Public achievement pages (no login): what the ``achievement.id`` of a credential opens —
a certification version or one of its blocks, with the competencies, evaluation criteria and
certification rule (issue 6; SPEC §7). HTML in the visitor's language, or JSON when the client
asks for ``application/json`` (or ``?format=json``)."""

from __future__ import annotations

from dataclasses import asdict

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from capitalis.credentials import queries
from capitalis.credentials.queries_achievements import AchievementView, achievement


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.GET.get("format") == "json" or (
        "application/json" in accept and "text/html" not in accept
    )


def _respond(request: HttpRequest, page: AchievementView | None) -> HttpResponse:
    if page is None:
        raise Http404(_("Page not found."))
    base = queries.base_url()
    response: HttpResponse
    if _wants_json(request):
        data = asdict(page)
        data["id"] = base + (page.block.url if page.block else page.version_url)
        data["version_url"] = base + page.version_url
        for block in data["blocks"]:
            block["url"] = base + block["url"]
        if data["block"]:
            data["block"]["url"] = base + data["block"]["url"]
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "credentials/achievement.html", {"page": page})
    response["Vary"] = "Accept, Accept-Language, Cookie"
    return response


@require_GET
def version_page(request: HttpRequest, cert: str, version: str) -> HttpResponse:
    """A certification version: title, code, level, rule, its blocks."""
    return _respond(request, achievement(cert, version))


@require_GET
def block_page(request: HttpRequest, cert: str, version: str, block: str) -> HttpResponse:
    """A block: title, code, level, competencies and evaluation criteria, the rule."""
    return _respond(request, achievement(cert, version, block))
