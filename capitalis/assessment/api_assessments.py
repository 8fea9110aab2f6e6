"""API writes on assessments (SPEC §5): a lecturer creates and changes the assessments of his
courses (course and/or block, modality, date, weight, session, competencies with criteria).
Input is checked by the same form as the page (``forms.AssessmentForm``), then the services;
errors answer 400 with translated messages per field; another's assessment answers 404."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts.queries import request_user
from capitalis.assessment import queries, services
from capitalis.assessment.api import AssessmentSerializer
from capitalis.assessment.forms import AssessmentForm
from capitalis.assessment.models import Assessment, Modality, Session
from capitalis.core.exceptions import DomainError

AssessmentInput = inline_serializer(
    "AssessmentInput",
    {
        "course": serializers.IntegerField(required=False, allow_null=True),
        "block": serializers.IntegerField(required=False, allow_null=True),
        "code": serializers.CharField(),
        "title_fr": serializers.CharField(),
        "title_en": serializers.CharField(required=False),
        "modality": serializers.ChoiceField(choices=Modality.choices),
        "date": serializers.DateField(),
        "weight": serializers.DecimalField(max_digits=6, decimal_places=2),
        "session": serializers.ChoiceField(choices=Session.choices),
        "competencies": serializers.ListField(child=serializers.IntegerField(), required=False),
        "criteria": serializers.ListField(child=serializers.IntegerField(), required=False),
    },
)
FormErrors = inline_serializer(
    "AssessmentFormErrors",
    {"errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()))},
)


def _data(request: Request) -> Any:
    """The request body as form data (lists kept for the multiple choices)."""
    if isinstance(request.data, QueryDict):
        return request.data
    data = QueryDict(mutable=True)
    body = request.data if isinstance(request.data, dict) else {}
    for key, value in body.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        elif value is not None:
            data[key] = str(value)
    return data


def _save(form: AssessmentForm, ok_status: int) -> Response:
    if form.is_valid():
        try:
            assessment = form.save()
        except DomainError:
            pass
        else:
            assessment = Assessment.objects.prefetch_related("competency_links__competency").get(
                pk=assessment.pk
            )
            return Response(AssessmentSerializer(assessment).data, status=ok_status)
    errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


class AssessmentCreateView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        summary="Create an assessment of one of your courses",
        request=AssessmentInput,
        responses={201: AssessmentSerializer, 400: FormErrors},
    )
    def post(self, request: Request) -> Response:
        form = AssessmentForm(_data(request), user=request_user(request))
        return _save(form, status.HTTP_201_CREATED)


class AssessmentEditView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        summary="Change an assessment of one of your courses (its course and block stay)",
        request=AssessmentInput,
        responses={200: AssessmentSerializer, 400: FormErrors, 404: None},
    )
    def put(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        assessment = queries.assessments_for(user=user).filter(pk=pk).first()
        if assessment is None or not services.can_enter_results(user, assessment):
            return Response(status=status.HTTP_404_NOT_FOUND)
        form = AssessmentForm(_data(request), user=user, instance=assessment)
        return _save(form, status.HTTP_200_OK)
