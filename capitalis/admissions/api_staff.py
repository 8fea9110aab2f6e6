"""REST API for what the admissions staff do between a submitted file and the jury's decision
(the same services as the interview and jury pages): create an interview slot, book an
eligible application into it, score the interview, create an admission jury sitting, present
an interviewed file to it. Scoped like the pages: someone who is not admissions staff (or not
an interviewer, for scoring) gets 404; a refused move answers 400 with a translated message,
a stale ``expected_version`` 409.

Routes (under /api/admissions/):
    interview-slots/                   GET the slots one may see (paginated), POST a slot
    interview-slots/<id>/book/         POST an application into the slot
    interviews/<id>/record/            POST the scores and comment
    juries/                            GET the jury sittings one may see, POST one
    juries/<id>/present/               POST an interviewed application to the jury
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts.models import User
from capitalis.accounts.queries import grants_for, request_user
from capitalis.accounts.rules import STAFF_ROLES
from capitalis.admissions import queries
from capitalis.admissions.api import ApplicationDetailSerializer
from capitalis.admissions.jury import queries as jury_queries
from capitalis.admissions.jury import services as jury_services
from capitalis.admissions.jury.api import InterviewSerializer, interview_body
from capitalis.admissions.models import AdmissionJury, Application, InterviewSlot
from capitalis.core.api import ErrorSerializer, NotFoundSerializer
from capitalis.core.params import parse_id
from capitalis.programmes.models import Campus, Edition


def _staff_people() -> QuerySet[User]:
    """Who may interview or sit on a jury: people holding a staff role (as on the pages)."""
    return User.objects.filter(role_assignments__role__in=[r.value for r in STAFF_ROLES])


class StaffEmailsField(serializers.ListField):
    """Staff people named by their e-mail address."""

    child = serializers.EmailField()

    def to_internal_value(self, data: Any) -> list[User]:
        emails = [e.lower() for e in super().to_internal_value(data)]
        found = {u.email.lower(): u for u in _staff_people().filter(email__in=emails).distinct()}
        unknown = [e for e in emails if e not in found]
        if unknown:
            raise serializers.ValidationError(
                _("No staff member with this e-mail address: %(emails)s.")
                % {"emails": ", ".join(unknown)}
            )
        return [found[e] for e in emails]


class SlotCreateSerializer(serializers.Serializer[Any]):
    edition = serializers.PrimaryKeyRelatedField(queryset=Edition.objects.all())
    campus = serializers.PrimaryKeyRelatedField(queryset=Campus.objects.all())
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    interviewers = StaffEmailsField(required=False, default=list)


class SlotSerializer(serializers.ModelSerializer[InterviewSlot]):
    interviewers: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="email", many=True, read_only=True
    )
    interview = serializers.SerializerMethodField(
        help_text="The interview booked into the slot (its id), or null while it is free."
    )

    class Meta:
        model = InterviewSlot
        fields = (
            "id",
            "edition",
            "campus",
            "starts_at",
            "ends_at",
            "location",
            "interviewers",
            "interview",
        )

    def get_interview(self, slot: InterviewSlot) -> int | None:
        try:
            return int(slot.interview.pk)
        except ObjectDoesNotExist:
            return None


class ApplicationVersionSerializer(serializers.Serializer[Any]):
    application = serializers.IntegerField(min_value=1)
    expected_version = serializers.IntegerField(min_value=0)


class RecordSerializer(serializers.Serializer[Any]):
    scores = serializers.DictField(
        child=serializers.IntegerField(), help_text="Criterion code → score, every line."
    )
    comment = serializers.CharField(allow_blank=True)
    expected_version = serializers.IntegerField(min_value=0)


class JuryCreateSerializer(serializers.Serializer[Any]):
    edition = serializers.PrimaryKeyRelatedField(queryset=Edition.objects.all())
    campus = serializers.PrimaryKeyRelatedField(
        queryset=Campus.objects.all(), required=False, allow_null=True, default=None
    )
    sits_on = serializers.DateField()
    president = serializers.EmailField()
    members = StaffEmailsField(required=False, default=list)

    def validate_president(self, value: str) -> User:
        found = _staff_people().filter(email__iexact=value).first()
        if found is None:
            raise serializers.ValidationError(
                _("No staff member with this e-mail address: %(emails)s.") % {"emails": value}
            )
        return found


class JurySerializer(serializers.ModelSerializer[AdmissionJury]):
    president = serializers.EmailField(source="president.email", read_only=True)
    members: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="email", many=True, read_only=True
    )

    class Meta:
        model = AdmissionJury
        fields = ("id", "edition", "campus", "sits_on", "president", "members")


REFUSED: dict[int, Any] = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input or a move not allowed."),
    404: NotFoundSerializer,
}


def _require_staff(user: User) -> None:
    if not jury_queries.is_admissions_staff(grants_for(user=user)):
        raise NotFound()


M = TypeVar("M", bound=Model)

EDITION_FILTER = OpenApiParameter(
    "edition", OpenApiTypes.INT, description="Only this edition (its id)."
)


def _of_edition(request: Request, qs: QuerySet[M]) -> QuerySet[M]:
    """The list narrowed to the ``?edition=`` of the request (an id, or a translated 400)."""
    raw = request.query_params.get("edition")
    if raw is None:
        return qs
    edition_id = parse_id(raw)
    if edition_id is None:
        raise ValidationError({"edition": [_("Give an edition by its id.")]})
    return qs.filter(edition_id=edition_id)


def _staff_create(
    request: Request,
    payload: type[serializers.Serializer[Any]],
    create: Callable[..., Model],
    answer: type[serializers.Serializer[Any]],
) -> Response:
    """Create what the admissions staff asks (``create(actor=..., **payload)``): 201 with the
    new object, 404 for anyone else."""
    user = request_user(request)
    _require_staff(user)
    data = payload(data=request.data)
    data.is_valid(raise_exception=True)
    created = create(actor=user, **data.validated_data)
    return Response(answer(created).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="Interview slots I may see (admissions staff: their campus; an interviewer: "
        "his slots)",
        parameters=[EDITION_FILTER],
        operation_id="admissions_interview_slot_list",
    )
)
class InterviewSlotCreateApi(ListAPIView[InterviewSlot]):
    """The interview slots one may see (the permissions TABLE "interview_slot"), and creating
    one."""

    permission_classes = [IsAuthenticated]
    serializer_class = SlotSerializer

    def get_queryset(self) -> QuerySet[InterviewSlot]:
        qs = jury_queries.interview_slot_list_for(user=request_user(self.request))
        return _of_edition(self.request, qs).order_by("starts_at", "pk")

    @extend_schema(
        summary="Create an interview slot on a campus (admissions staff of that campus)",
        request=SlotCreateSerializer,
        responses={201: SlotSerializer, **REFUSED},
        operation_id="admissions_interview_slot_create",
    )
    def post(self, request: Request) -> Response:
        return _staff_create(
            request, SlotCreateSerializer, jury_services.interview_slot_create, SlotSerializer
        )


class InterviewBookApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Book an eligible application into a free slot (→ interview scheduled); 409 "
        "when the application changed meanwhile",
        request=ApplicationVersionSerializer,
        responses={201: InterviewSerializer, **REFUSED, 409: ErrorSerializer},
        operation_id="admissions_interview_slot_book",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        slot = jury_queries.interview_slot_get_for(user=user, pk=pk)
        if slot is None:
            raise NotFound()
        data = ApplicationVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = (
            queries.application_list_for(user=user)
            .filter(pk=data.validated_data["application"])
            .first()
        )
        if application is None:
            raise NotFound(_("No application found."))
        interview = jury_services.interview_book(
            application=application,
            slot=slot,
            actor=user,
            expected_version=data.validated_data["expected_version"],
        )
        view = jury_queries.interview_get_for(user=user, pk=interview.pk)
        assert view is not None
        return Response(interview_body(view), status=status.HTTP_201_CREATED)


class InterviewRecordApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Record an interview: a score on every line of the grid and a comment "
        "(→ interviewed); the interviewers or the admissions staff",
        request=RecordSerializer,
        responses={200: InterviewSerializer, **REFUSED, 409: ErrorSerializer},
        operation_id="admissions_interview_record",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        view = jury_queries.interview_get_for(user=user, pk=pk)
        if view is None or not view.can_score:
            raise NotFound()
        data = RecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        jury_services.interview_record(
            interview=view.interview,
            scores=data.validated_data["scores"],
            comment=data.validated_data["comment"],
            actor=user,
            expected_version=data.validated_data["expected_version"],
        )
        fresh = jury_queries.interview_get_for(user=user, pk=pk)
        assert fresh is not None
        return Response(interview_body(fresh))


@extend_schema_view(
    get=extend_schema(
        summary="Admission jury sittings I may see (admissions staff: their campus; a jury "
        "member: his juries)",
        parameters=[EDITION_FILTER],
        operation_id="admissions_jury_list",
    )
)
class JuryCreateApi(ListAPIView[AdmissionJury]):
    """The admission jury sittings one may see (the permissions TABLE "admission_jury"), and
    creating one."""

    permission_classes = [IsAuthenticated]
    serializer_class = JurySerializer

    def get_queryset(self) -> QuerySet[AdmissionJury]:
        qs = jury_queries.admission_jury_list_for(user=request_user(self.request))
        return _of_edition(self.request, qs).prefetch_related("members").order_by("-sits_on", "pk")

    @extend_schema(
        summary="Create an admission jury sitting; its president and members get their roles on it",
        request=JuryCreateSerializer,
        responses={201: JurySerializer, **REFUSED},
        operation_id="admissions_jury_create",
    )
    def post(self, request: Request) -> Response:
        return _staff_create(
            request, JuryCreateSerializer, jury_services.admission_jury_create, JurySerializer
        )


class JuryPresentApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Present an interviewed application to this jury (→ presented; the decision "
        "is due 4 weeks after the sitting)",
        request=ApplicationVersionSerializer,
        responses={200: ApplicationDetailSerializer, **REFUSED, 409: ErrorSerializer},
        operation_id="admissions_jury_present",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        jury = jury_queries.admission_jury_get_for(user=user, pk=pk)
        if jury is None:
            raise NotFound()
        data = ApplicationVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application: Application | None = (
            jury_queries.presentable_applications(user=user, jury=jury)
            .filter(pk=data.validated_data["application"])
            .first()
        )
        if application is None:
            raise NotFound(_("No application found."))
        presented = jury_services.application_present(
            application=application,
            jury=jury,
            actor=user,
            expected_version=data.validated_data["expected_version"],
        )
        fresh = queries.application_get_for(user=user, pk=presented.pk)
        return Response(ApplicationDetailSerializer(fresh, context={"request": request}).data)
