"""Public results pages (no login, SPEC §9): what the school must publish per programme —
certification rate per cohort, pass rate per block, employment at 6 months and 2 years,
satisfaction — each figure with its date and base, "not significant" below the minimum base,
declared history marked with its source. Programme-wide figures only (no campus split, no
admissions or apprentice counts, which are staff figures)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from capitalis.reporting.indicators import queries
from capitalis.reporting.indicators.views import declared_table, indicator_label


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reporting/public/index.html",
        {"programmes": list(queries.programme_list())},
    )


def programme(request: HttpRequest, code: str) -> HttpResponse:
    found = queries.programme_get(code)
    if found is None:
        raise Http404(_("Page not found."))
    results = queries.public_results(programme=found)
    return render(
        request,
        "reporting/public/programme.html",
        {
            "programme": found,
            "results": results,
            "declared": [(indicator_label(r.indicator), r) for r in results.declared],
            "declared_table": declared_table(results.declared),
            "employment": [(indicator_label(s.kind), s) for s in results.employment],
            "satisfaction": [(indicator_label(s.kind), s) for s in results.satisfaction],
        },
    )
