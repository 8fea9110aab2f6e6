"""Personal data pages (SPEC §10): a programme director searches a person and exports her data
(a zip: data.json + her documents); anyone signed in downloads her own data from
/reporting/privacy/mine/. Thin: reads through ``queries``, writes through
``services``; others get 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.accounts.queries import request_user
from capitalis.reporting.privacy import queries, services


def _staff(request: HttpRequest) -> User:
    user = request_user(request)
    if not permissions.can(user, "manage", "personal_data_request").ok:
        raise Http404(_("Page not found."))
    return user


def zip_response(export: services.Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def privacy_home(request: HttpRequest) -> HttpResponse:
    """Search a person, export her data; the latest requests and retention runs."""
    _staff(request)
    query = request.GET.get("q", "")
    people = list(queries.person_search(query=query)) if query else []
    return render(
        request,
        "reporting/privacy/home.html",
        {
            "query": query,
            "people": people,
            "searched": bool(query),
            "too_short": bool(query) and len(query.strip()) < 2,
            "requests": queries.recent_requests(),
        },
    )


@never_cache
@login_required
@require_POST
def privacy_export(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _staff(request)
    subject = User.objects.filter(pk=user_id).first()
    if subject is None:
        raise Http404(_("No person found."))
    return zip_response(services.personal_data_export(subject=subject, actor=actor))


@never_cache
@login_required
def privacy_mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own data: a page, and the zip on POST."""
    user = request_user(request)
    if request.method == "POST":
        return zip_response(services.personal_data_export(subject=user, actor=user))
    return render(
        request,
        "reporting/privacy/mine.html",
        {
            "exports": queries.my_exports(user=user),
            "can_manage": permissions.can(user, "manage", "personal_data_request").ok,
        },
    )
