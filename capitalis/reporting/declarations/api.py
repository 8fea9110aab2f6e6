"""REST API of the holders' declaration (SPEC §9), under /api/reporting/declarations/: list the
awards (status, due date, late), generate a declaration file for a period, import a processing
report, send a rejected award again, list and download the files. Only a programme director (or
a superuser): anyone else gets 404. A service's DomainError is answered by capitalis.core.handlers
(a 400 with its translated message and code)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.core import clock
from capitalis.core.api import ErrorSerializer, NotFoundSerializer
from capitalis.core.parsers import SafeJSONParser
from capitalis.referential.models import Certification
from capitalis.reporting.declarations import queries, services
from capitalis.reporting.models import DeclarationFlux


def _declarant(request: Request) -> User:
    user = request.user
    if not isinstance(user, User) or not permissions.can(user, "manage", "award_declaration").ok:
        raise NotFound()
    return user


def _certification(code: str) -> Certification:
    certification = Certification.objects.filter(code=code).first()
    if certification is None:
        raise NotFound()
    return certification


class AwardSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(allow_null=True, help_text="Award declaration id (null: none)")
    decision = serializers.IntegerField()
    learner = serializers.CharField()
    learner_id = serializers.IntegerField()
    id_technique = serializers.CharField(allow_blank=True)
    awarded_on = serializers.DateField()
    due_on = serializers.DateField()
    late = serializers.BooleanField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    error_message = serializers.CharField(allow_blank=True)
    file = serializers.CharField(allow_blank=True)


class FluxSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    flux_id = serializers.CharField()
    certification = serializers.CharField()
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    generated_at = serializers.DateTimeField()
    status = serializers.CharField()
    report_imported_at = serializers.DateTimeField(allow_null=True)
    download = serializers.CharField()


class ExportRequestSerializer(serializers.Serializer[Any]):
    certification = serializers.CharField(help_text="Certification code, e.g. RNCP39853.")
    date_from = serializers.DateField(help_text="First day of the period (decision dates).")
    date_to = serializers.DateField(help_text="Last day of the period, inclusive.")


class ExportResultSerializer(FluxSerializer):
    declared = serializers.IntegerField()


class ReportRequestSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="The register's processing report (XML).")


class ReportResultSerializer(serializers.Serializer[Any]):
    file = serializers.CharField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()


def _flux_data(flux: DeclarationFlux, request: Request) -> dict[str, Any]:
    return {
        "id": flux.pk,
        "flux_id": flux.flux_id or "",
        "certification": flux.certification.code,
        "filename": flux.filename,
        "sha256": flux.sha256,
        "period_from": flux.period_from,
        "period_to": flux.period_to,
        "generated_at": flux.generated_at,
        "status": flux.status,
        "report_imported_at": flux.report_imported_at,
        "download": request.build_absolute_uri(
            reverse("reporting-api:declaration-file", args=[flux.pk])
        ),
    }


class AwardListView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="reporting_declarations_list",
        summary="Certified holders of a certification and their declaration status",
        parameters=[
            OpenApiParameter("certification", str, required=True, description="e.g. RNCP39853")
        ],
        responses={200: AwardSerializer(many=True), 404: NotFoundSerializer},
        tags=["reporting"],
    )
    def get(self, request: Request) -> Response:
        _declarant(request)
        certification = _certification(request.query_params.get("certification", ""))
        rows = queries.award_rows(certification=certification, today=clock.today())
        data = [
            {
                "id": r.award.pk if r.award else None,
                "decision": r.decision.pk,
                "learner": str(r.decision.enrolment.learner),
                "learner_id": r.decision.enrolment.learner_id,
                "id_technique": r.award.id_technique if r.award else "",
                "awarded_on": r.awarded_on,
                "due_on": r.due_on,
                "late": r.late,
                "status": r.status,
                "attempts": r.award.attempts if r.award else 0,
                "error_message": r.award.error_message if r.award else "",
                "file": r.award.flux.filename if r.award and r.award.flux else "",
            }
            for r in rows
        ]
        return Response(AwardSerializer(data, many=True).data)


class ExportView(APIView):
    permission_classes = (IsAuthenticated,)
    parser_classes = (SafeJSONParser, FormParser, MultiPartParser)

    @extend_schema(
        operation_id="reporting_declarations_export",
        summary="Generate the declaration file of a period",
        description=(
            "Builds the accrochage XML flux of every certified holder decided in the period who "
            "is waiting to be declared, checks it against the official XSD and stores it. 400: "
            "nothing to declare, an incomplete identity (the message names the learner and the "
            "field) or a flux the schema refuses; nothing is written."
        ),
        request=ExportRequestSerializer,
        responses={
            201: ExportResultSerializer,
            400: ErrorSerializer,
            404: NotFoundSerializer,
        },
        tags=["reporting"],
    )
    def post(self, request: Request) -> Response:
        user = _declarant(request)
        form = ExportRequestSerializer(data=request.data)
        if not form.is_valid():
            return Response(
                {"detail": str(form.errors), "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST
            )
        certification = _certification(form.validated_data["certification"])
        result = services.declaration_export(
            certification=certification,
            date_from=form.validated_data["date_from"],
            date_to=form.validated_data["date_to"],
            actor=user,
        )
        return Response(
            {**_flux_data(result.flux, request), "declared": result.declared},
            status=status.HTTP_201_CREATED,
        )


class ReportImportView(APIView):
    permission_classes = (IsAuthenticated,)
    parser_classes = (MultiPartParser, FormParser)

    @extend_schema(
        operation_id="reporting_declarations_report_import",
        summary="Import the register's processing report of a declaration file",
        description=(
            "Accepted passages become accepted, rejected ones rejected with the register's "
            "message. 400: not a processing report, or one that does not match a file we sent "
            "(unknown flux or idTechnique, already imported); nothing is changed."
        ),
        request={"multipart/form-data": ReportRequestSerializer},
        responses={
            200: ReportResultSerializer,
            400: ErrorSerializer,
            404: NotFoundSerializer,
        },
        tags=["reporting"],
    )
    def post(self, request: Request) -> Response:
        user = _declarant(request)
        form = ReportRequestSerializer(data=request.data)
        if not form.is_valid():
            return Response(
                {"detail": str(form.errors), "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST
            )
        upload = form.validated_data["file"]
        result = services.declaration_report_import(
            content=upload.read(), filename=upload.name or "report.xml", actor=user
        )
        return Response(
            {"file": result.flux.filename, "accepted": result.accepted, "rejected": result.rejected}
        )


class ResendView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="reporting_declarations_resend",
        summary="Send a rejected award again (after correcting the learner's identity)",
        request=None,
        responses={
            200: AwardSerializer,
            400: ErrorSerializer,
            404: NotFoundSerializer,
        },
        tags=["reporting"],
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _declarant(request)
        award = queries.award_get(pk=pk)
        if award is None:
            raise NotFound()
        award = services.award_declaration_resend(award=award, actor=user)
        return Response(
            {
                "id": award.pk,
                "decision": award.decision_id,
                "learner": str(award.decision.enrolment.learner),
                "learner_id": award.decision.enrolment.learner_id,
                "id_technique": award.id_technique,
                "awarded_on": award.awarded_on,
                "due_on": award.due_on,
                "late": clock.today() > award.due_on,
                "status": award.status,
                "attempts": award.attempts,
                "error_message": award.error_message,
                "file": "",
            }
        )


class FluxListView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="reporting_declarations_files",
        summary="Declaration files generated",
        responses={200: FluxSerializer(many=True), 404: NotFoundSerializer},
        tags=["reporting"],
    )
    def get(self, request: Request) -> Response:
        _declarant(request)
        return Response([_flux_data(f, request) for f in queries.flux_list()])


class FluxDownloadView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="reporting_declarations_file_download",
        summary="Download a declaration file (XML)",
        responses={(200, "application/xml"): bytes, 404: NotFoundSerializer},
        tags=["reporting"],
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        _declarant(request)
        flux = DeclarationFlux.objects.filter(pk=pk).first()
        if flux is None or not flux.file:
            raise NotFound()
        with flux.file.open("rb") as handle:
            content = handle.read()
        response = HttpResponse(content, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{flux.filename}"'
        return response
