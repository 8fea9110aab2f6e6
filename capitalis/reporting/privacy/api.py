"""REST API on personal data (SPEC §10), under /api/reporting/privacy/: a programme director
exports a person's data by e-mail address; anyone signed in exports her own. The answer is the
zip (data.json + documents)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.accounts.queries import request_user
from capitalis.reporting.privacy import services
from capitalis.reporting.privacy.views import zip_response

ZIP = {(200, "application/zip"): OpenApiTypes.BINARY}


class PersonalDataExportRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()


class PersonalDataExportView(APIView):
    """Export one person's data (programme director)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PersonalDataExportRequestSerializer,
        responses={**ZIP, 404: OpenApiResponse(description="no such person, or not allowed")},
    )
    def post(self, request: Request) -> Any:
        actor = request_user(request)
        if not permissions.can(actor, "manage", "personal_data_request").ok:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        data = PersonalDataExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subject = User.objects.filter(email__iexact=data.validated_data["email"]).first()
        if subject is None:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        return zip_response(services.personal_data_export(subject=subject, actor=actor))


class MyPersonalDataView(APIView):
    """Export the signed-in person's own data."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ZIP)
    def post(self, request: Request) -> Any:
        user = request_user(request)
        return zip_response(services.personal_data_export(subject=user, actor=user))
