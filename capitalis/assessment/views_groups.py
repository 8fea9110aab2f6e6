"""Group results page (SPEC §5): the groups of an assessment (learners assessed together) and,
for the course's lecturer or a programme director, one form per group entering a grade (or an
absence) and/or a level per competency with a comment that reaches every member. Thin: reads
through ``queries``, writes through ``services``; an assessment or group the user may not see
answers 404; a refused entry shows its translated reason and writes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.accounts.queries import request_user
from capitalis.assessment import queries, services
from capitalis.assessment.models import Absence, Assessment, Level
from capitalis.assessment.views import visible_assessment
from capitalis.core.exceptions import DomainError
from capitalis.core.handlers import domain_errors


@login_required
def group_results(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = visible_assessment(request, pk)
    can_edit = services.can_enter_results(user, assessment)
    competencies = list(assessment.competencies.order_by("code"))
    groups = list(queries.groups_for(user=user).filter(assessment=assessment))
    error = ""
    error_group: int | None = None
    if request.method == "POST":
        if not can_edit:
            raise Http404(_("No such assessment."))
        if request.POST.get("step") == "group_set":
            return _group_set(request, user, assessment)
        group = next((g for g in groups if str(g.pk) == request.POST.get("group", "")), None)
        if group is None:
            error = _("Unknown group: choose one of this assessment's groups.")
        else:
            error_group = group.pk
            levels = {
                c.pk: str(request.POST.get(f"level-{c.pk}", ""))
                for c in competencies
                if request.POST.get(f"level-{c.pk}")
            }
            try:
                services.group_results_enter(
                    group=group,
                    grade=str(request.POST.get("grade", "")) or None,
                    absence=str(request.POST.get("absence", "")) or Absence.NONE,
                    levels=levels,
                    comment=str(request.POST.get("comment", "")),
                    actor=user,
                )
            except DomainError as refused:
                error = refused.message
            else:
                messages.success(
                    request,
                    _("Result entered for the %(count)d member(s) of group “%(name)s”.")
                    % {"count": len(group.members.all()), "name": group.name},
                )
                return redirect("assessment:groups", pk=assessment.pk)
    context: dict[str, Any] = {
        "assessment": assessment,
        "groups": groups,
        "competencies": competencies,
        "levels": Level.choices,
        "absences": Absence.choices,
        "can_edit": can_edit,
        "error": error,
        "error_group": error_group,
        "posted": request.POST if error else {},
        "learners": (
            list(queries.concerned_enrolments(assessment).select_related("learner__user"))
            if can_edit
            else []
        ),
    }
    return render(request, "assessment/group_results.html", context, status=400 if error else 200)


def _group_set(request: HttpRequest, user: User, assessment: Assessment) -> HttpResponse:
    """Form (or re-form) a group: a name and its members among the assessment's learners."""
    wanted = {str(v) for v in request.POST.getlist("members")}
    members = [e for e in queries.concerned_enrolments(assessment) if str(e.pk) in wanted]
    with domain_errors(request) as refused:
        group = services.assessment_group_set(
            assessment=assessment,
            name=str(request.POST.get("name", "")),
            members=members,
            actor=user,
        )
    if not refused:
        messages.success(
            request,
            _("Group “%(name)s” saved with %(count)d member(s).")
            % {"name": group.name, "count": len(members)},
        )
    return redirect("assessment:groups", pk=assessment.pk)
