"""REST API on fees (SPEC §8), read-only and public: the fee schedules per programme, academic
year and track, and the fee quote of an enrolment (academic year, track, payer) computed by
``rules.compute_fees``. Amounts are decimal strings with two decimals, never floats."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.core.exceptions import DomainError
from capitalis.finance import queries
from capitalis.finance.models import FeeSchedule
from capitalis.finance.rules import Payer
from capitalis.programmes.models import Track


class FeeScheduleSerializer(serializers.ModelSerializer[FeeSchedule]):
    programme = serializers.CharField(source="programme.code", read_only=True)

    class Meta:
        model = FeeSchedule
        fields = (
            "programme",
            "academic_year",
            "track",
            "tuition",
            "deposit",
            "application_fee",
            "cvec",
            "third_party_pays",
            "provenance",
        )


class QuoteLineSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    payer = serializers.CharField()
    payer_label = serializers.CharField()
    billed = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)


class FeeQuoteSerializer(serializers.Serializer[Any]):
    programme_code = serializers.CharField()
    academic_year = serializers.CharField()
    track = serializers.CharField()
    payer = serializers.CharField()
    payer_label = serializers.CharField()
    lines = QuoteLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    deposit = serializers.DecimalField(max_digits=12, decimal_places=2)
    learner_remainder = serializers.DecimalField(max_digits=12, decimal_places=2)
    reasons = serializers.ListField(child=serializers.CharField())


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    code = serializers.CharField()


@extend_schema_view(
    list=extend_schema(
        summary="List fee schedules",
        description="Tuition, deposit, application fee and CVEC per academic year and track.",
        parameters=[
            OpenApiParameter("programme", OpenApiTypes.STR, description="A programme's code."),
            OpenApiParameter("academic_year", OpenApiTypes.STR, description="e.g. 2026-27."),
        ],
    ),
)
class FeeScheduleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[FeeSchedule]):
    """Fee schedules: public."""

    serializer_class = FeeScheduleSerializer
    permission_classes = (AllowAny,)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return queries.fee_schedule_list(
            programme_code=params.get("programme"), academic_year=params.get("academic_year")
        )


class FeeQuoteView(APIView):
    """The fees of an enrolment: lines, total, deposit and the learner's remainder."""

    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Compute a fee quote",
        description="For a programme's academic year, track and payer: every line (who pays, "
        "billed or only recorded), the tuition total, the deposit and what the learner still "
        "owes, with the reasons. Without ``payer``: the learner on the initial track, the "
        "employer on work-study.",
        parameters=[
            OpenApiParameter("programme", OpenApiTypes.STR, required=True),
            OpenApiParameter("academic_year", OpenApiTypes.STR, required=True),
            OpenApiParameter("track", OpenApiTypes.STR, required=True, enum=Track.values),
            OpenApiParameter("payer", OpenApiTypes.STR, enum=[p.value for p in Payer]),
        ],
        responses={200: FeeQuoteSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        try:
            quote = queries.fee_quote(
                programme_code=params.get("programme", ""),
                academic_year=params.get("academic_year", ""),
                track=params.get("track", ""),
                payer=params.get("payer") or None,
            )
        except DomainError as error:
            code = (
                status.HTTP_404_NOT_FOUND
                if error.code == "not_found"
                else status.HTTP_400_BAD_REQUEST
            )
            return Response({"detail": error.message, "code": error.code}, status=code)
        return Response(FeeQuoteSerializer(quote).data)
