"""API of the block validations obtained before Capitalis (issue 13 point 2), under
/api/jury/prior-validations/: list (filtered by learner and block) and record one; import many
from a CSV or XLSX file (``dry_run`` to check only; all or nothing). Only a programme director
may: anyone else gets 403. The checks and writes are the services'."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts.models import User
from capitalis.core.api import ErrorSerializer
from capitalis.core.exceptions import DomainError
from capitalis.core.imports import size_refusal
from capitalis.core.parsers import SafeJSONParser
from capitalis.jury import imports, queries, services
from capitalis.jury.models import BlockValidation, Route
from capitalis.referential.models import Block

MAX_DOCUMENT = 10 * 1024 * 1024


class PriorValidationSerializer(serializers.ModelSerializer[BlockValidation]):
    learner_email = serializers.CharField(source="learner.user.email", read_only=True)
    certification = serializers.CharField(source="version.certification.code", read_only=True)
    version_code = serializers.CharField(source="version.code", read_only=True)
    block_code = serializers.CharField(source="block.code", read_only=True)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = BlockValidation
        fields = (
            "id",
            "learner",
            "learner_email",
            "block",
            "block_code",
            "certification",
            "version",
            "version_code",
            "validated_on",
            "route",
            "source_reference",
            "has_document",
            "recorded_by",
        )
        read_only_fields = fields

    def get_has_document(self, obj: BlockValidation) -> bool:
        return bool(obj.source_document)


class PriorValidationWriteSerializer(serializers.Serializer[Any]):
    learner = serializers.CharField(
        max_length=254, help_text="The learner's e-mail address or INE."
    )
    block = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="A block id.")
    validated_on = serializers.DateField()
    route = serializers.ChoiceField(choices=Route.choices)
    source_reference = serializers.CharField(
        max_length=300,
        required=False,
        default="",
        allow_blank=True,
        help_text="The minutes or decision it comes from (required without a document).",
    )
    document = serializers.FileField(
        required=False, help_text="The source document (PDF, JPEG or PNG, at most 10 MB)."
    )


class PriorImportRequestSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="CSV or XLSX with the columns learner, certification, version, block, date, "
        "route, source."
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Check and count only: nothing is written."
    )


class PriorImportRowErrorSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(help_text="Line in the file (1 = the header).")
    codes = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField(help_text="The reasons, in the request's language.")


class PriorImportReportSerializer(serializers.Serializer[Any]):
    rows = serializers.IntegerField()
    valid = serializers.IntegerField()
    created = serializers.IntegerField()
    imported = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    errors = PriorImportRowErrorSerializer(many=True)  # type: ignore[assignment]  # popped by the metaclass


class PriorImportRefusedSerializer(PriorImportReportSerializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class PriorRefusedSerializer(ErrorSerializer):
    field_errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="The reasons by field (learner, block, validated_on, route, source_reference).",
    )


def _manager(request: Request) -> User | None:
    user = request.user
    if isinstance(user, User) and queries.can_manage_prior(user):
        return user
    return None


def _forbidden() -> Response:
    return Response(
        {
            "detail": _("Only a programme director may record block validations obtained before."),
            "code": "not_authorised",
        },
        status=status.HTTP_403_FORBIDDEN,
    )


def _invalid(errors: Any) -> Response:
    detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in dict(errors).items())
    return Response({"detail": detail, "code": "invalid"}, status=400)


@extend_schema_view(
    get=extend_schema(
        operation_id="jury_prior_validations_list",
        summary="Block validations recorded before Capitalis",
        parameters=[
            OpenApiParameter("learner", str, description="Name, e-mail or INE (contains)."),
            OpenApiParameter("block", str, description="Block code (contains)."),
        ],
        responses={200: PriorValidationSerializer(many=True), 403: ErrorSerializer},
        tags=["jury"],
    ),
    post=extend_schema(
        operation_id="jury_prior_validations_create",
        summary="Record a block validation obtained before Capitalis",
        description=(
            "201: recorded (capitalised; the next deliberation counts it). 400: refused, with "
            "every reason (`field_errors` by field; nothing saved): unknown learner or block, "
            "learner not following the block's certification, date in the future or before the "
            "version, unknown route, no source, block already validated. 403: not a programme "
            "director."
        ),
        request={
            "application/json": PriorValidationWriteSerializer,
            "multipart/form-data": PriorValidationWriteSerializer,
        },
        responses={
            201: PriorValidationSerializer,
            400: PriorRefusedSerializer,
            403: ErrorSerializer,
        },
        tags=["jury"],
    ),
)
class PriorValidationListView(generics.ListCreateAPIView[BlockValidation]):
    """The prior validations (GET) and recording one (POST)."""

    permission_classes = (IsAuthenticated,)
    parser_classes = (SafeJSONParser, MultiPartParser, FormParser)
    serializer_class = PriorValidationSerializer
    queryset = BlockValidation.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> Any:
        user = self.request.user
        if not isinstance(user, User):
            return BlockValidation.objects.none()
        return queries.prior_validation_list_for(
            user=user,
            learner=str(self.request.query_params.get("learner", "")),
            block=str(self.request.query_params.get("block", "")),
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if _manager(request) is None:
            return _forbidden()
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _manager(request)
        if user is None:
            return _forbidden()
        form = PriorValidationWriteSerializer(data=request.data)
        if not form.is_valid():
            return _invalid(form.errors)
        data = form.validated_data
        upload = data.get("document")
        if upload is not None and upload.size is not None and upload.size > MAX_DOCUMENT:
            return Response(
                {"detail": _("The document is larger than 10 MB."), "code": "too_large"},
                status=400,
            )
        try:
            validation = services.prior_validation_record(
                learner=data["learner"],
                block=Block.objects.filter(pk=data["block"]).first(),
                validated_on=data["validated_on"],
                route=data["route"],
                source_reference=data["source_reference"],
                document=upload.read() if upload is not None else None,
                document_name=(upload.name or "document")[:200] if upload is not None else "",
                actor=user,
            )
        except imports.PriorRefused as error:
            return Response(
                {"detail": error.message, "code": error.code, "field_errors": error.fields},
                status=400,
            )
        fresh = queries.prior_validation_list_for(user=user).get(pk=validation.pk)
        return Response(PriorValidationSerializer(fresh).data, status=status.HTTP_201_CREATED)


class PriorValidationImportView(APIView):
    """Import prior validations from a file, all or nothing."""

    permission_classes = (IsAuthenticated,)
    parser_classes = (MultiPartParser, FormParser)

    @extend_schema(
        operation_id="jury_prior_validations_import",
        summary="Import block validations obtained before Capitalis (CSV or XLSX)",
        description=(
            "Every row is checked before anything is written. 200: every row is valid; the "
            "validations were recorded (`dry_run`: would be). 400: rows are refused (each with "
            "its line and reasons; nothing written) or the file cannot be read (`detail`). "
            "403: not a programme director."
        ),
        request={"multipart/form-data": PriorImportRequestSerializer},
        responses={
            200: PriorImportReportSerializer,
            400: PriorImportRefusedSerializer,
            403: ErrorSerializer,
        },
        tags=["jury"],
    )
    def post(self, request: Request) -> Response:
        user = _manager(request)
        if user is None:
            return _forbidden()
        empty = imports.ImportReport().as_dict()
        form = PriorImportRequestSerializer(data=request.data)
        if not form.is_valid():
            detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
            return Response({**empty, "detail": detail, "code": "invalid"}, status=400)
        upload = form.validated_data["file"]
        too_large = size_refusal(upload.size, imports.MAX_BYTES)
        if too_large:
            return Response({**empty, "detail": too_large, "code": "file"}, status=400)
        try:
            report = services.prior_validations_import(
                content=upload.read(),
                filename=(upload.name or "prior.csv")[:200],
                actor=user,
                dry_run=form.validated_data["dry_run"],
            )
        except DomainError as error:
            return Response({**empty, "detail": error.message, "code": error.code}, status=400)
        if report.errors:
            return Response(
                {
                    **report.as_dict(),
                    "detail": _("Some rows were refused: nothing was saved."),
                    "code": "rows_refused",
                },
                status=400,
            )
        return Response(report.as_dict())
