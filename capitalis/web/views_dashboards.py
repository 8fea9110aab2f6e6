"""Dashboards of the staff (SPEC §9 / issue 4 point 9): the admissions funnel per campus."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.admissions.jury.queries import admissions_dashboard as admissions_figures
from capitalis.admissions.models import STATUS_LABELS
from capitalis.admissions.rules import Status, decision_deadline
from capitalis.core import clock


@login_required
def admissions_dashboard(request: HttpRequest) -> HttpResponse:
    """The admissions funnel of the user's campuses: count per status, median decision delay,
    late files (presented, no decision 4 weeks later). Admissions staff only."""
    assert isinstance(request.user, User)
    dashboard = admissions_figures(user=request.user, today=clock.today())
    if dashboard is None:
        raise Http404(_("Page not found."))
    columns = [(s.value, STATUS_LABELS[s]) for s in Status]
    rows = [
        {"funnel": funnel, "cells": [funnel.counts.get(code, 0) for code, _label in columns]}
        for funnel in dashboard.campuses
    ]
    late = [
        {"application": a, "deadline": decision_deadline(a.presented_on)}
        for a in dashboard.late_files
        if a.presented_on is not None
    ]
    return render(
        request,
        "web/dashboards/admissions.html",
        {
            "dashboard": dashboard,
            "columns": columns,
            "rows": rows,
            "totals": [dashboard.totals.get(code, 0) for code, _label in columns],
            "late": late,
        },
    )
