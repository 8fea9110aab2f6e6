"""API for the results import (SPEC §5, issue 5 point 3):
POST /api/assessment/assessments/{id}/import/ with a multipart ``file`` (CSV or XLSX) and the
flags ``valid_only`` and ``dry_run``. 200 with the report when the file is accepted (every row
valid, or the valid rows only asked for), 400 with the same report and its per-row errors when
rows are refused (or with ``detail`` when the file cannot be read), 404 for whoever may not
enter the assessment's results. The work is ``imports.results_import``'s."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.assessment import queries, services
from capitalis.assessment.imports import MAX_BYTES, ImportReport, results_import
from capitalis.assessment.models import Assessment
from capitalis.core.api import NotFoundSerializer
from capitalis.core.api_jobs import JobSerializer, job_accepted
from capitalis.core.exceptions import DomainError
from capitalis.core.imports import size_refusal, upload_forget, upload_keep
from capitalis.core.spreadsheets import check_spreadsheet


class ImportRequestSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="The results file, CSV or XLSX (the template's columns)."
    )
    valid_only = serializers.BooleanField(
        default=False, help_text="Import the valid rows and leave the refused ones out."
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Check and count only: nothing is written."
    )


class ImportRowErrorSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(help_text="Line in the file (1 = the header).")
    code = serializers.CharField()
    value = serializers.CharField(allow_blank=True)
    message = serializers.CharField(help_text="The reason, in the request's language.")


class ImportReportSerializer(serializers.Serializer[Any]):
    rows = serializers.IntegerField()
    valid = serializers.IntegerField()
    skipped = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    imported = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    errors = ImportRowErrorSerializer(many=True)  # type: ignore[assignment]  # a field, popped by the metaclass


class ImportRefusedSerializer(ImportReportSerializer):
    detail = serializers.CharField()
    code = serializers.CharField()


def _refused(report: ImportReport, detail: str, code: str) -> Response:
    return Response({**report.as_dict(), "detail": detail, "code": code}, status=400)


class ResultsImportView(APIView):
    permission_classes = (IsAuthenticated,)
    parser_classes = (MultiPartParser, FormParser)

    @extend_schema(
        operation_id="assessment_results_import",
        summary="Import an assessment's results from a CSV or XLSX file",
        description=(
            "With `dry_run`: every row is checked, nothing is written; 200 with the report "
            "(what would be created, changed or left unchanged), 400 when rows are refused "
            "(each with its line and reason) or the file cannot be read. Without it: the "
            "import runs as a background job; 202 with the job (`Location`: its address under "
            "/api/jobs/): poll it until `status` is `done` (`result`: the report, `result_url`: "
            "the results page) or `failed` (`message`: why, nothing written; rows refused "
            "without `valid_only` fail the job). 400: no file, a file over 50 MB or past the "
            "spreadsheet limits (checked before the job starts). 404: no "
            "such assessment, or you may not enter its results."
        ),
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: ImportReportSerializer,
            202: JobSerializer,
            400: ImportRefusedSerializer,
            404: NotFoundSerializer,
        },
        tags=["assessment"],
    )
    def post(self, request: Request, pk: int) -> Response:
        user: Any = request.user
        try:
            assessment = queries.assessments_for(user=user).get(pk=pk)
        except Assessment.DoesNotExist:
            raise NotFound() from None
        if not services.can_enter_results(user, assessment):
            raise NotFound()
        form = ImportRequestSerializer(data=request.data)
        if not form.is_valid():
            detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
            return _refused(ImportReport(), detail, "invalid")
        upload = form.validated_data["file"]
        too_large = size_refusal(upload.size, MAX_BYTES)
        if too_large:
            return _refused(ImportReport(), too_large, "file")
        content = upload.read()
        filename = (upload.name or "results.csv")[:200]
        if not form.validated_data["dry_run"]:
            try:  # a hostile or oversized file is refused at once, not by the job
                check_spreadsheet(content, filename)
            except DomainError as error:
                return _refused(ImportReport(), error.message, error.code or "file")
            token = upload_keep(content)
            try:
                job = services.results_import_start(
                    assessment=assessment,
                    token=token,
                    filename=filename,
                    valid_only=form.validated_data["valid_only"],
                    actor=user,
                )
            except DomainError as error:
                upload_forget(token)
                return _refused(ImportReport(), error.message, error.code or "refused")
            return job_accepted(job)
        try:
            report = results_import(
                assessment=assessment,
                content=content,
                filename=filename,
                actor=user,
                valid_only=form.validated_data["valid_only"],
                dry_run=True,
            )
        except DomainError as error:
            return _refused(ImportReport(), error.message, error.code or "file")
        if report.errors and not form.validated_data["valid_only"]:
            return _refused(report, _("Some rows were refused: nothing was saved."), "rows_refused")
        return Response(report.as_dict())
