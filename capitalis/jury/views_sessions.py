"""Scheduling jury sessions (SPEC §6): the programme director creates and edits a session —
version, date, president and members, learners chosen by filters — and sees the resulting
learners, VAE candidates and appeals BEFORE saving (a preview step: saving after the filters
changed shows the new list first). Thin: the form parses, ``queries.scope_preview`` reads,
``services.session_create`` / ``session_update`` write; a user who is not a programme director
gets a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.core.handlers import domain_errors
from capitalis.jury import queries, services
from capitalis.jury.forms import ERROR_FIELDS, SessionForm
from capitalis.jury.models import JurySession


def _director(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not permissions.can(user, "schedule", "jury_session").ok:
        raise Http404(_("Page not found."))
    return user


def _page(
    request: HttpRequest,
    form: SessionForm,
    session: JurySession | None,
    preview: queries.ScopePreview | None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "session": session,
        "preview": preview,
        "fingerprint": form.fingerprint() if preview is not None else "",
    }
    return render(request, "jury/session_form.html", context, status=status)


def _handle(request: HttpRequest, actor: User, session: JurySession | None) -> HttpResponse:
    """POST: ``action`` preview shows who the filters select; save (after a preview of the
    same filters) calls the service. Bad input: the page again with the errors, nothing
    changed."""
    form = SessionForm(request.POST)
    if not form.is_valid():
        return _page(request, form, session, None, status=400)
    filters = form.filters()
    version = form.cleaned_data["version"]
    session_id = session.pk if session is not None else None
    preview = queries.scope_preview(version_id=version.pk, filters=filters, session_id=session_id)
    if request.POST.get("action") != "save":
        return _page(request, form, session, preview)
    if form.cleaned_data.get("previewed") != form.fingerprint():
        messages.warning(
            request, _("The filters changed since the preview: check the learners, then save.")
        )
        return _page(request, form, session, preview, status=400)
    data = form.cleaned_data
    with domain_errors(request, form, fields=ERROR_FIELDS) as refused:
        if session is None:
            saved = services.session_create(
                version=version,
                date=data["date"],
                title=data["title"],
                president=data["president"],
                members=list(data["members"]),
                filters=filters,
                appeal_days=data["appeal_days"],
                actor=actor,
            )
        else:
            saved = services.session_update(
                session=session,
                version=version,
                date=data["date"],
                title=data["title"],
                president=data["president"],
                members=list(data["members"]),
                filters=filters,
                appeal_days=data["appeal_days"],
                actor=actor,
            )
    if refused:
        return _page(request, form, session, preview, status=refused.status)
    messages.success(
        request,
        _("The jury session “%(title)s” is scheduled for %(count)s learner(s).")
        % {"title": saved.title, "count": len(preview.enrolments)},
    )
    return redirect("jury:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    """Schedule a new jury session (programme director)."""
    actor = _director(request)
    if request.method == "POST":
        return _handle(request, actor, None)
    return _page(request, SessionForm(initial={"appeal_days": 30}), None, None)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an open jury session (programme director); a closed one is shown as frozen."""
    actor = _director(request)
    session = queries.session_for(user=actor, pk=pk)
    if session is None:
        raise Http404(_("Page not found."))
    if request.method == "POST":
        return _handle(request, actor, session)
    return _page(request, SessionForm(initial=SessionForm.initial_for(session)), session, None)
