"""REST API on the référentiel (SPEC §1): read-only certifications, with their versions →
blocks → activities, competencies (→ criteria), modalities, each version's rule, and the
crosswalks between versions. And the import of a national register file, as a background job
(``register-imports/``: 202 and the job to follow).

Every bilingual text is served three times: ``<field>_fr`` (official French), ``<field>_en``
(our translation, may be empty) and ``<field>`` in the request's language (Accept-Language),
falling back to French.
"""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts import permissions
from capitalis.core.api import ErrorSerializer, NotFoundSerializer
from capitalis.core.api_jobs import JobSerializer, job_accepted
from capitalis.referential import queries, services
from capitalis.referential.models import (
    Activity,
    Block,
    Certification,
    CertificationCertifier,
    CertificationRule,
    CertificationVersion,
    Competency,
    Crosswalk,
    CrosswalkEntry,
    EvaluationCriterion,
    EvaluationModality,
)
from capitalis.referential.views_register import max_upload_bytes


class CriterionSerializer(serializers.ModelSerializer[EvaluationCriterion]):
    class Meta:
        model = EvaluationCriterion
        fields = ("id", "code", "text", "text_fr", "text_en", "position", "provenance")


class CompetencySerializer(serializers.ModelSerializer[Competency]):
    activity: serializers.SlugRelatedField[Activity] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Competency
        fields = (
            "id",
            "code",
            "statement",
            "statement_fr",
            "statement_en",
            "activity",
            "position",
            "provenance",
            "criteria",
        )


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    class Meta:
        model = Activity
        fields = ("code", "title", "title_fr", "title_en", "position", "provenance")


class ModalitySerializer(serializers.ModelSerializer[EvaluationModality]):
    class Meta:
        model = EvaluationModality
        fields = ("code", "label", "label_fr", "label_en", "position", "provenance")


class BlockSerializer(serializers.ModelSerializer[Block]):
    activities = ActivitySerializer(many=True, read_only=True)
    competencies = CompetencySerializer(many=True, read_only=True)
    modalities = ModalitySerializer(many=True, read_only=True)

    class Meta:
        model = Block
        fields = (
            "id",
            "code",
            "kind",
            "title",
            "title_fr",
            "title_en",
            "position",
            "competencies_text",
            "assessment_text",
            "provenance",
            "activities",
            "competencies",
            "modalities",
        )


class RuleSerializer(serializers.ModelSerializer[CertificationRule]):
    class Meta:
        model = CertificationRule
        fields = (
            "all_common_required",
            "optional_blocks_required",
            "description",
            "description_fr",
            "description_en",
            "provenance",
        )


class VersionSerializer(serializers.ModelSerializer[CertificationVersion]):
    rule = RuleSerializer(read_only=True, allow_null=True)
    blocks = BlockSerializer(many=True, read_only=True)

    class Meta:
        model = CertificationVersion
        fields = (
            "id",
            "code",
            "label",
            "label_fr",
            "label_en",
            "status",
            "register_code",
            "valid_from",
            "valid_until",
            "position",
            "provenance",
            "rule",
            "blocks",
        )


class CertifierLinkSerializer(serializers.ModelSerializer[CertificationCertifier]):
    name = serializers.CharField(source="certifier.name", read_only=True)
    siret = serializers.CharField(source="certifier.siret", read_only=True)

    class Meta:
        model = CertificationCertifier
        fields = ("name", "siret", "commercial_name", "website", "state", "state_date")


class VersionRefSerializer(serializers.ModelSerializer[CertificationVersion]):
    certification = serializers.CharField(source="certification.code", read_only=True)

    class Meta:
        model = CertificationVersion
        fields = ("certification", "code")


class CrosswalkEntrySerializer(serializers.ModelSerializer[CrosswalkEntry]):
    from_block = serializers.CharField(source="from_block.code", read_only=True)
    to_block = serializers.CharField(source="to_block.code", read_only=True)

    class Meta:
        model = CrosswalkEntry
        fields = ("from_block", "to_block", "coverage", "note", "note_fr", "note_en")


class CrosswalkSerializer(serializers.ModelSerializer[Crosswalk]):
    from_version = VersionRefSerializer(read_only=True)
    to_version = VersionRefSerializer(read_only=True)
    entries = CrosswalkEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Crosswalk
        fields = (
            "from_version",
            "to_version",
            "status",
            "note",
            "note_fr",
            "note_en",
            "provenance",
            "entries",
        )


