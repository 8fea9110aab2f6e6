"""API: a group's result (SPEC §5), ``POST /api/assessment/groups/<id>/results/``: a grade (or
an absence) for the whole assessment and/or a level per competency, with a comment, reaching
every member of the group. The course's lecturer or a programme director; a group the user may
not see is a 404; a bad value is a 400 with its translated reason, a lecturer of another course
a 403; nothing is written then."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts.models import User
from capitalis.assessment import queries, services
from capitalis.assessment.api import ResultSerializer
from capitalis.assessment.models import Absence
from capitalis.core.api import ErrorSerializer, NotFoundSerializer
from capitalis.core.exceptions import DomainError


class GroupResultRequest(serializers.Serializer[Any]):
    grade = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="On 20, e.g. 14.5."
    )
    absence = serializers.CharField(
        required=False, allow_blank=True, help_text="none, justified or unjustified."
    )
    levels = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="Competency id → level (not_acquired, in_progress, acquired, mastered).",
    )
    comment = serializers.CharField(required=False, allow_blank=True)


class GroupResultAnswer(serializers.Serializer[Any]):
    group = serializers.IntegerField()
    members = serializers.IntegerField(help_text="How many learners received the result.")
    results = ResultSerializer(many=True)


class GroupResultsView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        summary="Enter a result for an assessment group (every member receives it)",
        request=GroupResultRequest,
        responses={
            200: GroupResultAnswer,
            400: OpenApiResponse(ErrorSerializer, description="A bad value; nothing written."),
            403: OpenApiResponse(
                ErrorSerializer, description="Not the course's lecturer or a programme director."
            ),
            404: OpenApiResponse(NotFoundSerializer, description="Unknown or not visible."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request.user
        assert isinstance(user, User)
        group = queries.groups_for(user=user).filter(pk=pk).first()
        if group is None:
            raise NotFound()
        given = GroupResultRequest(data=request.data if isinstance(request.data, dict) else {})
        if not given.is_valid():
            name, problems = next(iter(given.errors.items()))
            return Response(
                {"detail": f"{name}: {problems[0]}", "code": "invalid"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        data = given.validated_data
        levels: dict[int, str] = {}
        for key, value in (data.get("levels") or {}).items():
            try:
                levels[int(key)] = value
            except ValueError:
                raise DomainError(
                    _("Competency %(code)s is not evaluated by this assessment.") % {"code": key},
                    code="competency",
                ) from None
        results = services.group_results_enter(
            group=group,
            grade=data.get("grade") or None,
            absence=data.get("absence") or Absence.NONE,
            levels=levels,
            comment=data.get("comment", ""),
            actor=user,
        )
        return Response(
            {
                "group": group.pk,
                "members": group.members.count(),
                "results": ResultSerializer(results, many=True).data,
            }
        )
