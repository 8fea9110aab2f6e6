"""The public catalogue page (SPEC §2, §8): a programme's edition with its years, the
specialisations and tracks each campus offers (each linked to its calendar), the courses with
their ECTS and the competencies they assess, and the fees. Composed here, in the top layer,
from ``programmes.queries`` and ``finance.queries`` (finance comes after programmes in the
pipeline, so the programmes app cannot render fees). Thin: reads go through the queries."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.core.handlers import domain_errors
from capitalis.finance import queries as finance_queries
from capitalis.finance.rules import Payer
from capitalis.programmes.models import TeachingMethod, Track
from capitalis.programmes.queries import (
    CourseView,
    EditionView,
    catalogue_editions,
    catalogue_first_programme,
    catalogue_for,
)

METHOD_LABELS = dict(TeachingMethod.choices)
TRACK_LABELS = dict(Track.choices)


def _campus_rows(edition_view: EditionView) -> list[dict[str, object]]:
    """Each campus with its tracks as (code, label), in the tracks' order."""
    order = list(TRACK_LABELS)
    return [
        {
            "view": campus_view,
            "tracks": [
                (track, TRACK_LABELS.get(track, track))
                for track in sorted(campus_view.tracks, key=order.index)
            ],
        }
        for campus_view in edition_view.campuses
    ]


def _methods(item: CourseView) -> list[str]:
    """A course's teaching methods in the request's language."""
    return [str(METHOD_LABELS.get(m, m)) for m in item.course.teaching_methods or []]


def _fees(request: HttpRequest, programme_code: str, academic_year: str) -> dict[str, Any]:
    """The fees section: the programme's schedules and a quote for the academic year, track
    and payer asked in the query string (``fee_year``, ``fee_track``, ``payer``), by default
    ``academic_year`` (or the latest year with a schedule) on the initial track."""
    params = request.GET
    schedules = list(finance_queries.fee_schedule_list(programme_code=programme_code))
    years = sorted({s.academic_year for s in schedules})
    year = params.get("fee_year") or (
        academic_year if academic_year in years else (years[-1] if years else "")
    )
    track = params.get("fee_track") or Track.INITIAL.value
    payer = params.get("payer") or None
    quote = None
    error = ""
    if schedules:
        with domain_errors(request, message=False) as refused:  # shown in the fees section
            quote = finance_queries.fee_quote(
                programme_code=programme_code, academic_year=year, track=track, payer=payer
            )
        error = refused.message
    return {
        "schedules": schedules,
        "years": years,
        "tracks": Track.choices,
        "payers": [(p.value, finance_queries.PAYER_LABELS[p]) for p in Payer],
        "selected": {"year": year, "track": track, "payer": quote.payer if quote else payer},
        "quote": quote,
        "error": error,
    }


def catalogue(
    request: HttpRequest, programme: str | None = None, edition: str | None = None
) -> HttpResponse:
    """One edition of a programme (by default the first programme and its latest edition);
    ``?track=initial`` or ``?track=work_study`` shows only the courses of that track (an
    unknown value shows every course)."""
    if programme is None:
        programme = catalogue_first_programme()
        if programme is None:
            return render(request, "web/catalogue/catalogue_empty.html")
    editions = catalogue_editions(programme_code=programme)
    if edition is None and editions:
        edition = editions[-1]["code"]
    track = request.GET.get("track", "")
    if track not in TRACK_LABELS:
        track = ""
    found = catalogue_for(programme_code=programme, edition_code=edition, track=track or None)
    if found is None or not found.editions:
        if found is None and edition is None:
            raise Http404(_("No programme has the code %(code)s.") % {"code": programme})
        raise Http404(
            _("The programme %(programme)s has no edition %(edition)s.")
            % {"programme": programme, "edition": edition}
        )
    shown = found.editions[0]
    return render(
        request,
        "web/catalogue/catalogue.html",
        {
            "catalogue": found,
            "programme": found.programme,
            "edition_view": shown,
            "edition": shown.edition,
            "editions": editions,
            "campuses": _campus_rows(shown),
            "track": track,
            "track_label": TRACK_LABELS.get(track, ""),
            "tracks": list(TRACK_LABELS.items()),
            "can_manage": permissions.can(request.user, "manage", "edition").ok,
            "years": [
                {
                    "view": year_view,
                    "groups": [
                        {
                            "group": group,
                            "courses": [
                                {"item": item, "methods": _methods(item)} for item in group.courses
                            ],
                        }
                        for group in year_view.groups
                    ],
                }
                for year_view in shown.years
            ],
            "fees": _fees(request, found.programme.code, shown.edition.code),
        },
    )
