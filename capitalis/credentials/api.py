"""REST API on verifiable credentials (issue 6 point 7), under /api/credentials/: list (a learner
sees her own; jury staff those of their sessions; a programme director all), fetch one as
JSON-LD, verify a posted credential (anyone, rate-limited), revoke (a programme director or the
session's president; a reason is required), and issue a closed session's credentials (a
programme director or the session's president; POST sessions/<id>/issue/, as the page does).
Something the user may not see is a 404."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from capitalis.accounts.queries import request_user
from capitalis.core.api import ErrorSerializer, NotFoundSerializer, text_of
from capitalis.core.api_jobs import JobSerializer, job_accepted
from capitalis.core.params import parse_id
from capitalis.credentials import queries, services, services_documents
from capitalis.credentials.models import Credential, IssuedDocument
from capitalis.jury.queries import session_for


class VerifyThrottle(SimpleRateThrottle):
    """Verification requests per client address (``VERIFY_RATE_PER_MINUTE``, default 60)."""

    scope = "credential-verify"

    def get_rate(self) -> str:
        return f"{int(getattr(settings, 'VERIFY_RATE_PER_MINUTE', 60))}/min"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CredentialSerializer(serializers.ModelSerializer[Credential]):
    certification = serializers.CharField(source="version.certification.code", read_only=True)
    block = serializers.CharField(
        source="block.code",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="Null for a certification credential.",
    )
    session = serializers.CharField(
        source="session.title", read_only=True, default=None, allow_null=True
    )
    replaced = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Credential
        fields = (
            "public_id",
            "kind",
            "certification",
            "block",
            "session",
            "awarded_on",
            "issued_at",
            "revoked_at",
            "replaced",
            "verification_url",
        )

    def get_replaced(self, obj: Credential) -> bool:
        return obj.replaced_by_id is not None

    def get_verification_url(self, obj: Credential) -> str:
        return f"{queries.base_url()}/verify/{obj.public_id}/"


class VerifyRequest(serializers.Serializer[Any]):
    credential = serializers.JSONField(help_text="The credential (OpenBadgeCredential JSON-LD).")


class RevokeRequest(serializers.Serializer[Any]):
    reason = serializers.CharField(
        help_text="Why (mandatory, kept in the audit): null, empty or only spaces is refused "
        "(400, code reason_required)."
    )


VerdictSerializer = inline_serializer(
    "CredentialVerdict",
    {
        "authentic": serializers.BooleanField(),
        "current": serializers.BooleanField(),
        "reasons": serializers.ListField(
            child=inline_serializer(
                "CredentialVerdictReason",
                {"code": serializers.CharField(), "text": serializers.CharField()},
            )
        ),
        "id": serializers.UUIDField(allow_null=True),
        "revoked_at": serializers.DateTimeField(allow_null=True),
    },
)


class CredentialViewSet(viewsets.ReadOnlyModelViewSet[Credential]):
    serializer_class = CredentialSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "public_id"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> Any:
        return queries.credential_list_for(user=request_user(self.request)).order_by(
            "-issued_at", "pk"
        )

    def get_object(self) -> Credential:
        credential = queries.credential_for(
            user=request_user(self.request), public_id=self.kwargs["public_id"]
        )
        if credential is None:
            raise NotFound()
        return credential

    @extend_schema(
        responses={200: OpenApiResponse(description="The signed credential (JSON-LD).")},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The signed credential, exactly as issued (application/ld+json)."""
        return Response(self.get_object().document)

    @extend_schema(request=VerifyRequest, responses={200: VerdictSerializer})
    @action(
        detail=False,
        methods=["post"],
        permission_classes=[AllowAny],
        throttle_classes=[VerifyThrottle],
    )
    def verify(self, request: Request) -> Response:
        """Verify a credential: authentic (our signature over what we issued) and current (not
        revoked, replaced or expired), with every reason code and its translated text."""
        body = request.data
        document = body.get("credential", body) if isinstance(body, dict) else body
        return Response(queries.verify_document(document).as_dict())

    @extend_schema(
        request=RevokeRequest,
        responses={
            200: CredentialSerializer,
            400: OpenApiResponse(ErrorSerializer, description="No reason, or already revoked."),
            403: OpenApiResponse(
                ErrorSerializer, description="Not a programme director or the president."
            ),
            404: OpenApiResponse(NotFoundSerializer, description="Unknown or not visible."),
        },
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, public_id: str | None = None) -> Response:
        """Revoke a credential (irreversible); the status list is re-signed at once."""
        credential = self.get_object()
        reason = text_of(request.data, "reason")
        revoked = services.credential_revoke(
            credential=credential, actor=request_user(request), reason=reason
        )
        return Response(CredentialSerializer(revoked).data)


