"""Assessment pages (SPEC §5): the lecturer's assessments (his courses), the results entry grid
of one assessment (learners × competencies, a plain form usable on a phone), the learner's own
results. Thin: reads through ``queries``, writes through ``services``; an assessment the user
may not see answers 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from capitalis.assessment import queries, services
from capitalis.assessment.forms import AssessmentForm
from capitalis.assessment.models import Absence, Assessment, Level
from capitalis.core.exceptions import DomainError


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    assessments = list(queries.assessments_for(user=request.user)[:500])  # type: ignore[arg-type]
    can_create = AssessmentForm(user=request.user).fields["course"].queryset.exists()  # type: ignore[arg-type, attr-defined]
    return render(
        request,
        "assessment/assessment_list.html",
        {"assessments": assessments, "can_create": can_create},
    )


@login_required
def assessment_create(request: HttpRequest) -> HttpResponse:
    """A lecturer creates an assessment of one of his courses (a programme director: of any
    course, or of a block alone)."""
    form = AssessmentForm(request.POST or None, user=request.user)  # type: ignore[arg-type]
    if not form.fields["course"].queryset.exists():  # type: ignore[attr-defined]
        raise Http404(_("No such assessment."))
    return _form_page(request, form, created=True)


@login_required
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an assessment of one of his courses; another's answers 404."""
    try:
        assessment = queries.assessments_for(user=request.user).get(pk=pk)  # type: ignore[arg-type]
    except Assessment.DoesNotExist:
        raise Http404(_("No such assessment.")) from None
    if not services.can_enter_results(request.user, assessment):  # type: ignore[arg-type]
        raise Http404(_("No such assessment."))
    form = AssessmentForm(request.POST or None, user=request.user, instance=assessment)  # type: ignore[arg-type]
    return _form_page(request, form, created=False)


def _form_page(request: HttpRequest, form: AssessmentForm, *, created: bool) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            assessment = form.save()
        except DomainError:
            pass
        else:
            messages.success(
                request,
                _("The assessment %(code)s was created.") % {"code": assessment.code}
                if created
                else _("The assessment %(code)s was saved.") % {"code": assessment.code},
            )
            return redirect("assessment:list")
    return render(
        request,
        "assessment/assessment_form.html",
        {"form": form, "created": created},
        status=400 if request.method == "POST" else 200,
    )


class _Rollback(Exception):
    pass


@login_required
def results_entry(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        assessment = queries.assessments_for(user=request.user).get(pk=pk)  # type: ignore[arg-type]
    except Assessment.DoesNotExist:
        raise Http404(_("No such assessment.")) from None
    can_edit = services.can_enter_results(request.user, assessment)  # type: ignore[arg-type]
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_edit:
            raise Http404(_("No such assessment."))
        columns, rows = queries.results_grid(assessment=assessment)
        changed = 0
        try:
            with transaction.atomic():
                for row in rows:
                    comment = request.POST.get(f"comment-{row.enrolment.pk}", "")
                    for column in columns:
                        key = f"{row.enrolment.pk}-{column.pk if column else 'all'}"
                        grade = request.POST.get(f"grade-{key}", "").strip()
                        level = request.POST.get(f"level-{key}", "").strip()
                        absence = request.POST.get(f"absence-{key}", "").strip() or "none"
                        if not grade and not level and absence == "none":
                            continue
                        try:
                            _result, was_changed = services.result_set(
                                assessment=assessment,
                                enrolment=row.enrolment,
                                competency=column,
                                grade=grade or None,
                                level=level or None,
                                absence=absence,
                                comment=comment,
                                actor=request.user,  # type: ignore[arg-type]
                            )
                            changed += was_changed
                        except DomainError as error:
                            errors[key] = error.message
                if errors:
                    raise _Rollback
        except _Rollback:
            messages.error(request, _("Nothing was saved: correct the marked cells."))
        else:
            messages.success(request, _("%(count)d result(s) saved.") % {"count": changed})
            return redirect("assessment:results", pk=assessment.pk)
    columns, rows = queries.results_grid(assessment=assessment)
    posted: dict[str, Any] = request.POST if errors else {}
    grid = []
    for row in rows:
        cells = []
        for column, cell in zip(columns, row.cells, strict=True):
            key = f"{row.enrolment.pk}-{column.pk if column else 'all'}"
            result = cell.result
            cells.append(
                {
                    "key": key,
                    "competency": column,
                    "grade": posted.get(f"grade-{key}", result.grade if result else ""),
                    "level": posted.get(f"level-{key}", result.level if result else ""),
                    "absence": posted.get(f"absence-{key}", result.absence if result else ""),
                    "error": errors.get(key, ""),
                }
            )
        comment = next((c.result.comment for c in row.cells if c.result), "")
        grid.append(
            {
                "enrolment": row.enrolment,
                "cells": cells,
                "comment": posted.get(f"comment-{row.enrolment.pk}", comment),
            }
        )
    return render(
        request,
        "assessment/results_entry.html",
        {
            "assessment": assessment,
            "columns": columns,
            "grid": grid,
            "can_edit": can_edit,
            "levels": Level.choices,
            "absences": Absence.choices,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
def my_results(request: HttpRequest) -> HttpResponse:
    results = list(queries.results_for_learner(user=request.user)[:1000])  # type: ignore[arg-type]
    return render(request, "assessment/my_results.html", {"results": results})
