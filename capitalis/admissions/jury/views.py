"""Pages of the interviews, the admission jury and the decision letters (SPEC §3). Thin: reads
through ``jury.queries``, writes through ``jury.services``; a forbidden object is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from capitalis.accounts.models import User
from capitalis.accounts.queries import grants_for, request_user
from capitalis.admissions.jury import letters, queries, services
from capitalis.admissions.jury.forms import (
    JuryForm,
    SlotForm,
    decision_choices,
    parse_pk_version,
)
from capitalis.admissions.models import STATUS_LABELS, AdmissionJury, Application
from capitalis.admissions.rules import DECISION_WEEKS, Status
from capitalis.core import clock
from capitalis.core.handlers import domain_errors


def _require_admissions_staff(request: HttpRequest) -> None:
    if not queries.is_admissions_staff(grants_for(user=request_user(request))):
        raise Http404(_("Page not found."))


# --- interviews ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def interview_slots(request: HttpRequest) -> HttpResponse:
    """The interview slots of the user's campuses; create a slot; book an application."""
    user = request_user(request)
    _require_admissions_staff(request)
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with domain_errors(request, form) as refused:
            services.interview_slot_create(
                edition=data["edition"],
                campus=data["campus"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                interviewers=data["interviewers"],
                actor=user,
            )
        if not refused:
            messages.success(request, _("The interview slot was created."))
            return redirect("admissions:interview-slots")
    slots = list(queries.interview_slot_list_for(user=user))
    bookable = queries.bookable_by_slot(user=user, slots=slots)
    for slot in slots:
        slot.bookable = bookable.get(slot.pk, [])  # type: ignore[attr-defined]
    return render(request, "admissions/interviews/slots.html", {"form": form, "slots": slots})


@login_required
@require_http_methods(["POST"])
def interview_slot_book(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    slot = queries.interview_slot_get_for(user=user, pk=pk)
    if slot is None:
        raise Http404(_("Page not found."))
    parsed = parse_pk_version(request.POST.get("application", ""))
    application = (
        queries.bookable_applications(user=user, slot=slot).filter(pk=parsed[0]).first()
        if parsed
        else None
    )
    if parsed is None or application is None:
        messages.error(request, _("Choose an eligible application."))
        return redirect("admissions:interview-slots")
    with domain_errors(request) as refused:
        services.interview_book(
            application=application, slot=slot, actor=user, expected_version=parsed[1]
        )
    if not refused:
        messages.success(request, _("The interview was booked."))
    return redirect("admissions:interview-slots")


def _interview_post(request: HttpRequest, view: queries.InterviewView, user: User) -> None:
    """The interview page's two forms: the adapted arrangements (those who may read them) and
    the scores (those who may score); any other post is a 404."""
    action = request.POST.get("action")
    interview = view.interview
    if action == "arrangements" and view.arrangements_visible:
        services.interview_arrangements_set(
            interview=interview, text=request.POST.get("arrangements", ""), actor=user
        )
        messages.success(request, _("The adapted arrangements were saved."))
    elif action == "score" and view.can_score:
        services.interview_record(
            interview=interview,
            scores={c.code: request.POST.get(f"score-{c.code}", "") for c in view.criteria},
            comment=request.POST.get("comment", ""),
            actor=user,
            expected_version=int(request.POST.get("version", "-1") or -1),
        )
        messages.success(request, _("The interview was recorded."))
    else:
        raise Http404(_("Page not found."))


@login_required
@require_http_methods(["GET", "POST"])
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An interview: the candidate, the scoring grid and comment (interviewers, admissions
    staff), the adapted arrangements (the jury and the disability referent only)."""
    user = request_user(request)
    view = queries.interview_get_for(user=user, pk=pk)
    if view is None:
        raise Http404(_("Page not found."))
    interview = view.interview
    errors: list[str] = []
    if request.method == "POST":
        with domain_errors(request, message=False) as refused:
            _interview_post(request, view, user)
        if not refused:
            return redirect("admissions:interview", pk=pk)
        errors.append(refused.message)
    application = interview.application
    rows = [
        {
            "criterion": c,
            "value": request.POST.get(f"score-{c.code}", "")
            if errors
            else interview.scores.get(c.code, ""),
        }
        for c in view.criteria
    ]
    return render(
        request,
        "admissions/interviews/detail.html",
        {
            "view": view,
            "interview": interview,
            "application": application,
            "rows": rows,
            "errors": errors,
            "comment": request.POST.get("comment", "") if errors else interview.comment,
            "status_label": STATUS_LABELS[Status(application.status)],
            "can_record": view.can_score and application.status == Status.INTERVIEW_SCHEDULED.value,
        },
    )


# --- the admission jury --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def jury_list(request: HttpRequest) -> HttpResponse:
    """The admission juries the user may see; admissions staff create a sitting."""
    user = request_user(request)
    staff = queries.is_admissions_staff(grants_for(user=user))
    juries = list(queries.admission_jury_list_for(user=user))
    if not staff and not juries:
        raise Http404(_("Page not found."))
    form = JuryForm(request.POST or None) if staff else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        with domain_errors(request, form) as refused:
            jury = services.admission_jury_create(
                edition=data["edition"],
                campus=data["campus"],
                sits_on=data["sits_on"],
                president=data["president"],
                members=data["members"],
                actor=user,
            )
        if not refused:
            messages.success(request, _("The admission jury was created."))
            return redirect("admissions:jury", pk=jury.pk)
    return render(request, "admissions/jury/list.html", {"juries": juries, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def jury_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A jury sitting: present interviewed files to it, decide the presented files in batch
    (each row carries the version its decider saw; one conflict does not lose the others)."""
    user = request_user(request)
    jury = queries.admission_jury_get_for(user=user, pk=pk)
    if jury is None:
        raise Http404(_("Page not found."))
    if request.method == "POST":
        if request.POST.get("action") == "present":
            _present(request, user, jury)
        else:
            _decide(request, user, jury)
        return redirect("admissions:jury", pk=pk)
    today = clock.today()
    rows = queries.jury_applications(user=user, jury=jury, today=today)
    return render(
        request,
        "admissions/jury/detail.html",
        {
            "jury": jury,
            "presented": [r for r in rows if r.application.status == Status.PRESENTED.value],
            "decided": [r for r in rows if r.application.status != Status.PRESENTED.value],
            "presentable": list(queries.presentable_applications(user=user, jury=jury)),
            "members": list(jury.members.all()),
            "choices": decision_choices(),
            "weeks": DECISION_WEEKS,
            "today": today,
        },
    )


def _present(request: HttpRequest, user: User, jury: AdmissionJury) -> None:
    chosen = [parse_pk_version(v) for v in request.POST.getlist("applications")]
    allowed = {
        a.pk: a
        for a in queries.presentable_applications(user=user, jury=jury).filter(
            pk__in=[c[0] for c in chosen if c]
        )
    }
    if not allowed:
        messages.error(request, _("Choose at least one interviewed application."))
    for pair in chosen:
        if pair is None or pair[0] not in allowed:
            continue
        application = allowed[pair[0]]
        with domain_errors(request, message=False) as refused:
            services.application_present(
                application=application, jury=jury, actor=user, expected_version=pair[1]
            )
        if refused:
            messages.error(request, f"{application.candidate}: {refused.message}")
        else:
            messages.success(
                request,
                _("%(candidate)s: presented to the jury.") % {"candidate": application.candidate},
            )


def _decide(request: HttpRequest, user: User, jury: AdmissionJury) -> None:
    rows: list[services.DecisionRow] = []
    for value in request.POST.getlist("row"):
        pair = parse_pk_version(value)
        if pair is None:
            continue
        pk, version = pair
        rows.append(
            services.DecisionRow(
                application_id=pk,
                decision=request.POST.get(f"decision-{pk}", ""),
                version=version,
                note=request.POST.get(f"note-{pk}", ""),
            )
        )
    results = services.applications_decide_batch(jury=jury, rows=rows, actor=user)
    if not results:
        messages.error(request, _("Choose a decision for at least one file."))
        return
    names = {
        a.pk: str(a.candidate)
        for a in Application.objects.filter(
            pk__in=[r.application_id for r in results]
        ).select_related("candidate")
    }
    labels = {s.value: label for s, label in STATUS_LABELS.items()}
    for result in results:
        name = names.get(result.application_id, str(result.application_id))
        if result.ok:
            messages.success(
                request,
                _("%(candidate)s: %(decision)s — saved.")
                % {"candidate": name, "decision": labels[Status(result.status)]},
            )
        else:
            messages.error(
                request,
                _("%(candidate)s: not saved — %(reason)s")
                % {"candidate": name, "reason": result.message},
            )


# --- decision letters ----------------------------------------------------------------------


@login_required
def decision_letter(request: HttpRequest, pk: int, fmt: str = "html") -> HttpResponse:
    """The decision letter, in the candidate's language, as HTML or PDF."""
    application = queries.letter_application_get_for(user=request_user(request), pk=pk)
    if application is None:
        raise Http404(_("Page not found."))
    if fmt == "pdf":
        response = HttpResponse(letters.letter_pdf(application), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="{letters.letter_filename(application)}"'
        )
        return response
    return HttpResponse(
        letters.letter_html(application, csp_nonce=str(getattr(request, "csp_nonce", "")))
    )
