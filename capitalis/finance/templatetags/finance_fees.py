"""The fees section of a page (SPEC §8): a programme's fee schedules and, for the academic year,
track and payer asked in the query string (``fee_year``, ``fee_track``, ``payer``), the
computed quote. Lets the programme catalogue show fees without programmes importing finance."""

from __future__ import annotations

from typing import Any

from django import template

from capitalis.core.exceptions import DomainError
from capitalis.finance import queries
from capitalis.finance.rules import Payer
from capitalis.programmes.models import Track

register = template.Library()


@register.inclusion_tag("finance/partials/fees.html", takes_context=True)
def fees_section(
    context: dict[str, Any], programme_code: str, academic_year: str
) -> dict[str, Any]:
    """Schedules of ``programme_code`` and a quote, by default for ``academic_year`` (or the
    latest year with a schedule) on the initial track."""
    request = context.get("request")
    params = request.GET if request is not None else {}
    schedules = list(queries.fee_schedule_list(programme_code=programme_code))
    years = sorted({s.academic_year for s in schedules})
    year = params.get("fee_year") or (
        academic_year if academic_year in years else (years[-1] if years else "")
    )
    track = params.get("fee_track") or Track.INITIAL.value
    payer = params.get("payer") or None
    quote = None
    error = ""
    if schedules:
        try:
            quote = queries.fee_quote(
                programme_code=programme_code, academic_year=year, track=track, payer=payer
            )
        except DomainError as exc:
            error = exc.message
    return {
        "request": request,
        "schedules": schedules,
        "years": years,
        "tracks": Track.choices,
        "payers": [(p.value, queries.PAYER_LABELS[p]) for p in Payer],
        "selected": {"year": year, "track": track, "payer": quote.payer if quote else payer},
        "quote": quote,
        "error": error,
    }
