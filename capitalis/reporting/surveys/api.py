"""REST API on surveys (issue 7 points 2, 6), under /api/reporting/surveys/: staff list (scoped
like the pages), a programme director creates a survey and sends invitations and reminders;
response rates; anyone with a personal link answers (POST, no account). A DomainError is answered
by capitalis.core.handlers: its translated message and code, with the status of its code (404
unknown link, 409 already answered or closed, 403 not a programme director)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts import permissions
from capitalis.accounts.queries import request_user
from capitalis.core.api import ErrorSerializer, NotFoundSerializer
from capitalis.programmes.models import Edition
from capitalis.reporting.models import Survey, SurveyKind
from capitalis.reporting.surveys import queries, services

# What a manager's write may answer besides its result: refused (400, with the DomainError's
# code), not allowed to manage surveys (403 on create, 404 on a survey she cannot see).
_REFUSED: dict[int, Any] = {400: ErrorSerializer, 403: ErrorSerializer, 404: NotFoundSerializer}


class AnswerErrorSerializer(ErrorSerializer):
    """A refused answer: why, its code and, for invalid answers, what was wrong per question."""

    # ``errors`` is added here: declared as a class attribute it would hide Serializer.errors.
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["errors"] = serializers.DictField(
            child=serializers.CharField(),
            required=False,
            help_text="question code → why its answer was refused, in the request's language.",
        )
        return fields


class RatesSerializer(serializers.Serializer[Any]):
    invited = serializers.IntegerField()
    sent = serializers.IntegerField()
    reminded = serializers.IntegerField()
    answered = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


def _rates(rates: queries.Rates) -> dict[str, Any]:
    return {
        "invited": rates.invited,
        "sent": rates.sent,
        "reminded": rates.reminded,
        "answered": rates.answered,
        "rate": None if rates.rate is None else round(rates.rate, 4),
    }


class SurveySerializer(serializers.ModelSerializer[Survey]):
    programme = serializers.CharField(source="programme.code", read_only=True)
    edition = serializers.CharField(source="edition.code", read_only=True)
    questions = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = Survey
        fields = (
            "id",
            "kind",
            "programme",
            "edition",
            "title_fr",
            "title_en",
            "opens_on",
            "closes_on",
            "questions",
        )


class SurveyCreateSerializer(serializers.Serializer[Any]):
    edition = serializers.PrimaryKeyRelatedField(queryset=Edition.objects.all())
    kind = serializers.ChoiceField(choices=SurveyKind.choices)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()


class SurveyViewSet(viewsets.ReadOnlyModelViewSet[Survey]):
    """Surveys the user may see; a programme director creates them and sends the mailings."""

    serializer_class = SurveySerializer
    permission_classes = [IsAuthenticated]
    queryset = Survey.objects.none()  # for the schema; get_queryset scopes per user
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        return queries.survey_list_for(user=request_user(self.request))

    def _manager(self) -> None:
        if not permissions.can(request_user(self.request), "manage", "survey").ok:
            raise Http404

    @extend_schema(request=SurveyCreateSerializer, responses={201: SurveySerializer, **_REFUSED})
    def create(self, request: Request) -> Response:
        data = SurveyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        survey = services.survey_create(actor=request_user(request), **data.validated_data)
        return Response(SurveySerializer(survey).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: RatesSerializer})
    @action(detail=True, methods=["get"])
    def rates(self, request: Request, pk: str | None = None) -> Response:
        """Invited, sent, reminded, answered and the response rate (a campus coordinator:
        the learners of her campus)."""
        survey = self.get_object()
        campuses = queries.campus_scope(request_user(request))
        return Response(
            _rates(queries.response_rates(survey_ids=[survey.pk], campuses=campuses)[survey.pk])
        )

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("Invited", {"invited": serializers.IntegerField()}),
            **_REFUSED,
        },
    )
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        """Invite every recipient not invited yet; the e-mails leave after commit."""
        survey = self.get_object()
        self._manager()
        count = services.survey_invite(survey=survey, actor=request_user(request))
        return Response({"invited": count})

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("Reminded", {"reminded": serializers.IntegerField()}),
            **_REFUSED,
        },
    )
    @action(detail=True, methods=["post"])
    def remind(self, request: Request, pk: str | None = None) -> Response:
        """Remind those who have not answered (limits from the settings)."""
        survey = self.get_object()
        self._manager()
        count = services.survey_remind(survey_id=survey.pk, actor=request_user(request))
        return Response({"reminded": count})


class AnswerSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=200)
    answers = serializers.DictField(
        help_text="question code → value: a whole number for a scale, yes/no (or true/false, "
        "1/0) for yes_no, an option code for choice, text for text."
    )


class SurveyAnswerView(APIView):
    """Answer a survey with the token of a personal link (no account)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        request=AnswerSerializer,
        responses={
            201: inline_serializer("Answered", {"answered": serializers.BooleanField()}),
            400: AnswerErrorSerializer,  # an answer is invalid: errors per question
            404: ErrorSerializer,  # unknown or forged link
            409: ErrorSerializer,  # this link has already been used, or the survey is closed
        },
    )
    def post(self, request: Request) -> Response:
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.survey_answer(
            token=data.validated_data["token"], answers=data.validated_data["answers"]
        )
        return Response({"answered": True}, status=status.HTTP_201_CREATED)