class IssuedDocumentSerializer(serializers.ModelSerializer[IssuedDocument]):
    certification = serializers.CharField(source="version.certification.code", read_only=True)
    session = serializers.CharField(source="session.title", read_only=True, default=None)
    replaced_by = serializers.UUIDField(
        source="replaced_by.public_id", read_only=True, default=None, allow_null=True
    )
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = IssuedDocument
        fields = (
            "public_id",
            "kind",
            "language",
            "certification",
            "session",
            "awarded_on",
            "issued_at",
            "sha256",
            "revoked_at",
            "revocation_reason",
            "replaced_by",
            "verification_url",
        )

    def get_verification_url(self, obj: IssuedDocument) -> str:
        return f"{queries.base_url()}/verify/{obj.public_id}/"


_DOCUMENT_WRITE_RESPONSES = {
    200: IssuedDocumentSerializer,
    400: OpenApiResponse(
        ErrorSerializer,
        description="No reason, already revoked, or the decision was corrected.",
    ),
    403: OpenApiResponse(ErrorSerializer, description="Not a programme director or the president."),
    404: OpenApiResponse(NotFoundSerializer, description="Unknown or not visible."),
}


class TranscriptRequest(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField(help_text="The learner's enrolment (its id).")
    language = serializers.ChoiceField(
        choices=["fr", "en"],
        required=False,
        allow_null=True,
        help_text="fr or en; default: the learner's preferred language.",
    )


class DocumentViewSet(viewsets.ReadOnlyModelViewSet[IssuedDocument]):
    """Issued PDFs the user may see (her own; her sessions'; all for a programme director)."""

    serializer_class = IssuedDocumentSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "public_id"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> Any:
        return queries.document_list_for(user=request_user(self.request)).order_by(
            "-issued_at", "pk"
        )

    def get_object(self) -> IssuedDocument:
        document = queries.document_for(
            user=request_user(self.request), public_id=self.kwargs["public_id"]
        )
        if document is None:
            raise NotFound()
        return document

    def _write(self, request: Request, action_name: str) -> Response:
        document = self.get_object()
        reason = text_of(request.data, "reason")
        if action_name == "reissue":
            result = services_documents.document_reissue(
                document, actor=request_user(request), reason=reason
            )
        else:
            result = services_documents.document_revoke(
                document, actor=request_user(request), reason=reason
            )
        return Response(IssuedDocumentSerializer(result).data)

    @extend_schema(request=RevokeRequest, responses=_DOCUMENT_WRITE_RESPONSES)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, public_id: str | None = None) -> Response:
        """Revoke a PDF (irreversible): its verification page shows it revoked, with the date."""
        return self._write(request, "revoke")

    @extend_schema(request=RevokeRequest, responses=_DOCUMENT_WRITE_RESPONSES)
    @action(detail=True, methods=["post"])
    def reissue(self, request: Request, public_id: str | None = None) -> Response:
        """Revoke a PDF and issue its replacement from the same decision (returned)."""
        return self._write(request, "reissue")

    @extend_schema(
        request=TranscriptRequest,
        responses={
            200: IssuedDocumentSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="Bad input, or no frozen jury decision for this enrolment yet.",
            ),
            403: OpenApiResponse(
                ErrorSerializer, description="Not a programme director or the president."
            ),
            404: OpenApiResponse(NotFoundSerializer, description="Unknown or not visible."),
        },
    )
    @action(detail=False, methods=["post"])
    def transcript(self, request: Request) -> Response:
        """Issue the ECTS transcript of an enrolment (grades and ECTS per year, with a QR code
        to its verification page) from its frozen jury decision. Idempotent: issuing again
        returns the current PDF."""
        data = request.data if isinstance(request.data, dict) else {}
        given = TranscriptRequest(data=data)
        if not given.is_valid():
            first = next(iter(given.errors.values()))[0]
            return Response(
                {"detail": str(first), "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST
            )
        user = request_user(request)
        enrolment = queries.transcript_enrolment_for(
            user=user, enrolment_id=given.validated_data["enrolment"]
        )
        if enrolment is None:
            raise NotFound()
        document = services_documents.transcript_issue(
            enrolment=enrolment,
            actor=user,
            language=given.validated_data.get("language") or None,
        )
        return Response(IssuedDocumentSerializer(document).data)


class SessionIssueView(APIView):
    """Issue a closed session's credentials and PDFs, as a background job."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            202: JobSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="The session is not closed with signed minutes."
            ),
            403: OpenApiResponse(
                ErrorSerializer, description="Not a programme director or the president."
            ),
            404: OpenApiResponse(NotFoundSerializer, description="Unknown or not visible."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """Issue every credential and PDF the closed jury session allows (a programme director
        or the session's president). A background job: the answer is 202 with the job
        (``Location``: its address under /api/jobs/); poll it until ``status`` is ``done``
        (``result``: ``credentials_issued``, ``credentials``, ``documents``) or ``failed``.
        While a job runs for the session, asking again returns it; afterwards a new job issues
        only what is missing."""
        session = session_for(user=request_user(request), pk=parse_id(pk) or 0)
        if session is None:
            raise NotFound()
        job = services.session_issue_start(session=session, actor=request_user(request))
        return job_accepted(job)
