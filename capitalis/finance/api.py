"""REST API on fees (SPEC §8), read-only and public: the fee schedules per programme, academic
year and track, and the fee quote of an enrolment (academic year, track, payer) computed by
``rules.compute_fees``. Amounts are decimal strings with two decimals, never floats."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts import permissions
from capitalis.core.api import ErrorSerializer
from capitalis.finance import queries, services
from capitalis.finance.models import FeeSchedule, Instalment, Invoice, InvoiceLine, Payment
from capitalis.finance.rules import InvoiceKind, InvoiceStatus, Payer
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


@extend_schema_view(
    list=extend_schema(
        summary="List fee schedules",
        description="Tuition, deposit, application fee and CVEC per academic year and track.",
        parameters=[
            OpenApiParameter("programme", OpenApiTypes.STR, description="A programme's code."),
            OpenApiParameter("academic_year", OpenApiTypes.STR, description="e.g. 2026-27."),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=[k.value for k in InvoiceKind],
            ),
            OpenApiParameter(
                "late", OpenApiTypes.BOOL, description="true: only invoices with something late."
            ),
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
        quote = queries.fee_quote(
            programme_code=params.get("programme", ""),
            academic_year=params.get("academic_year", ""),
            track=params.get("track", ""),
            payer=params.get("payer") or None,
        )
        return Response(FeeQuoteSerializer(quote).data)


# --- Invoices and payments (issue 4 point 8), scoped ---------------------------------------------


class InvoiceLineSerializer(serializers.ModelSerializer[InvoiceLine]):
    kind = serializers.CharField(
        read_only=True, help_text="application_fee, deposit (negative when deducted), tuition."
    )

    class Meta:
        model = InvoiceLine
        fields = ("kind", "label", "amount")


class InstalmentSerializer(serializers.ModelSerializer[Instalment]):
    class Meta:
        model = Instalment
        fields = ("due_on", "amount")


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    invoice = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = Payment
        fields = ("id", "invoice", "amount", "paid_on", "method", "reference")


class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    campus = serializers.CharField(source="campus.code", read_only=True)
    kind = serializers.CharField(
        read_only=True, help_text="application_fee, deposit, tuition, credit_note."
    )
    status = serializers.CharField(read_only=True, help_text="draft, issued, paid, cancelled.")
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    credited = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="The invoice's credit notes (negative; 0.00 when none).",
    )
    paid = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    owed = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, help_text="total + credited - paid."
    )
    fallen_due = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="What has fallen due by today (instalments due today or before).",
    )
    late = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="What has fallen due and is not paid (0.00 for credit notes and cancelled).",
    )

    class Meta:
        model = Invoice
        fields = (
            "id",
            "number",
            "kind",
            "status",
            "academic_year",
            "campus",
            "payer_kind",
            "payer_name",
            "issued_on",
            "application",
            "enrolment",
            "credits",
            "total",
            "credited",
            "paid",
            "owed",
            "fallen_due",
            "late",
            "cancel_reason",
        )


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    instalments = InstalmentSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = (*InvoiceSerializer.Meta.fields, "lines", "instalments", "payments")  # type: ignore[assignment]


class PaymentCreateSerializer(serializers.Serializer[Any]):
    invoice = serializers.IntegerField(help_text="The invoice's id.")
    amount = serializers.CharField(
        max_length=20, help_text="Euros as a string, two decimals at most: '80.00'."
    )
    paid_on = serializers.DateField()
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    confirm_overpayment = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    list=extend_schema(
        summary="List invoices",
        description="The invoices the user may read, with total, paid and owed: finance staff "
        "every invoice (global) or their campus's; a candidate or learner hers; anyone else "
        "none.",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=[s.value for s in InvoiceStatus]),
            OpenApiParameter("payer_kind", OpenApiTypes.STR, enum=[p.value for p in Payer]),
            OpenApiParameter("academic_year", OpenApiTypes.STR, description="e.g. 2026-27."),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=[k.value for k in InvoiceKind],
            ),
            OpenApiParameter(
                "late", OpenApiTypes.BOOL, description="true: only invoices with something late."
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="An invoice",
        description="Lines, instalments and payments; 404 when the user may not read it.",
    ),
)
class InvoiceViewSet(viewsets.ReadOnlyModelViewSet[Invoice]):
    permission_classes = (IsAuthenticated,)

    def get_serializer_class(self) -> Any:
        return InvoiceDetailSerializer if self.action == "retrieve" else InvoiceSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = queries.invoice_list_for(
            user=self.request.user,
            status=params.get("status") or None,
            payer_kind=params.get("payer_kind") or None,
            academic_year=params.get("academic_year") or None,
            kind=params.get("kind") or None,
            late_only=params.get("late") in ("1", "true", "True"),
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related("lines", "instalments", "payments")
        return qs


@extend_schema_view(
    list=extend_schema(
        summary="List payments",
        description="The payments on the invoices the user may read.",
    ),
)
class PaymentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Payment]):
    permission_classes = (IsAuthenticated,)
    serializer_class = PaymentSerializer

    def get_queryset(self) -> Any:
        return queries.payment_list_for(user=self.request.user)

    @extend_schema(
        summary="Record a payment",
        description="Finance staff of the invoice's campus. The amount is above zero, has two "
        "decimals at most and is not above what is still owed unless confirm_overpayment.",
        request=PaymentCreateSerializer,
        responses={201: PaymentSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def create(self, request: Request) -> Response:
        data = PaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            invoice = queries.invoice_list_for(user=request.user).get(pk=values["invoice"])
        except Invoice.DoesNotExist:
            invoice = None
        if invoice is None or not permissions.can(request.user, "manage", "invoice", invoice).ok:
            return Response(
                {"detail": _("No such invoice."), "code": "not_found"},
                status=status.HTTP_404_NOT_FOUND,
            )
        payment = services.payment_record(
            invoice=invoice,
            amount=values["amount"],
            paid_on=values["paid_on"],
            method=values["method"],
            reference=values.get("reference", ""),
            confirm_overpayment=values["confirm_overpayment"],
            actor=request.user,
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)
