"""REST API on assessments and results (SPEC §5), with server-side scoping: a lecturer sees and
writes only his courses' assessments and results (a programme director every one), a learner
reads only her own results. Writes go through ``services.result_set`` and its checks; a refused
write answers 400 (bad value) or 403 (not the course's lecturer) with a translated message."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from capitalis.assessment import queries, services
from capitalis.assessment.models import Absence, Assessment, Level, Result
from capitalis.core.api import ErrorSerializer
from capitalis.core.params import parse_id
from capitalis.enrolment.models import Enrolment
from capitalis.referential.models import Competency


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    edition = serializers.CharField(source="edition.code", read_only=True)
    course = serializers.CharField(source="course.code", read_only=True, allow_null=True)
    block = serializers.CharField(source="block.code", read_only=True, allow_null=True)
    competencies = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = (
            "id",
            "edition",
            "course",
            "block",
            "code",
            "title_fr",
            "title_en",
            "modality",
            "date",
            "weight",
            "session",
            "competencies",
        )

    def get_competencies(self, obj: Assessment) -> list[str]:
        return [link.competency.code for link in obj.competency_links.all()]


class ResultSerializer(serializers.ModelSerializer[Result]):
    assessment = serializers.PrimaryKeyRelatedField(queryset=Assessment.objects.all())
    enrolment = serializers.PrimaryKeyRelatedField(queryset=Enrolment.objects.all())
    competency = serializers.PrimaryKeyRelatedField(
        queryset=Competency.objects.all(), allow_null=True, required=False
    )
    grade = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, required=False
    )
    level = serializers.ChoiceField(
        choices=Level.choices, allow_null=True, allow_blank=True, required=False
    )
    absence = serializers.ChoiceField(choices=Absence.choices, required=False)
    author = serializers.EmailField(source="author.email", read_only=True, allow_null=True)

    class Meta:
        model = Result
        fields = (
            "id",
            "assessment",
            "enrolment",
            "competency",
            "grade",
            "level",
            "absence",
            "comment",
            "author",
            "entered_at",
        )
        read_only_fields = ("id", "author", "entered_at")
        validators: list[Any] = []  # uniqueness is the service's business (create = upsert)


@extend_schema_view(
    list=extend_schema(summary="List the assessments you may see (your courses' ones)"),
    retrieve=extend_schema(summary="One assessment"),
)
class AssessmentViewSet(viewsets.ReadOnlyModelViewSet[Assessment]):
    serializer_class = AssessmentSerializer
    permission_classes = (IsAuthenticated,)

    def get_queryset(self) -> QuerySet[Assessment]:
        return queries.assessments_for(user=self.request.user).prefetch_related(  # type: ignore[arg-type]
            "competency_links__competency"
        )


@extend_schema_view(
    list=extend_schema(
        summary="List results: a lecturer his courses' ones, a learner her own",
    ),
    retrieve=extend_schema(summary="One result"),
    create=extend_schema(
        summary="Enter a result (or change it: same assessment, learner, competency)",
        responses={
            201: ResultSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
        },
    ),
    partial_update=extend_schema(
        summary="Change a result",
        responses={
            200: ResultSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
        },
    ),
)
class ResultViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Result],
):
    serializer_class = ResultSerializer
    permission_classes = (IsAuthenticated,)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Result]:
        user: Any = self.request.user
        staff = queries.results_for_staff(user=user)
        own = Result.objects.filter(enrolment__learner__user_id=user.pk)
        qs = (staff | own).select_related("author").order_by("assessment_id", "enrolment_id", "pk")
        assessment = self.request.query_params.get("assessment")
        assessment_id = parse_id(assessment)
        if assessment_id is not None:
            qs = qs.filter(assessment_id=assessment_id)
        return qs

    def _save(self, data: dict[str, Any], existing: Result | None) -> Response:
        assessment = data.get("assessment") or (existing.assessment if existing else None)
        enrolment = data.get("enrolment") or (existing.enrolment if existing else None)
        if assessment is None or enrolment is None:
            raise NotFound()
        competency = data.get("competency", existing.competency if existing else None)

        def pick(name: str, default: Any) -> Any:
            if name in data:
                return data[name]
            return getattr(existing, name) if existing else default

        result, _changed = services.result_set(
            assessment=assessment,
            enrolment=enrolment,
            competency=competency,
            grade=pick("grade", None),
            level=pick("level", None),
            absence=pick("absence", Absence.NONE),
            comment=pick("comment", ""),
            actor=self.request.user,  # type: ignore[arg-type]
        )
        return Response(
            ResultSerializer(result).data,
            status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED,
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return Response({"detail": str(serializer.errors), "code": "invalid"}, status=400)
        return self._save(dict(serializer.validated_data), None)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        existing = self.get_object()
        serializer = self.get_serializer(existing, data=request.data, partial=True)
        if not serializer.is_valid():
            return Response({"detail": str(serializer.errors), "code": "invalid"}, status=400)
        data = dict(serializer.validated_data)
        data.pop("assessment", None)
        data.pop("enrolment", None)
        data.pop("competency", None)
        return self._save(data, existing)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)
