"""Survey pages (SPEC §9): the staff list with response rates, creating a survey, sending the
invitations and reminders; the public answer page opened by a personal link (no account,
phone-first, in the learner's language unless she switched). Thin: reads through
``queries``, writes through ``services``; what a user may not see answers 404."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from capitalis.accounts import permissions
from capitalis.accounts.queries import request_user
from capitalis.core import clock
from capitalis.core.handlers import domain_errors
from capitalis.core.models import pick_language
from capitalis.reporting.models import Survey, SurveyInvitation
from capitalis.reporting.surveys import queries, services
from capitalis.reporting.surveys.forms import SurveyCreateForm


def _survey(request: HttpRequest, pk: int) -> Survey:
    survey = queries.survey_for(user=request_user(request), pk=pk)
    if survey is None:
        raise Http404(_("No survey found."))
    return survey


# --- the learner's own surveys ----------------------------------------------------------------


@login_required
@require_POST
def survey_open_mine(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in learner opens one of her open surveys: the same personal link the e-mail
    carries (the invitation is then counted as sent). Someone else's invitation is a 404."""
    today = clock.today()
    invitation = queries.invitations_open_for(user=request_user(request), today=today).filter(pk=pk)
    found = invitation.first()
    if found is None:
        raise Http404(_("No survey found."))
    token = services.invitation_token_issue(invitation=found)
    return redirect("results:survey-answer", token=token)


# --- staff pages -----------------------------------------------------------------------------


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    """Surveys with their response rates (a campus coordinator: her campus's learners)."""
    user = request_user(request)
    campuses = queries.campus_scope(user)
    if campuses == []:
        raise Http404(_("No survey found."))
    surveys = list(queries.survey_list_for(user=user))
    rates = queries.response_rates(survey_ids=[s.pk for s in surveys], campuses=campuses)
    rows = [(s, rates[s.pk]) for s in surveys]
    return render(
        request,
        "reporting/surveys/list.html",
        {
            "rows": rows,
            "can_manage": permissions.can(user, "manage", "survey").ok,
            "campus_scoped": campuses is not None,
        },
    )


@login_required
def survey_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not permissions.can(user, "manage", "survey").ok:
        raise Http404(_("No survey found."))
    form = SurveyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {"dates": "closes_on", "duplicate": "kind", "kind": "kind"}
        with domain_errors(request, form, fields=fields) as refused:
            survey = services.survey_create(
                edition=data["edition"],
                kind=data["kind"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                actor=user,
            )
        if not refused:
            messages.success(request, _("Survey created. You can now send the invitations."))
            return redirect("reporting:survey-detail", pk=survey.pk)
    return render(request, "reporting/surveys/create.html", {"form": form})


def _questions(survey: Survey, language: str | None = None) -> list[dict[str, Any]]:
    """The questions with their labels in the active language, for display."""
    shown = []
    for q in survey.questions:
        options: list[tuple[str, str]] = []
        if q["type"] == "scale":
            options = [(str(n), str(n)) for n in range(int(q["min"]), int(q["max"]) + 1)]
        elif q["type"] == "yes_no":
            options = [("yes", _("Yes")), ("no", _("No"))]
        elif q["type"] == "choice":
            options = [
                (c["code"], pick_language(c["label_fr"], c.get("label_en", ""), language))
                for c in q.get("choices", [])
            ]
        shown.append(
            {
                "code": q["code"],
                "type": q["type"],
                "label": pick_language(q["label_fr"], q.get("label_en", ""), language),
                "required": q.get("required", True),
                "options": options,
                "field": f"q_{q['code']}",
            }
        )
    return shown


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    survey = _survey(request, pk)
    campuses = queries.campus_scope(user)
    rates = queries.response_rates(survey_ids=[survey.pk], campuses=campuses)[survey.pk]
    today = clock.today()
    return render(
        request,
        "reporting/surveys/detail.html",
        {
            "survey": survey,
            "title": pick_language(survey.title_fr, survey.title_en),
            "rates": rates,
            "questions": _questions(survey),
            "state": queries.survey_state(survey=survey, today=today),
            "can_manage": permissions.can(user, "manage", "survey").ok,
            "recipients": queries.recipients(survey=survey).count(),
            "not_invited": queries.recipients_not_invited(survey=survey).count(),
            "due": len(services.reminders_due(today=today, survey_id=survey.pk)),
            "max_reminders": services.max_reminders(),
            "reminder_days": services.reminder_days(),
        },
    )


@login_required
@require_POST
def survey_invite(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    survey = _survey(request, pk)
    if not permissions.can(user, "manage", "survey").ok:
        raise Http404(_("No survey found."))
    with domain_errors(request) as refused:
        count = services.survey_invite(survey=survey, actor=user)
    if not refused:
        messages.success(
            request,
            _("%(count)s new invitation(s); the e-mails are being sent.") % {"count": count},
        )
    return redirect("reporting:survey-detail", pk=survey.pk)


@login_required
@require_POST
def survey_remind(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    survey = _survey(request, pk)
    if not permissions.can(user, "manage", "survey").ok:
        raise Http404(_("No survey found."))
    with domain_errors(request) as refused:
        count = services.survey_remind(survey_id=survey.pk, actor=user)
    if not refused:
        messages.success(request, _("%(count)s reminder(s) sent.") % {"count": count})
    return redirect("reporting:survey-detail", pk=survey.pk)


# --- the public answer page ------------------------------------------------------------------


def _respondent_language(request: HttpRequest, invitation: SurveyInvitation | None) -> None:
    """The learner's language, unless she chose one with the switcher (language cookie)."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or invitation is None:
        return
    user = invitation.learner.user if invitation.learner else None
    language = (user.preferred_language if user else "") or ""
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, f"reporting/surveys/{template}", context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """Answer a survey through a personal link: each answer checked, all saved at once or none,
    once per link; an unknown link is a 404 page, a closed survey a clear page."""
    invitation = queries.invitation_by_token(token=token)
    _respondent_language(request, invitation)
    if invitation is None:
        return _page(request, "unknown.html", {}, status=404)
    survey = invitation.survey
    title = pick_language(survey.title_fr, survey.title_en)
    context: dict[str, Any] = {"survey": survey, "title": title}
    state = queries.survey_state(survey=survey, today=clock.today())
    if state != "open":
        return _page(
            request,
            "closed.html",
            {**context, "state": state},
            status=410 if state == "closed" else 200,
        )
    if invitation.answered_at is not None:
        status = 409 if request.method == "POST" else 200
        return _page(request, "answered.html", context, status=status)
    questions = _questions(survey)
    if request.method == "POST":
        raw = {q["code"]: request.POST.get(q["field"], "") for q in questions}
        with domain_errors(request, message=False) as refused:
            try:
                services.survey_answer(token=token, answers=raw)
            except services.AnswerErrors as error:
                for q in questions:
                    q["value"] = raw.get(q["code"], "")
                    q["error"] = error.errors.get(q["code"], "")
                context.update(questions=questions, has_errors=True)
                return _page(request, "answer.html", context, status=400)
        if refused:
            template = {"answered": "answered.html", "unknown": "unknown.html"}.get(
                refused.code, "closed.html"
            )
            status = {"answered": 409, "unknown": 404, "closed": 410}.get(refused.code, 400)
            return _page(request, template, {**context, "message": refused.message}, status=status)
        return _page(request, "thanks.html", context)
    context["questions"] = questions
    return _page(request, "answer.html", context)
