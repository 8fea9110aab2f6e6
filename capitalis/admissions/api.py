"""REST API on applications (SPEC §3, §10), under /api/admissions/. Every read is scoped by
``queries.application_list_for`` (a candidate: hers only; staff: their campus), anything else
answers 404. Writes go through the services: create / update a draft, upload a document (same
checks as the pages: ≤ 10 MB, PDF/JPEG/PNG from the content), submit, and move the status with
``expected_version`` (409 when someone else changed the file meanwhile, 400 with a translated
message for a move the table does not allow, 403 for one the user's role does not allow). A
service's DomainError is answered by capitalis.core.handlers (status from its code)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, BaseThrottle
from rest_framework.views import APIView

from capitalis.accounts import services as accounts_services
from capitalis.accounts.models import LANGUAGE_CHOICES
from capitalis.accounts.queries import request_user
from capitalis.admissions import queries, services
from capitalis.admissions.jury import letters
from capitalis.admissions.jury import queries as jury_queries
from capitalis.admissions.models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    PriorDegree,
)
from capitalis.admissions.rules import CEFR, Actor, Status, decision_deadline
from capitalis.core.api import ErrorSerializer, NotFoundSerializer
from capitalis.core.downloads import file_response
from capitalis.core.exceptions import DomainError
from capitalis.core.parsers import SafeJSONParser
from capitalis.programmes.models import Campus, Edition, ProgrammeYear, Specialisation, Track


class PriorDegreeSerializer(serializers.ModelSerializer[PriorDegree]):
    """A prior degree. In a draft every part may be empty (submission needs them all). Written
    with its ``id`` it changes that degree; without, it is added."""

    id = serializers.IntegerField(required=False, allow_null=True)
    ects = serializers.IntegerField(
        min_value=0,
        max_value=600,
        required=False,
        allow_null=True,
        error_messages={"invalid": _("The ECTS must be a whole number.")},
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    level = serializers.CharField(required=False, allow_blank=True, max_length=50)
    field = serializers.ChoiceField(
        choices=[("", "—"), *PriorDegree.Field.choices], required=False, allow_blank=True
    )
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    in_progress = serializers.BooleanField(required=False)

    class Meta:
        model = PriorDegree
        fields = ("id", "title", "level", "ects", "field", "country", "in_progress")


class DocumentSerializer(serializers.ModelSerializer[ApplicationDocument]):
    kind = serializers.CharField(read_only=True, help_text="cv, transcript or motivation")

    class Meta:
        model = ApplicationDocument
        fields = ("id", "kind", "original_name", "content_type", "size", "sha256", "created_at")


class TransitionSerializer(serializers.ModelSerializer[ApplicationTransition]):
    class Meta:
        model = ApplicationTransition
        fields = ("from_status", "to_status", "at")


class OutcomeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    passed = serializers.BooleanField()
    conditional = serializers.BooleanField(
        help_text="passed thanks to a degree in progress: on condition that it is obtained"
    )
    reason = serializers.CharField()


class ApplicationSerializer(serializers.ModelSerializer[Application]):
    candidate = serializers.EmailField(source="candidate.email", read_only=True)
    edition = serializers.CharField(source="edition.code", read_only=True)
    year = serializers.CharField(source="year.code", read_only=True)
    campus = serializers.CharField(source="campus.code", read_only=True)
    specialisation = serializers.CharField(
        source="specialisation.code", read_only=True, allow_null=True, default=None
    )
    status = serializers.CharField(read_only=True, help_text=", ".join(s.value for s in Status))
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    decision_deadline = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields: tuple[str, ...] = (
            "id",
            "candidate",
            "edition",
            "year",
            "campus",
            "track",
            "specialisation",
            "status",
            "status_label",
            "version",
            "english_level",
            "accommodation_requested",
            "application_fee_paid",
            "application_fee_paid_on",
            "submitted_at",
            "presented_on",
            "decided_on",
            "decision_deadline",
            "created_at",
        )

    def get_decision_deadline(self, obj: Application) -> datetime.date | None:
        return decision_deadline(obj.presented_on) if obj.presented_on else None


class ApplicationDetailSerializer(ApplicationSerializer):
    prior_degrees = PriorDegreeSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    eligibility = serializers.SerializerMethodField()
    next_statuses = serializers.SerializerMethodField()
    accommodation_details = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = (
            *ApplicationSerializer.Meta.fields,
            "accommodation_details",
            "prior_degrees",
            "documents",
            "transitions",
            "eligibility",
            "next_statuses",
        )

    @extend_schema_field(OutcomeSerializer(many=True))
    def get_eligibility(self, obj: Application) -> list[dict[str, Any]]:
        return queries.eligibility_display(obj)

    def get_next_statuses(self, obj: Application) -> list[str]:
        user = self.context["request"].user
        return [s.value for s in queries.next_statuses_for(user=user, application=obj)]

    def get_accommodation_details(self, obj: Application) -> str:
        """Health-related: shown to the candidate herself and to the jury; staff see the flag."""
        user = self.context["request"].user
        actors = queries.actors_for(user=user, application=obj)
        return obj.accommodation_details if actors & {Actor.CANDIDATE, Actor.JURY} else ""


class ApplicationWriteSerializer(serializers.Serializer[Any]):
    """A draft's fields. ``prior_degrees``: degrees to change (with ``id``) or add (without);
    a degree left out stays: only ``DELETE …/degrees/{id}/`` removes one."""

    edition = serializers.PrimaryKeyRelatedField(queryset=Edition.objects.all())
    year = serializers.PrimaryKeyRelatedField(queryset=ProgrammeYear.objects.all())
    campus = serializers.PrimaryKeyRelatedField(queryset=Campus.objects.all())
    track = serializers.ChoiceField(choices=Track.choices)
    specialisation = serializers.PrimaryKeyRelatedField(
        queryset=Specialisation.objects.all(), required=False, allow_null=True
    )
    english_level = serializers.ChoiceField(
        choices=[("", "—"), *((c, c) for c in CEFR)], required=False, allow_blank=True
    )
    accommodation_requested = serializers.BooleanField(required=False, default=False)
    accommodation_details = serializers.CharField(required=False, allow_blank=True, default="")
    prior_degrees = PriorDegreeSerializer(many=True, required=False)


class DocumentUploadSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="cv, transcript or motivation")
    file = serializers.FileField()


class VersionSerializer(serializers.Serializer[Any]):
    expected_version = serializers.IntegerField(min_value=0)


class TransitionRequestSerializer(VersionSerializer):
    target = serializers.ChoiceField(choices=[s.value for s in Status])
    note = serializers.CharField(required=False, allow_blank=True, default="")


DEGREE_PARTS = ("title", "level", "ects", "field", "country", "in_progress")


def _degree_inputs(
    application: Application, given: list[dict[str, Any]]
) -> list[services.DegreeInput]:
    """The degrees as written: one with an ``id`` keeps the parts not mentioned."""
    existing = {d.pk: d for d in application.prior_degrees.all()}
    inputs = []
    for item in given:
        current = existing.get(item.get("id") or 0)
        parts = {name: getattr(current, name) for name in DEGREE_PARTS} if current else {}
        parts.update({k: v for k, v in item.items() if k in DEGREE_PARTS})
        inputs.append(services.DegreeInput(id=item.get("id"), **parts))
    return inputs


@extend_schema_view(
    list=extend_schema(summary="Applications I may read (a candidate: mine; staff: my campus)"),
    retrieve=extend_schema(
        summary="One application, with degrees, documents, eligibility and history",
        responses={200: ApplicationDetailSerializer, 404: NotFoundSerializer},
    ),
    create=extend_schema(
        summary="Start a draft application (the candidate)",
        request=ApplicationWriteSerializer,
        responses={201: ApplicationDetailSerializer, 400: ErrorSerializer},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a draft (the candidate); the degrees and documents not "
        "mentioned stay as they are",
        request=ApplicationWriteSerializer,
        responses={
            200: ApplicationDetailSerializer,
            400: ErrorSerializer,
            404: NotFoundSerializer,
        },
    ),
    update=extend_schema(
        summary="Change a draft (the candidate)",
        request=ApplicationWriteSerializer,
        responses={
            200: ApplicationDetailSerializer,
            400: ErrorSerializer,
            404: NotFoundSerializer,
        },
    ),
)
class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Application],
):
    permission_classes = (IsAuthenticated,)
    queryset = Application.objects.none()  # typed path parameter in the schema; see get_queryset
    lookup_value_regex = r"\d+"
    parser_classes = (SafeJSONParser, MultiPartParser, FormParser)
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_serializer_class(self) -> Any:
        return ApplicationSerializer if self.action == "list" else ApplicationDetailSerializer

    def get_queryset(self) -> Any:
        return queries.application_list_for(user=request_user(self.request))

    def get_object(self) -> Application:
        try:
            return queries.application_get_for(
                user=request_user(self.request), pk=int(self.kwargs["pk"])
            )
        except (Application.DoesNotExist, ValueError):
            raise NotFound(_("No application found.")) from None

    def _detail(self, application: Application, code: int = status.HTTP_200_OK) -> Response:
        fresh = queries.application_get_for(user=request_user(self.request), pk=application.pk)
        return Response(
            ApplicationDetailSerializer(fresh, context={"request": self.request}).data,
            status=code,
        )

    def _write(
        self, request: Request, application: Application | None, *, partial: bool = False
    ) -> Response:
        serializer = ApplicationWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        degrees = data.pop("prior_degrees", None)
        if not partial:
            data.setdefault("specialisation", None)
            data.setdefault("english_level", "")
        with transaction.atomic():
            if application is None:
                application = services.application_create(
                    candidate=request_user(self.request), **data
                )
            else:
                application = services.application_update_draft(
                    application=application, actor_user=request_user(self.request), **data
                )
            if degrees is not None:
                services.application_degrees_save(
                    application=application,
                    actor_user=request_user(self.request),
                    degrees=_degree_inputs(application, degrees),
                )
        return self._detail(application, status.HTTP_201_CREATED if data else status.HTTP_200_OK)

    def create(self, request: Request) -> Response:
        return self._write(request, None)

    def update(self, request: Request, pk: str | None = None) -> Response:
        response = self._write(request, self.get_object())
        if response.status_code == status.HTTP_201_CREATED:
            response.status_code = status.HTTP_200_OK
        return response

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        response = self._write(request, self.get_object(), partial=True)
        if response.status_code == status.HTTP_201_CREATED:
            response.status_code = status.HTTP_200_OK
        return response

    @extend_schema(
        summary="Add a prior degree to a draft (it may be half-filled)",
        request=PriorDegreeSerializer,
        responses={201: PriorDegreeSerializer, 400: ErrorSerializer, 404: NotFoundSerializer},
    )
    @action(detail=True, methods=["post"], url_path="degrees")
    def degrees(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        serializer = PriorDegreeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        given = {k: v for k, v in serializer.validated_data.items() if k != "id"}
        degree = services.application_degree_add(
            application=application,
            actor_user=request_user(self.request),
            degree=services.DegreeInput(**given),
        )
        return Response(PriorDegreeSerializer(degree).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove one prior degree from a draft (the only way a degree goes)",
        request=None,
        responses={204: None, 400: ErrorSerializer, 404: NotFoundSerializer},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"degrees/(?P<degree_id>\d+)",
        url_name="degree-remove",
    )
    def degree_remove(
        self, request: Request, pk: str | None = None, degree_id: str | None = None
    ) -> Response:
        application = self.get_object()
        try:
            services.application_degree_remove(
                application=application,
                actor_user=request_user(self.request),
                degree_id=int(degree_id or 0),
            )
        except DomainError as error:
            if error.code == "degree":
                raise NotFound(error.message) from None
            raise
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Upload a document (CV, transcripts, motivation letter): PDF, JPEG or PNG "
        "by content, at most 10 MB",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={
            201: DocumentSerializer,
            400: ErrorSerializer,
            404: NotFoundSerializer,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def documents(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        document = services.document_add(
            application=application,
            actor_user=request_user(self.request),
            kind=serializer.validated_data["kind"],
            upload=upload,
            name=upload.name or serializer.validated_data["kind"],
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download one of the application's documents (its candidate, the admissions "
        "staff of its campus, the programme director, its admission jury)",
        request=None,
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            404: NotFoundSerializer,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"documents/(?P<document_id>\d+)",
        url_name="document-download",
    )
    def document_download(
        self, request: Request, pk: str | None = None, document_id: str | None = None
    ) -> FileResponse:
        found = queries.document_get_for(
            user=request_user(self.request), application_pk=int(pk or 0), pk=int(document_id or 0)
        )
        if found is None:
            raise NotFound(_("No document found."))
        return file_response(
            found.file, filename=found.original_name, content_type=found.content_type
        )

    @extend_schema(
        summary="The decision letter of a decided application, as PDF (its candidate, the "
        "admissions staff of its campus, its admission jury)",
        request=None,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: NotFoundSerializer},
    )
    @action(detail=True, methods=["get"])
    def letter(self, request: Request, pk: str | None = None) -> HttpResponse:
        application = jury_queries.letter_application_get_for(
            user=request_user(self.request), pk=int(pk or 0)
        )
        if application is None:
            raise NotFound(_("No decision letter for this application."))
        response = HttpResponse(letters.letter_pdf(application), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{letters.letter_filename(application)}"'
        )
        return response

    @extend_schema(
        summary="Submit a draft; the eligibility evaluation follows",
        request=VersionSerializer,
        responses={
            200: ApplicationDetailSerializer,
            400: ErrorSerializer,
            404: NotFoundSerializer,
            409: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        serializer = VersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_submit(
            application=application,
            actor_user=request_user(self.request),
            expected_version=serializer.validated_data["expected_version"],
        )
        return self._detail(application)

    @extend_schema(
        summary="Move the application to another status (the transition table and your role "
        "decide); 409 when someone else changed it meanwhile",
        request=TransitionRequestSerializer,
        responses={
            200: ApplicationDetailSerializer,
            400: ErrorSerializer,
            404: NotFoundSerializer,
            409: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["target"] == Status.MANUAL_REVIEW:
            application = services.application_send_to_manual_review(
                application=application,
                actor_user=request_user(self.request),
                expected_version=data["expected_version"],
                note=data["note"],
            )
        else:
            application = services.application_transition(
                application=application,
                target=data["target"],
                actor_user=request_user(self.request),
                expected_version=data["expected_version"],
                note=data["note"],
            )
        return self._detail(application)


# --- sign-up ---------------------------------------------------------------------------------


class SignupSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    password = serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        help_text="At least 12 characters, not only digits, not a common password, not like "
        "the e-mail address or the name.",
    )
    preferred_language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, default="fr")


class SignupAcceptedSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class SignupThrottle(BaseThrottle):
    """The sign-up page's limit per client address (ACCOUNT_RATE_LIMITS["signup"]): a POST
    beyond it answers 429."""

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method != "POST":
            return True
        return accounts_services.signup_allowed(request=request._request)

    def wait(self) -> float | None:
        return 60.0


class SignupApi(APIView):
    """A candidate signs up, as on the sign-up page: the same password rules, the same answer
    whether or not the address already had an account (its owner gets a notice by e-mail), an
    e-mail whose link confirms the address (needed before submitting an application), and
    the same limit per client address (ACCOUNT_RATE_LIMITS["signup"]; 429 beyond). No
    session or token: the caller is anonymous."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [SignupThrottle, AnonRateThrottle]

    @extend_schema(
        request=SignupSerializer,
        responses={
            202: SignupAcceptedSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="A password that breaks the rules, or bad input."
            ),
        },
        operation_id="admissions_signup",
    )
    def post(self, request: Request) -> Response:
        data = SignupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            new_user = services.candidate_signup_request(**data.validated_data)
        if new_user is not None:  # the link that confirms the address (before submitting)
            accounts_services.email_verification_send(request=request._request, user=new_user)
        return Response(
            {
                "detail": _(
                    "Thank you. Check your mailbox: we have sent you a message about your "
                    "account. You can now log in with your e-mail address and password."
                )
            },
            status=status.HTTP_202_ACCEPTED,
        )
