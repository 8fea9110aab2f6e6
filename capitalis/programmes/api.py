"""REST API on the programme catalogue (SPEC §2), read-only and public: programmes (years,
specialisations), editions (with their offerings: what runs on which campus on which track),
campuses and courses (ECTS, hours, language, teaching methods and the competencies each course
develops or assesses). Calendars are in ``api_calendar``; fee schedules in finance's API.

Bilingual texts are served as ``<field>_fr``, ``<field>_en`` and ``<field>`` in the request's
language (Accept-Language), falling back to French, as in the référentiel API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from capitalis.accounts import permissions
from capitalis.core.api import ErrorSerializer, NotFoundSerializer
from capitalis.core.exceptions import DomainError
from capitalis.core.params import parse_id
from capitalis.programmes import queries, services
from capitalis.programmes.models import (
    Campus,
    Course,
    CourseCompetency,
    Edition,
    Offering,
    Programme,
    ProgrammeYear,
    Specialisation,
    Track,
)


class YearSerializer(serializers.ModelSerializer[ProgrammeYear]):
    class Meta:
        model = ProgrammeYear
        fields = ("id", "code", "title", "title_fr", "title_en", "position", "ects")


class SpecialisationSerializer(serializers.ModelSerializer[Specialisation]):
    block = serializers.CharField(source="block.code", read_only=True)

    class Meta:
        model = Specialisation
        fields = ("id", "code", "title", "title_fr", "title_en", "block", "position")


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    certification = serializers.CharField(
        source="certification_version.certification.code", read_only=True
    )
    certification_version = serializers.CharField(
        source="certification_version.code", read_only=True
    )
    years = YearSerializer(many=True, read_only=True)
    specialisations = SpecialisationSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = (
            "code",
            "title",
            "title_fr",
            "title_en",
            "description",
            "description_fr",
            "description_en",
            "languages",
            "certification",
            "certification_version",
            "years",
            "specialisations",
        )


class OfferingSerializer(serializers.ModelSerializer[Offering]):
    campus = serializers.CharField(source="campus.code", read_only=True)
    year = serializers.CharField(source="year.code", read_only=True)
    specialisation = serializers.CharField(source="specialisation.code", read_only=True)

    class Meta:
        model = Offering
        fields = ("campus", "year", "specialisation", "track")


class EditionSerializer(serializers.ModelSerializer[Edition]):
    programme = serializers.CharField(source="programme.code", read_only=True)
    offerings = OfferingSerializer(many=True, read_only=True)

    class Meta:
        model = Edition
        fields = (
            "id",
            "programme",
            "code",
            "label",
            "start_date",
            "end_date",
            "provenance",
            "offerings",
        )


class ApplicationWindowSerializer(serializers.Serializer[Any]):
    """The days candidates may apply to an edition, both included; ``null`` follows the
    default rule (one year before the edition starts; its first day). A PATCH that leaves a day
    out keeps it."""

    open_on = serializers.DateField(allow_null=True, required=False)
    close_on = serializers.DateField(allow_null=True, required=False)


class ApplicationWindowErrorsSerializer(serializers.Serializer[Any]):
    """Bad input: the translated messages of each field that was refused."""

    open_on = serializers.ListField(child=serializers.CharField(), required=False)
    close_on = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False, help_text="A body that is not JSON.")


class CampusSerializer(serializers.ModelSerializer[Campus]):
    class Meta:
        model = Campus
        fields = ("id", "code", "name", "city", "address", "position")


class CompetencyLinkSerializer(serializers.ModelSerializer[CourseCompetency]):
    block = serializers.CharField(source="competency.block.code", read_only=True)
    competency = serializers.CharField(source="competency.code", read_only=True)
    statement = serializers.CharField(source="competency.statement", read_only=True)

    class Meta:
        model = CourseCompetency
        fields = ("role", "block", "competency", "statement")


class CourseSerializer(serializers.ModelSerializer[Course]):
    programme = serializers.CharField(source="edition.programme.code", read_only=True)
    edition = serializers.CharField(source="edition.code", read_only=True)
    year = serializers.CharField(source="year.code", read_only=True)
    specialisation = serializers.CharField(
        source="specialisation.code", read_only=True, allow_null=True, default=None
    )
    teaching_methods = serializers.ListField(child=serializers.CharField(), read_only=True)
    competencies = CompetencyLinkSerializer(source="competency_links", many=True, read_only=True)

    class Meta:
        model = Course
        fields = (
            "id",
            "programme",
            "edition",
            "year",
            "specialisation",
            "track",
            "code",
            "title",
            "title_fr",
            "title_en",
            "ects",
            "hours",
            "language",
            "teaching_methods",
            "position",
            "provenance",
            "competencies",
        )


YEAR_CODE_MAX = 40
PROGRAMME_FILTER = OpenApiParameter(
    "programme", OpenApiTypes.STR, description="Only this programme (its code)."
)
EDITION_FILTER = OpenApiParameter(
    "edition", OpenApiTypes.STR, description="Only this edition (its code, e.g. 2026-27)."
)
YEAR_FILTER = OpenApiParameter(
    "year",
    OpenApiTypes.STR,
    description="Only the courses of this programme year (its code, e.g. MSC1).",
)
TRACK_FILTER = OpenApiParameter(
    "track",
    OpenApiTypes.STR,
    enum=list(Track.values),
    description="Only the courses followed on this track (those of every track and its own).",
)


@extend_schema_view(
    list=extend_schema(summary="List programmes", description="With years and specialisations."),
    retrieve=extend_schema(
        summary="One programme",
        responses={200: ProgrammeSerializer, 404: NotFoundSerializer},
    ),
)
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet[Programme]):
    """Programmes: public catalogue data."""

    serializer_class = ProgrammeSerializer
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    permission_classes = (AllowAny,)

    def get_queryset(self) -> Any:
        return queries.programme_list()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self.get_queryset().filter(code=str(kwargs["code"])).first()
        if programme is None:
            raise NotFound(_("No programme has this code."))
        return Response(self.get_serializer(programme).data)


@extend_schema_view(
    list=extend_schema(
        summary="List editions",
        description="Academic years of the programmes, oldest first, with their offerings "
        "(campus, year, specialisation, track).",
        parameters=[PROGRAMME_FILTER],
    ),
    retrieve=extend_schema(
        summary="One edition", responses={200: EditionSerializer, 404: NotFoundSerializer}
    ),
)
class EditionViewSet(viewsets.ReadOnlyModelViewSet[Edition]):
    """Editions and what runs where."""

    serializer_class = EditionSerializer
    permission_classes = (AllowAny,)

    def get_queryset(self) -> Any:
        return queries.edition_list(programme_code=self.request.query_params.get("programme"))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        edition = self.get_queryset().filter(pk=kwargs["pk"]).first()
        if edition is None:
            raise NotFound(_("No edition has this identifier."))
        return Response(self.get_serializer(edition).data)

    @extend_schema(
        methods=["GET"],
        summary="An edition's application window (programme director)",
        responses={
            200: ApplicationWindowSerializer,
            403: OpenApiResponse(ErrorSerializer, description="Not a programme director."),
            404: OpenApiResponse(NotFoundSerializer, description="Unknown edition."),
        },
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Set an edition's application window (programme director)",
        description="Both days are included; a missing or null day follows the default rule. "
        "A day left out keeps its value. Refused (nothing saved) when applications would "
        "close before they open.",
        request=ApplicationWindowSerializer,
        responses={
            200: ApplicationWindowSerializer,
            400: OpenApiResponse(
                ApplicationWindowErrorsSerializer,
                description="Not a date, or closing before opening: the message at its field.",
            ),
            403: OpenApiResponse(ErrorSerializer, description="Not a programme director."),
            404: OpenApiResponse(NotFoundSerializer, description="Unknown edition."),
        },
    )
    @action(
        detail=True,
        methods=["get", "patch"],
        url_path="application-window",
        url_name="application-window",
    )
    def application_window(self, request: Request, pk: str | None = None) -> Response:
        edition_id = parse_id(pk)
        edition = None if edition_id is None else Edition.objects.filter(pk=edition_id).first()
        if edition is None:
            raise NotFound(_("No edition has this identifier."))
        if not permissions.can(request.user, "manage", "edition").ok:
            return Response(
                {
                    "detail": _("Only the programme director sets the application window."),
                    "code": "not_authorised",
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        if request.method == "PATCH":
            given = ApplicationWindowSerializer(data=request.data)
            if not given.is_valid():
                return Response(given.errors, status=status.HTTP_400_BAD_REQUEST)
            try:
                edition, _changed = services.edition_application_window_set(
                    edition=edition,
                    open_on=given.validated_data.get("open_on", edition.applications_open_on),
                    close_on=given.validated_data.get("close_on", edition.applications_close_on),
                    actor=request.user,
                )
            except DomainError as error:
                return Response({"close_on": [error.message]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            ApplicationWindowSerializer(
                {
                    "open_on": edition.applications_open_on,
                    "close_on": edition.applications_close_on,
                }
            ).data
        )


@extend_schema_view(
    list=extend_schema(summary="List campuses"),
    retrieve=extend_schema(
        summary="One campus", responses={200: CampusSerializer, 404: NotFoundSerializer}
    ),
)
class CampusViewSet(viewsets.ReadOnlyModelViewSet[Campus]):
    """Campuses."""

    serializer_class = CampusSerializer
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    permission_classes = (AllowAny,)

    def get_queryset(self) -> Any:
        return queries.campus_list()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campus = self.get_queryset().filter(code=str(kwargs["code"])).first()
        if campus is None:
            raise NotFound(_("No campus has this code."))
        return Response(self.get_serializer(campus).data)


@extend_schema_view(
    list=extend_schema(
        summary="List courses",
        description="Courses with ECTS, hours, language, teaching methods and the "
        "competencies each develops or assesses (paginated).",
        parameters=[PROGRAMME_FILTER, EDITION_FILTER, YEAR_FILTER, TRACK_FILTER],
    ),
    retrieve=extend_schema(
        summary="One course", responses={200: CourseSerializer, 404: NotFoundSerializer}
    ),
)
class CourseViewSet(viewsets.ReadOnlyModelViewSet[Course]):
    """Courses of the editions."""

    serializer_class = CourseSerializer
    permission_classes = (AllowAny,)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        track = params.get("track") or None
        if track is not None and track not in Track.values:
            raise ValidationError({"track": [_("Unknown track %(track)s.") % {"track": track}]})
        year = params.get("year")
        if year is not None and (
            not year.strip() or len(year) > YEAR_CODE_MAX or not queries.year_code_exists(year)
        ):
            raise ValidationError({"year": [_("Unknown year %(year)s.") % {"year": year[:40]}]})
        return queries.course_list(
            programme_code=params.get("programme"),
            edition_code=params.get("edition"),
            track=track,
            year_code=year,
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        course = self.get_queryset().filter(pk=kwargs["pk"]).first()
        if course is None:
            raise NotFound(_("No course has this identifier."))
        return Response(self.get_serializer(course).data)
