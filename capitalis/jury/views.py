"""Jury pages (SPEC §6): the president's dashboard, the deliberation grid (reasons on demand,
override form), what-if, close & sign, verify the minutes; the learner's blocks page with her
decisions and appeals. Thin: reads through ``queries``, writes through ``services``; a session
the user may not see is a 404."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from capitalis.accounts import permissions
from capitalis.accounts.queries import request_user
from capitalis.core import clock
from capitalis.core.exceptions import DomainError
from capitalis.core.handlers import domain_errors
from capitalis.core.params import parse_int
from capitalis.core.queries import job_existing
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.jury import queries, services
from capitalis.jury.models import (
    Appeal,
    BlockDecision,
    BlockStatus,
    CertificationDecision,
    CertificationStatus,
    JurySession,
    VaeBlockOutcome,
)
from capitalis.jury.tasks import close_job_key
from capitalis.referential.models import Competency


def _session(request: HttpRequest, pk: int) -> JurySession:
    session = queries.session_for(user=request_user(request), pk=pk)
    if session is None:
        raise Http404(_("Page not found."))
    return session


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The jury sessions the user sits on (a programme director: all), with their state."""
    user = request_user(request)
    sessions = list(queries.session_list_for(user=user))
    return render(
        request,
        "jury/dashboard.html",
        {
            "sessions": sessions,
            "user_id": user.pk,
            "appeals": queries.appeals_to_decide_for(user=user),
            "vae_staff": permissions.can(user, "schedule", "jury_session").ok,
            "can_schedule": permissions.can(user, "schedule", "jury_session").ok,
        },
    )


GRID_KEYS = ("q", "status", "page")


def _grid_query(params: object) -> str:
    """The grid's own parameters (search, status filter, page) from a query string or a
    QueryDict, re-encoded: nothing else is carried back to the grid."""
    source = QueryDict(params) if isinstance(params, str) else params
    assert isinstance(source, QueryDict)
    kept = QueryDict(mutable=True)
    for key in GRID_KEYS:
        value = source.get(key, "")
        if value:
            kept[key] = value[:200]
    return kept.urlencode()


def _encode(**params: str) -> str:
    kept = QueryDict(mutable=True)
    for key, value in params.items():
        if value:
            kept[key] = value
    return kept.urlencode()


def _grid_url(pk: int, query: str = "", enrolment_id: int | None = None) -> str:
    url = reverse("jury:grid", args=[pk])
    if query:
        url += f"?{query}"
    return url + (f"#row-{enrolment_id}" if enrolment_id else "")


@login_required
def grid(request: HttpRequest, pk: int) -> HttpResponse:
    """The deliberation grid: learners × blocks, computed status, reasons on demand, overrides;
    one page of learners at a time (search by name, filter by status)."""
    session = _session(request, pk)
    user = request_user(request)
    search = request.GET.get("q", "")[:200]
    status = request.GET.get("status", "")
    page_number = parse_int(request.GET.get("page", "1"), minimum=1, maximum=1_000_000) or 1
    page = queries.grid_page_for(session=session, search=search, status=status, page=page_number)
    data = page.grid
    rows = [{"row": row, "cells": [{"cell": c} for c in row.cells]} for row in data.rows]

    def page_link(number: int) -> str:
        return "?" + _encode(q=search, status=status, page=str(number))

    return render(
        request,
        "jury/grid.html",
        {
            "session": session,
            "grid": data,
            "rows": rows,
            "page": page,
            "search": search,
            "status": status if status in queries.GRID_STATUS_FILTERS else "",
            "status_filters": [
                (
                    queries.ATTENTION,
                    _("needs attention (not certified, partially, not deliberated)"),
                ),
                *CertificationStatus.choices,
            ],
            "previous_link": page_link(page.page - 1) if page.page > 1 else "",
            "next_link": page_link(page.page + 1) if page.page < page.pages else "",
            "is_jury": permissions.can(user, "sit", "jury_session", session).ok,
            "is_president": session.president_id == user.pk,
            "override_base": reverse("jury:grid", args=[session.pk]) + "override/",
            "reasons_base": reverse("jury:grid", args=[session.pk]) + "reasons/",
            "block_statuses": BlockStatus.choices,
            "certification_statuses": CertificationStatus.choices,
        },
    )


