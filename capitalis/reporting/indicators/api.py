"""REST API on indicators (SPEC §9), under /api/reporting/: the staff indicators of a
programme, scoped to the reader's campuses (anonymous: 403; no reporting scope: 404), and the
public figures of the results page (no login). Every figure carries its value (null when not
significant), numerator, denominator, date, minimum base and, for declared history, its source."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts.models import User
from capitalis.core import clock
from capitalis.core.params import parse_id
from capitalis.programmes.models import Campus, Edition
from capitalis.reporting.indicators import queries, rules


def figure_json(f: rules.Figure) -> dict[str, Any]:
    return {
        "value": None if f.value is None else float(f.value),
        "numerator": f.numerator,
        "denominator": f.denominator,
        "as_of": f.as_of.isoformat() if f.as_of else None,
        "unit": f.unit.value,
        "significant": f.significant,
        "reason": f.reason.value,
        "min_base": f.min_base,
        "declared": f.declared,
        "source": f.source or None,
    }


def _edition(e: Edition) -> str:
    return e.code


def _campus(c: Campus | None) -> str | None:
    return c.code if c else None


def certification_json(rows: list[queries.CertificationRow]) -> list[dict[str, Any]]:
    return [
        {
            "edition": _edition(r.edition),
            "campus": _campus(r.campus),
            "cohort": r.cohort,
            "certified": r.certified,
            "partially_certified": r.partial,
            "not_certified": r.not_certified,
            "undecided": r.undecided,
            "rate": figure_json(r.rate),
            "partial_rate": figure_json(r.partial_rate),
        }
        for r in rows
    ]


def blocks_json(rows: list[queries.BlockRow]) -> list[dict[str, Any]]:
    return [
        {
            "edition": _edition(b.edition),
            "block": b.block.code,
            "validated": b.validated,
            "not_validated": b.not_validated,
            "incomplete": b.incomplete,
            "rate": figure_json(b.rate),
        }
        for b in rows
    ]


def surveys_json(rows: list[queries.SurveyRow]) -> list[dict[str, Any]]:
    return [
        {
            "indicator": s.kind,
            "edition": _edition(s.edition),
            "campus": _campus(s.campus),
            "answered": s.answered,
            "positive": s.positive,
            "rate": figure_json(s.rate),
        }
        for s in rows
    ]


def declared_json(rows: list[queries.DeclaredRow]) -> list[dict[str, Any]]:
    return [
        {
            "indicator": r.indicator,
            "period": r.period,
            "campus": _campus(r.campus),
            "figure": figure_json(r.figure),
        }
        for r in rows
    ]


def public_json(results: queries.PublicResults) -> dict[str, Any]:
    return {
        "programme": results.programme.code,
        "min_base": results.base,
        "certification": certification_json(results.certification),
        "blocks": blocks_json(results.blocks),
        "employment": surveys_json(results.employment),
        "satisfaction": surveys_json(results.satisfaction),
        "declared_history": declared_json(results.declared),
    }


class IndicatorsView(APIView):
    """Staff indicators of a programme, for the reader's campuses."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reporting_indicators",
        parameters=[
            OpenApiParameter("campus", int, description="Limit to one campus (within scope)")
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, code: str) -> Response:
        user = request.user
        assert isinstance(user, User)
        scope = queries.scope_for(user=user)
        programme = queries.programme_get(code)
        if scope is None or programme is None:
            raise Http404
        campus = request.query_params.get("campus", "")
        if campus:
            campus_id = parse_id(campus)
            if campus_id is None or not scope.allows(campus_id):
                raise Http404
            scope = queries.Scope(frozenset({campus_id}))
        d = queries.dashboard(programme=programme, scope=scope, today=clock.today())
        return Response(
            {
                "programme": programme.code,
                "min_base": d.base,
                "campuses": [c.code for c in d.campuses],
                "certification": certification_json(d.certification),
                "certification_by_campus": certification_json(d.certification_by_campus),
                "blocks": blocks_json(d.blocks),
                "admissions": [
                    {
                        "edition": _edition(r.edition),
                        "by_status": r.by_status,
                        "total": r.total,
                        "median_decision_delay_days": figure_json(r.delay),
                        "late_decisions": r.late,
                    }
                    for r in d.admissions
                ],
                "apprentices": [
                    {
                        "edition": _edition(r.edition),
                        "campus": r.campus.code,
                        "by_year": {y.code: r.by_year.get(y.position, 0) for y in d.years},
                        "total": r.total,
                        "as_of": r.as_of.isoformat(),
                    }
                    for r in d.apprentices
                ],
                "surveys": surveys_json(d.surveys),
                "surveys_by_campus": surveys_json(d.surveys_by_campus),
                "declared_history": declared_json(d.declared),
            }
        )


class PublicIndicatorsView(APIView):
    """The public figures of a programme (what the results page shows), no login."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(operation_id="reporting_public_indicators", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, code: str) -> Response:
        programme = queries.programme_get(code)
        if programme is None:
            raise Http404
        return Response(public_json(queries.public_results(programme=programme)))
