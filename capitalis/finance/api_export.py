"""API on the accounting export, under /api/finance/export/ (issue 13 point 10): the journal is
prepared as a background job; its CSV is downloaded from the job (``/api/jobs/{id}/file/``) by
the person who asked for it only."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.core.api import ErrorSerializer
from capitalis.core.api_jobs import JobSerializer, job_accepted
from capitalis.finance import services


class AccountingExportRequestSerializer(serializers.Serializer[Any]):
    date_from = serializers.DateField(
        required=False, allow_null=True, help_text="First day of the period (open if left out)."
    )
    date_to = serializers.DateField(
        required=False, allow_null=True, help_text="Last day of the period (open if left out)."
    )


class ExportJobView(APIView):
    """Prepare the accounting journal as a CSV in a background job."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="finance_export_start",
        summary="Prepare the accounting journal (CSV) in the background",
        description=(
            "202 with the job (`Location`: its address under /api/jobs/): poll it until "
            "`status` is `done`, then download the CSV from `/api/jobs/{id}/file/` (only you "
            "can). Asked again while it is being prepared, the same job answers. 400: bad "
            "dates. 403: not finance staff."
        ),
        request=AccountingExportRequestSerializer,
        responses={202: JobSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        tags=["finance"],
    )
    def post(self, request: Request) -> Response:
        form = AccountingExportRequestSerializer(data=request.data)
        if not form.is_valid():
            detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
            return Response({"detail": detail, "code": "invalid"}, status=400)
        job = services.export_start(
            actor=request.user,
            date_from=form.validated_data.get("date_from"),
            date_to=form.validated_data.get("date_to"),
        )
        return job_accepted(job)
