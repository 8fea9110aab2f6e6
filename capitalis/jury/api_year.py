"""API: the learner's years for the ECTS (SPEC §6) — GET /api/jury/me/years/: for each of her
enrolments, the courses with their grade and ECTS, the ECTS earned, whether the year is
validated and why (reasons in the request's language). A learner only herself."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.enrolment.models import Learner
from capitalis.jury import queries

_Course = inline_serializer(
    "YearCourse",
    {
        "code": serializers.CharField(),
        "title": serializers.CharField(),
        "ects": serializers.DecimalField(max_digits=5, decimal_places=1),
        "grade": serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True),
        "resit": serializers.BooleanField(),
        "passed": serializers.BooleanField(),
        "ects_earned": serializers.DecimalField(max_digits=5, decimal_places=1),
    },
)
_Years = inline_serializer(
    "YearResults",
    {
        "enrolment": serializers.IntegerField(),
        "edition": serializers.CharField(),
        "year": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["validated", "not_validated", "incomplete"]),
        "ects_earned": serializers.DecimalField(max_digits=5, decimal_places=1),
        "ects_required": serializers.DecimalField(max_digits=5, decimal_places=1),
        "mean": serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True),
        "courses": serializers.ListField(child=_Course),
        "reasons": serializers.ListField(child=serializers.CharField()),
    },
    many=True,
)


def _decimal(value: object) -> str | None:
    return None if value is None else str(value)


class MyYearsView(APIView):
    """The learner's own years (none for a user who is not a learner)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="My years: courses, grades, ECTS earned, year validated or not",
        responses=_Years,
    )
    def get(self, request: Request) -> Response:
        learner = Learner.objects.filter(user_id=request.user.pk or 0).first()
        if learner is None:
            return Response([])
        out = []
        for year in queries.learner_year_results(learner=learner):
            out.append(
                {
                    "enrolment": year.enrolment.pk,
                    "edition": year.enrolment.edition.code,
                    "year": year.enrolment.year.code,
                    "status": year.status,
                    "ects_earned": _decimal(year.ects_earned),
                    "ects_required": _decimal(year.ects_required),
                    "mean": _decimal(None if year.mean is None else round(year.mean, 2)),
                    "courses": [
                        {
                            "code": c.course.code,
                            "title": c.course.title,
                            "ects": _decimal(c.ects),
                            "grade": _decimal(c.grade),
                            "resit": c.resit,
                            "passed": c.passed,
                            "ects_earned": _decimal(c.ects_earned),
                        }
                        for c in year.courses
                    ],
                    "reasons": year.reason_texts(),
                }
            )
        return Response(out)