@login_required
def reasons(request: HttpRequest, pk: int, kind: str, decision_pk: int) -> HttpResponse:
    """Why a decision is what it is: its reasons in the user's language, on demand (an htmx
    partial inside the grid cell, or a page without JavaScript)."""
    session = _session(request, pk)
    decision: BlockDecision | CertificationDecision | None
    if kind == "block":
        decision = (
            BlockDecision.objects.filter(session=session, pk=decision_pk)
            .select_related("block", "enrolment__learner__user", "cites__session")
            .first()
        )
    else:
        decision = (
            CertificationDecision.objects.filter(session=session, pk=decision_pk)
            .select_related("enrolment__learner__user")
            .first()
        )
    if decision is None:
        raise Http404(_("Page not found."))
    context = {
        "session": session,
        "d": decision,
        "reasons": [queries.reason_text(r) for r in decision.reasons],
    }
    partial = bool(getattr(request, "htmx", False))
    return render(
        request, "jury/partials/reasons.html" if partial else "jury/reasons.html", context
    )


@login_required
@require_http_methods(["POST"])
def deliberate(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    with domain_errors(request) as refused:
        count = services.deliberate(session=session, actor=request_user(request))
    if not refused:
        messages.success(
            request,
            ngettext(
                "Deliberation computed for %(count)s learner.",
                "Deliberation computed for %(count)s learners.",
                count,
            )
            % {"count": count},
        )
    return redirect("jury:grid", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def override(request: HttpRequest, pk: int, kind: str, decision_pk: int) -> HttpResponse:
    """Override one decision (``kind`` block or certification) with a justification. GET: the
    form (an htmx partial inside the grid cell, or a page without JavaScript)."""
    session = _session(request, pk)
    decision: BlockDecision | CertificationDecision | None
    if kind == "block":
        decision = (
            BlockDecision.objects.filter(session=session, pk=decision_pk)
            .select_related("block", "enrolment__learner__user")
            .first()
        )
    else:
        decision = (
            CertificationDecision.objects.filter(session=session, pk=decision_pk)
            .select_related("enrolment__learner__user")
            .first()
        )
    if decision is None:
        raise Http404(_("Page not found."))
    if request.method == "GET":
        # the grid page the form was opened from (htmx says it; else the referring page)
        came_from = getattr(getattr(request, "htmx", None), "current_url", None) or (
            request.headers.get("referer", "")
        )
        context = {
            "session": session,
            "d": decision,
            "kind": kind,
            "back": _grid_query(urlsplit(came_from or "").query),
            "statuses": BlockStatus.choices if kind == "block" else CertificationStatus.choices,
            "is_jury": permissions.can(request_user(request), "sit", "jury_session", session).ok,
        }
        partial = bool(getattr(request, "htmx", False))
        template = "jury/partials/override_form.html" if partial else "jury/override.html"
        return render(request, template, context)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    with domain_errors(request) as refused:
        services.decision_override(
            decision=decision,
            status=request.POST.get("status", ""),
            justification=request.POST.get("justification", ""),
            expected_version=version,
            actor=request_user(request),
        )
    if not refused:
        messages.success(request, _("The decision was overridden; the computed value is kept."))
    return redirect(_grid_url(pk, _grid_query(request.POST.get("back", "")), decision.enrolment_id))


@login_required
def what_if(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    """One learner: "if this competency's grade were …" — statuses recomputed, nothing saved."""
    session = _session(request, pk)
    enrolment = (
        Enrolment.objects.filter(pk=enrolment_pk, jury_sessions=session)
        .select_related("learner__user")
        .first()
    )
    if enrolment is None:
        raise Http404(_("Page not found."))
    competencies = list(
        Competency.objects.filter(block__version_id=session.version_id)
        .select_related("block")
        .order_by("block__position", "position")
    )
    result = None
    error = ""
    chosen = request.GET.get("competency", "")
    grade_text = request.GET.get("grade", "")
    if chosen and grade_text:
        competency = next((c for c in competencies if str(c.pk) == chosen), None)
        try:
            grade = Decimal(grade_text.replace(",", "."))
        except InvalidOperation:
            error = _("Enter a grade between 0 and 20.")
        else:
            if competency is None:
                error = _("Choose a competency.")
            else:
                with domain_errors(request, message=False) as refused:
                    result = services.what_if(
                        session=session,
                        enrolment=enrolment,
                        competency=competency,
                        grade=grade,
                        actor=request_user(request),
                    )
                error = refused.message
    rows = []
    if result:
        rows = [
            {
                "block": b,
                "now": BlockStatus(now).label,
                "then": BlockStatus(then).label,
                "changed": now != then,
                "reasons": [queries.reason_text(r) for r in reasons],
            }
            for b, now, then, reasons in result.blocks
        ]
    return render(
        request,
        "jury/what_if.html",
        {
            "session": session,
            "enrolment": enrolment,
            "competencies": competencies,
            "chosen": chosen,
            "grade": grade_text,
            "result": result,
            "rows": rows,
            "decision_now": CertificationStatus(result.decision_now).label if result else "",
            "decision_then": CertificationStatus(result.decision_then).label if result else "",
            "error": error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the session and sign the minutes (president). The page lists the VAE cases and
    appeals the session has not decided; closing then needs an explicit choice for them (move
    them to a later session, or leave them pending), recorded in the minutes. Closing runs as
    a background job: the form is checked here, then the job's page follows it."""
    session = _session(request, pk)
    pending = queries.session_pending(session=session)
    later = list(queries.later_open_sessions(session=session)) if pending else []
    choice = request.POST.get("pending", "")
    move_to_id = request.POST.get("move_to", "")
    error = ""
    if request.method == "POST":
        move_to = next((s for s in later if str(s.pk) == move_to_id), None)
        with domain_errors(request, message=False) as refused:
            job = services.session_close_start(
                session=session,
                actor=request_user(request),
                pending=choice,
                move_to=move_to if choice == "move" else None,
            )
        if not refused:  # the job's page follows the closing (minutes PDF, signature) to its end
            return redirect("jobs:detail", pk=job.pk)
        error = refused.message
    return render(
        request,
        "jury/close.html",
        {
            "session": session,
            "pending": pending,
            "later": later,
            "choice": choice,
            "move_to": move_to_id,
            "error": error,
            "too_early": session.date > clock.today(),
            "job": None if session.is_closed else job_existing(key=close_job_key(session.pk)),
        },
        status=400 if error else 200,
    )


@login_required
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute the minutes' hash and compare it with the frozen one."""
    session = _session(request, pk)
    return render(
        request,
        "jury/verify.html",
        {"session": session, "check": services.minutes_verify(session=session)},
    )


@login_required
def minutes(request: HttpRequest, pk: int) -> FileResponse:
    session = _session(request, pk)
    if not session.minutes_pdf:
        raise Http404(_("Page not found."))
    return FileResponse(
        session.minutes_pdf.open("rb"),
        content_type="application/pdf",
        filename=f"proces-verbal-{session.pk}.pdf",
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_blocks(request: HttpRequest) -> HttpResponse:
    """The learner's blocks: validated (when, how), remaining, and why; her decisions and
    appeals (lodge one within the period)."""
    user = request_user(request)
    learner = Learner.objects.filter(user=user).first()
    if learner is None:
        raise Http404(_("Page not found."))
    if request.method == "POST":
        decision = CertificationDecision.objects.filter(
            pk=request.POST.get("decision") or 0, enrolment__learner=learner
        ).first()
        if decision is None:
            raise Http404(_("Page not found."))
        with domain_errors(request) as refused:
            services.appeal_lodge(
                decision=decision, reason=request.POST.get("reason", ""), actor=user
            )
        if not refused:
            messages.success(
                request, _("Your appeal was lodged; a later jury session will decide it.")
            )
        return redirect("jury:my-blocks")
    vae = queries.vae_outcomes_for(learner=learner)
    versions = [
        (
            version,
            [_block_line(item, vae.get(item.block.pk)) for item in items],
        )
        for version, items in queries.learner_blocks(learner=learner)
    ]
    years = [
        {"year": year, "reasons": year.reason_texts()}
        for year in queries.learner_year_results(learner=learner)
    ]
    return render(
        request,
        "jury/my_blocks.html",
        {
            "versions": versions,
            "decisions": list(queries.learner_decisions(learner=learner)),
            "years": years,
            "vae": bool(vae) or queries.vae_candidates().filter(learner=learner).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_decide(request: HttpRequest, pk: int, appeal_pk: int) -> HttpResponse:
    """A later session's jury decides a pending appeal (upheld or rejected) with a note."""
    session = _session(request, pk)
    appeal = (
        Appeal.objects.filter(pk=appeal_pk, decision__session__version_id=session.version_id)
        .select_related("decision__session", "decision__enrolment__learner__user")
        .first()
    )
    if appeal is None:
        raise Http404(_("Page not found."))
    note = ""
    if request.method == "POST":
        note = request.POST.get("note", "")
        outcome = request.POST.get("outcome", "")
        with domain_errors(request) as refused:
            if outcome not in ("upheld", "rejected"):
                raise DomainError(_("Choose whether the appeal is upheld or rejected."))
            services.appeal_decide(
                appeal=appeal,
                session=session,
                upheld=outcome == "upheld",
                note=note,
                actor=request_user(request),
            )
        if not refused:
            messages.success(request, _("The appeal was decided; the learner sees the outcome."))
            return redirect("jury:dashboard")
    return render(
        request,
        "jury/appeal_decide.html",
        {
            "session": session,
            "appeal": appeal,
            "note": note,
            "decision_label": CertificationStatus(appeal.decision.status).label,
        },
        status=400 if request.method == "POST" else 200,
    )


def _block_line(item: queries.LearnerBlock, vae: VaeBlockOutcome | None) -> dict[str, object]:
    """One block on the learner's page: its status, and why when it is not validated (the
    jury's reasons, or the VAE jury's justification when only a VAE outcome exists)."""
    line: dict[str, object] = {
        "item": item,
        "title": queries.title_of(item.block),
        "label": BlockStatus(item.status).label if item.status else "",
        "reasons": [queries.reason_text(r) for r in item.decision.reasons]
        if item.decision and not item.validation
        else [],
        "status": item.status,
        # a decision of a later session correcting an earlier one: what it corrects and why
        "correction": item.decision if item.decision and item.decision.cites_id else None,
    }
    if not item.validation and not item.decision and vae is not None and not vae.validated:
        line["label"] = _("not validated (VAE)")
        line["status"] = BlockStatus.NOT_VALIDATED
        line["reasons"] = [vae.justification] if vae.justification else []
    return line


# --- corrections of a closed session's decisions ----------------------------------------------


@login_required
def corrections(request: HttpRequest, pk: int) -> HttpResponse:
    """From an open session: find a learner's decision of an earlier, closed session of the
    same version (search by name) to correct it; and the corrections this session recorded."""
    session = _session(request, pk)
    search = request.GET.get("q", "")[:200]
    earlier = queries.earlier_decisions_for(session=session, search=search) if search else []
    recorded = list(
        BlockDecision.objects.filter(session=session, cites__isnull=False)
        .select_related("block", "enrolment__learner__user", "cites__session")
        .order_by("enrolment__learner__user__full_name", "block__position")
    )
    return render(
        request,
        "jury/corrections.html",
        {
            "session": session,
            "search": search,
            "earlier": earlier,
            "recorded": recorded,
            "is_president": session.president_id == request_user(request).pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, pk: int, decision_pk: int) -> HttpResponse:
    """The president of a later, open session corrects one decision of a closed session: she
    reads it and records the corrected status with a mandatory justification; the new decision
    cites the old one (the frozen minutes are never touched)."""
    session = _session(request, pk)
    user = request_user(request)
    old = (
        BlockDecision.objects.filter(pk=decision_pk, session__version_id=session.version_id)
        .select_related("session", "block", "enrolment__learner__user", "overridden_by")
        .first()
    )
    if old is None:
        raise Http404(_("Page not found."))
    chosen = request.POST.get("status", old.status)
    justification = request.POST.get("justification", "")
    error = ""
    if request.method == "POST":
        with domain_errors(request, message=False) as refused:
            new = services.decision_correct(
                old=old, session=session, status=chosen, justification=justification, actor=user
            )
        error = refused.message
        if not refused:
            messages.success(
                request, _("The correction is recorded; it cites the earlier decision.")
            )
            return redirect(_grid_url(pk, _encode(q=str(old.enrolment.learner)), new.enrolment_id))
    return render(
        request,
        "jury/correct.html",
        {
            "session": session,
            "old": old,
            "reasons": [queries.reason_text(r) for r in old.reasons],
            "statuses": BlockStatus.choices,
            "chosen": chosen,
            "justification": justification,
            "error": error,
            "is_president": session.president_id == user.pk,
        },
        status=400 if error else 200,
    )
