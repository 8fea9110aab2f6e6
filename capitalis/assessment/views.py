"""Assessment pages (SPEC §5): the lecturer's assessments (his courses), the results entry grid
of one assessment (learners × competencies, a plain form usable on a phone), the learner's own
results. Thin: reads through ``queries``, writes through ``services``; an assessment the user
may not see answers 404."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from capitalis.accounts.queries import request_user
from capitalis.assessment import queries, services
from capitalis.assessment.forms import AssessmentForm
from capitalis.assessment.models import Absence, Assessment, Level
from capitalis.core.exceptions import DomainError
from capitalis.core.handlers import domain_errors


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    assessments = list(queries.assessments_for(user=request.user)[:500])  # type: ignore[arg-type]
    can_create = AssessmentForm(user=request.user).fields["course"].queryset.exists()  # type: ignore[arg-type, attr-defined]
    return render(
        request,
        "assessment/assessment_list.html",
        {"assessments": assessments, "can_create": can_create},
    )


def visible_assessment(request: HttpRequest, pk: int) -> Assessment:
    """The assessment ``pk`` when the user may see it, else 404."""
    try:
        return queries.assessments_for(user=request_user(request)).get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404(_("No such assessment.")) from None


def editable_assessment(request: HttpRequest, pk: int) -> Assessment:
    """The assessment ``pk`` when the user may also enter its results, else 404."""
    assessment = visible_assessment(request, pk)
    if not services.can_enter_results(request_user(request), assessment):
        raise Http404(_("No such assessment."))
    return assessment


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
    assessment = editable_assessment(request, pk)
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


@login_required
def results_entry(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = visible_assessment(request, pk)
    can_edit = services.can_enter_results(user, assessment)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_edit:
            raise Http404(_("No such assessment."))
        columns, rows = queries.results_grid(assessment=assessment)
        with domain_errors(request) as refusal:
            changed = services.results_enter(
                assessment=assessment,
                entries=_posted_entries(request.POST, columns, rows),
                actor=user,
            )
        if not refusal:
            messages.success(request, _("%(count)d result(s) saved.") % {"count": changed})
            return redirect("assessment:results", pk=assessment.pk)
        if isinstance(refusal.error, services.ResultsRefused):
            errors = refusal.error.errors
    columns, rows = queries.results_grid(assessment=assessment)
    return render(
        request,
        "assessment/results_entry.html",
        {
            "assessment": assessment,
            "columns": columns,
            "grid": _grid(columns, rows, request.POST if errors else {}, errors),
            "can_edit": can_edit,
            "levels": Level.choices,
            "absences": Absence.choices,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _cell_key(enrolment_pk: int, column: Any) -> str:
    """A cell's key in the form: learner, then competency id (``all``: the whole assessment)."""
    return f"{enrolment_pk}-{column.pk if column else 'all'}"


def _posted_entries(
    post: Mapping[str, Any], columns: Sequence[Any], rows: Sequence[Any]
) -> list[services.ResultEntry]:
    """The filled cells of the posted grid (a cell with no grade, level or absence is left
    out), each with its learner's comment."""
    entries = []
    for row in rows:
        comment = post.get(f"comment-{row.enrolment.pk}", "")
        for column in columns:
            key = _cell_key(row.enrolment.pk, column)
            grade = post.get(f"grade-{key}", "").strip()
            level = post.get(f"level-{key}", "").strip()
            absence = post.get(f"absence-{key}", "").strip() or "none"
            if not grade and not level and absence == "none":
                continue
            entries.append(
                services.ResultEntry(
                    key=key,
                    enrolment=row.enrolment,
                    competency=column,
                    grade=grade or None,
                    level=level or None,
                    absence=absence,
                    comment=comment,
                )
            )
    return entries


def _grid(
    columns: Sequence[Any],
    rows: Sequence[Any],
    posted: Mapping[str, Any],
    errors: dict[str, str],
) -> list[dict[str, Any]]:
    """The grid's rows for the template: each cell's values (as posted when the grid was
    refused, else as stored) and its reason, and the learner's comment."""
    grid = []
    for row in rows:
        cells = []
        for column, cell in zip(columns, row.cells, strict=True):
            key = _cell_key(row.enrolment.pk, column)
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
    return grid


@login_required
def my_results(request: HttpRequest) -> HttpResponse:
    results = list(queries.results_for_learner(user=request.user)[:1000])  # type: ignore[arg-type]
    return render(request, "assessment/my_results.html", {"results": results})