class CertificationListSerializer(serializers.ModelSerializer[Certification]):
    url = serializers.HyperlinkedIdentityField(
        view_name="referential-api:certification-detail", lookup_field="code"
    )
    version_count = serializers.IntegerField(read_only=True)
    block_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Certification
        fields = (
            "url",
            "code",
            "register",
            "title",
            "title_fr",
            "title_en",
            "abbreviation_label",
            "eqf_level",
            "active",
            "registration_end",
            "version_count",
            "block_count",
        )


class CertificationDetailSerializer(serializers.ModelSerializer[Certification]):
    certifiers = CertifierLinkSerializer(source="certifier_links", many=True, read_only=True)
    versions = VersionSerializer(many=True, read_only=True)
    crosswalks = serializers.SerializerMethodField()

    class Meta:
        model = Certification
        fields = (
            "code",
            "register",
            "title",
            "title_fr",
            "title_en",
            "abbreviation_code",
            "abbreviation_label",
            "state",
            "eqf_level",
            "eqf_label",
            "nsf_codes",
            "rome_codes",
            "formacodes",
            "active",
            "registration_date",
            "registration_end",
            "award_deadline",
            "blocks_separately",
            "provenance",
            "certifiers",
            "versions",
            "crosswalks",
        )

    @extend_schema_field(CrosswalkSerializer(many=True))
    def get_crosswalks(self, certification: Certification) -> list[dict[str, Any]]:
        """Crosswalks from or to any version of this certification."""
        crosswalks = queries.crosswalks_for(certification=certification)
        return list(CrosswalkSerializer(crosswalks, many=True, context=self.context).data)


class CertificationNotFoundSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


@extend_schema_view(
    list=extend_schema(
        summary="List certifications",
        description="Every certification with its number of versions and blocks (paginated).",
    ),
    retrieve=extend_schema(
        summary="One certification with its référentiel",
        description="Versions → rule and blocks → activities, competencies (→ criteria) and "
        "evaluation modalities; certifiers; crosswalks between versions.",
        responses={200: CertificationDetailSerializer, 404: CertificationNotFoundSerializer},
    ),
)
class CertificationViewSet(viewsets.ReadOnlyModelViewSet[Certification]):
    """Read-only access to the référentiel; open to everyone (public register data)."""

    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    permission_classes = (AllowAny,)

    def get_queryset(self) -> Any:
        return queries.certification_list()

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return CertificationDetailSerializer
        return CertificationListSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        certification = queries.certification_detail(code=str(kwargs["code"]))
        if certification is None:
            raise NotFound(_("No certification has this code."))
        return Response(self.get_serializer(certification).data)


class RegisterUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="A register export, flux V4.1 (XML).")


class RegisterImportView(APIView):
    """Import a national register file, as a background job (a programme director)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Import a national register file",
        request={"multipart/form-data": RegisterUploadSerializer},
        responses={
            202: JobSerializer,
            400: OpenApiResponse(ErrorSerializer, description="No file, or a file too large."),
            404: OpenApiResponse(NotFoundSerializer, description="Not a programme director."),
        },
    )
    def post(self, request: Request) -> Response:
        """Upload a register export (``file``, flux V4.1) and import it as a background job:
        the answer is 202 with the job (``Location``: its address under /api/jobs/); poll it
        until ``status`` is ``done`` (``result``: ``fiches``, ``created``, ``updated``,
        ``unchanged``, ``blocks``, ``crosswalks``) or ``failed`` (``message``: why, with the
        element and line; nothing was written). Progress counts fiches."""
        if not permissions.can(request.user, "import", "register").ok:
            raise NotFound()
        upload = request.FILES.get("file")
        if upload is None:
            detail = _("Choose a register file (XML) to import.")
            return Response({"detail": detail, "code": "missing_file"}, status=400)
        if upload.size is not None and upload.size > max_upload_bytes():
            detail = _("The file is too large (%(size)s); the limit is %(limit)s.") % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_upload_bytes()),
            }
            return Response({"detail": detail, "code": "file_too_large"}, status=400)
        name = services.register_upload_keep(upload=upload)
        return job_accepted(services.register_import_start(name=name, actor=request.user))
