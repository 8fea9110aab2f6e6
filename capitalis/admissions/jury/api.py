"""REST API on interviews, admission jury decisions and the admissions dashboard (SPEC §3;
issue 4 points 4, 5, 9, 10). Scoped like the pages: a forbidden object is a 404; the adapted
arrangements are ``null`` for anyone but the admission jury and the campus disability referent.

Routes (under /api/admissions/):
    interviews/<id>/               one interview (scores, comment, arrangements when allowed)
    juries/<id>/decisions/         POST a batch of decisions (each row with its version)
    dashboard/                     the admissions funnel per campus, median delay, late files
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts.queries import request_user
from capitalis.admissions.jury import queries, services
from capitalis.admissions.rules import decision_deadline
from capitalis.core import clock
from capitalis.core.api import NotFoundSerializer


class CriterionScoreSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="In the request's language."
    )
    max_score = serializers.IntegerField()
    score = serializers.IntegerField(allow_null=True)


class InterviewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    application = serializers.IntegerField()
    status = serializers.CharField(help_text="The application's status.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField()
    interviewers = serializers.ListField(child=serializers.EmailField())
    grid = CriterionScoreSerializer(many=True)
    comment = serializers.CharField(allow_blank=True)
    interviewed_at = serializers.DateTimeField(allow_null=True)
    accommodation_requested = serializers.BooleanField()
    adapted_arrangements = serializers.CharField(
        allow_null=True,
        help_text="Null unless the user is on the admission jury of the application or is the "
        "campus disability referent.",
    )


def interview_body(view: queries.InterviewView) -> dict[str, Any]:
    """An interview as ``InterviewSerializer`` shows it to the user ``view`` was made for."""
    interview = view.interview
    slot = interview.slot
    data = {
        "id": interview.pk,
        "application": interview.application_id,
        "status": interview.application.status,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "location": slot.location,
        "interviewers": [u.email for u in slot.interviewers.all()],
        "grid": [
            {
                "code": c.code,
                "label": c.label,
                "max_score": c.max_score,
                "score": interview.scores.get(c.code),
            }
            for c in view.criteria
        ],
        "comment": interview.comment,
        "interviewed_at": interview.interviewed_at,
        "accommodation_requested": interview.application.accommodation_requested,
        "adapted_arrangements": view.arrangements,
    }
    return dict(InterviewSerializer(data).data)


class InterviewDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=InterviewSerializer, operation_id="admissions_interview_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        view = queries.interview_get_for(user=request_user(request), pk=pk)
        if view is None:
            raise NotFound()
        return Response(interview_body(view))


class DecisionRowSerializer(serializers.Serializer[Any]):
    application = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=["admitted", "waitlisted", "refused"])
    version = serializers.IntegerField(help_text="The version of the application you saw.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionBatchSerializer(serializers.Serializer[Any]):
    decisions = DecisionRowSerializer(many=True)


class DecisionResultSerializer(serializers.Serializer[Any]):
    application = serializers.IntegerField()
    ok = serializers.BooleanField()
    status = serializers.CharField(allow_blank=True)
    message = serializers.CharField(help_text="In the request's language.")


class DecisionBatchResultSerializer(serializers.Serializer[Any]):
    results = DecisionResultSerializer(many=True)


class JuryDecisionsApi(APIView):
    """Decide files presented to a jury in batch: each row is saved in its own transaction;
    a row whose version is stale (someone else decided meanwhile) fails alone, with its reason.
    Answers 200 when every row was saved, 409 when some were not (the others are saved)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=DecisionBatchSerializer,
        responses={200: DecisionBatchResultSerializer, 409: DecisionBatchResultSerializer},
        operation_id="admissions_jury_decisions_create",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        jury = queries.admission_jury_get_for(user=user, pk=pk)
        if jury is None:
            raise NotFound()
        batch = DecisionBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        rows = [
            services.DecisionRow(
                application_id=row["application"],
                decision=row["decision"],
                version=row["version"],
                note=row.get("note", ""),
            )
            for row in batch.validated_data["decisions"]
        ]
        results = services.applications_decide_batch(jury=jury, rows=rows, actor=user)
        body = DecisionBatchResultSerializer(
            {
                "results": [
                    {
                        "application": r.application_id,
                        "ok": r.ok,
                        "status": r.status,
                        "message": r.message,
                    }
                    for r in results
                ]
            }
        ).data
        code = status.HTTP_200_OK if all(r.ok for r in results) else status.HTTP_409_CONFLICT
        return Response(body, status=code)


class CampusFunnelSerializer(serializers.Serializer[Any]):
    campus = serializers.CharField(source="code")
    name = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Per status.")
    total = serializers.IntegerField()
    decided = serializers.IntegerField()
    median_decision_delay_days = serializers.FloatField(source="median_delay_days", allow_null=True)
    late = serializers.IntegerField()


class LateFileSerializer(serializers.Serializer[Any]):
    application = serializers.IntegerField(source="pk")
    campus = serializers.CharField(source="campus.code")
    presented_on = serializers.DateField()
    deadline = serializers.SerializerMethodField()

    def get_deadline(self, application: Any) -> str:
        return decision_deadline(application.presented_on).isoformat()


class DashboardSerializer(serializers.Serializer[Any]):
    today = serializers.DateField()
    deadline_weeks = serializers.IntegerField()
    statuses = serializers.ListField(child=serializers.CharField())
    totals = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()
    median_decision_delay_days = serializers.FloatField(source="median_delay_days", allow_null=True)
    campuses = CampusFunnelSerializer(many=True)
    late_files = LateFileSerializer(many=True)


class DashboardApi(APIView):
    """The admissions funnel of the campuses the user's admissions grants cover."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: DashboardSerializer, 404: NotFoundSerializer},
        operation_id="admissions_dashboard_retrieve",
    )
    def get(self, request: Request) -> Response:
        dashboard = queries.admissions_dashboard(user=request_user(request), today=clock.today())
        if dashboard is None:
            raise NotFound()
        return Response(DashboardSerializer(dashboard).data)
