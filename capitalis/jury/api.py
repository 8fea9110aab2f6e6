"""REST API on jury sessions (SPEC §6), under /api/jury/, with server-side scoping: a jury
member sees and acts only on her sessions (a programme director sees all), a learner only her
own blocks and decisions. Writes go through the services; a DomainError they raise is answered
by capitalis.core.handlers with its translated message, its code and the status of its code
(400, 403 not authorised, 409 a concurrent change or a state that refuses it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts import permissions
from capitalis.accounts.queries import request_user
from capitalis.core.api import ErrorSerializer, NotFoundSerializer
from capitalis.core.api_jobs import JobSerializer, job_accepted
from capitalis.core.exceptions import DomainError
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.jury import queries, services
from capitalis.jury.models import (
    Appeal,
    BlockDecision,
    BlockValidation,
    CertificationDecision,
    JurySession,
    VaeDossier,
)
from capitalis.referential.models import CertificationVersion, Competency

# What a write may answer besides its result: refused by the rules or the jury's scope (400,
# with the DomainError's code), an unknown session, decision or learner (404), and for overrides
# and appeals a concurrent change that won first (409).
_REFUSED: dict[int, Any] = {400: ErrorSerializer, 404: NotFoundSerializer}
_CONFLICT: dict[int, Any] = {**_REFUSED, 409: ErrorSerializer}


_WRITE: dict[int, Any] = {**_REFUSED, 403: ErrorSerializer}


def _invalid(errors: Any) -> Response:
    """A body DRF refused, in the shape of every refusal (``ErrorSerializer``)."""

    def flat(value: Any, prefix: str = "") -> list[str]:
        if isinstance(value, dict):
            return [m for k, v in value.items() for m in flat(v, f"{prefix}{k}.")]
        if isinstance(value, list):
            return [m for v in value for m in flat(v, prefix)]
        return [f"{prefix.rstrip('.')}: {value}" if prefix else str(value)]

    return Response({"detail": "; ".join(flat(errors)), "code": "invalid"}, status=400)


def _forbidden() -> Response:
    return Response(
        {
            "detail": _("Only a programme director may schedule or edit jury sessions."),
            "code": "not_authorised",
        },
        status=status.HTTP_403_FORBIDDEN,
    )


def _filters(data: dict[str, Any] | None) -> queries.ScopeFilters:
    data = data or {}
    return queries.ScopeFilters(
        edition=data.get("edition"),
        campus=data.get("campus"),
        new_evidence=bool(data.get("new_evidence")),
        resits=bool(data.get("resits")),
        vae=bool(data.get("vae")),
        appeals=bool(data.get("appeals")),
    )


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Ids to objects; an unknown version or a person who may not sit on a jury is refused
    (as a DomainError, so the answer names it)."""
    version = CertificationVersion.objects.filter(pk=data["version"]).first()
    if version is None:
        raise DomainError(_("Unknown certification version."), code="version")
    ids = [data["president"], *data["members"]]
    people = {u.pk: u for u in queries.jury_candidates().filter(pk__in=ids)}
    if data["president"] not in people:
        raise DomainError(_("The president must be an active staff member."), code="president")
    if any(m not in people for m in data["members"]):
        raise DomainError(_("Every member must be an active staff member."), code="members")
    return {
        "version": version,
        "date": data["date"],
        "title": data["title"],
        "president": people[data["president"]],
        "members": [people[m] for m in data["members"]],
        "filters": _filters(data.get("filters")),
        "appeal_days": data["appeal_days"],
    }


def _preview_data(preview: queries.ScopePreview) -> dict[str, Any]:
    return {
        "learners": [
            {
                "enrolment": e.pk,
                "learner": str(e.learner),
                "edition": e.edition.code,
                "campus": e.campus.code,
            }
            for e in preview.enrolments
        ],
        "vae": [
            {"dossier": d.pk, "candidate": d.candidate_id, "learner": str(d.candidate.learner)}
            for d in preview.vae_dossiers
        ],
        "appeals": [
            {
                "appeal": a.pk,
                "learner": str(a.decision.enrolment.learner),
                "lodged_on": a.lodged_on.isoformat(),
            }
            for a in preview.appeals
        ],
    }


class SessionSerializer(serializers.ModelSerializer[JurySession]):
    version = serializers.CharField(source="version.code", read_only=True)
    version_id = serializers.IntegerField(read_only=True)
    certification = serializers.CharField(source="version.certification.code", read_only=True)
    status = serializers.CharField(read_only=True)
    members = serializers.SerializerMethodField()
    scope = serializers.DictField(read_only=True)
    pending_at_close = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = JurySession
        fields = (
            "id",
            "title",
            "date",
            "certification",
            "version",
            "version_id",
            "status",
            "appeal_days",
            "president",
            "members",
            "edition",
            "campus",
            "scope",
            "closed_at",
            "minutes_sha256",
            "pending_at_close",
        )

    def get_members(self, obj: JurySession) -> list[int]:
        return sorted(m.pk for m in obj.members.all())


class ScopeFiltersSerializer(serializers.Serializer[Any]):
    edition = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="An edition (cohort) id"
    )
    campus = serializers.IntegerField(required=False, allow_null=True, default=None)
    new_evidence = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Only learners with results since their last session",
    )
    resits = serializers.BooleanField(
        required=False, default=False, help_text="Only learners an earlier session did not certify"
    )
    vae = serializers.BooleanField(
        required=False, default=False, help_text="Bring the VAE dossiers ready for a jury"
    )
    appeals = serializers.BooleanField(
        required=False, default=False, help_text="Bring the appeals to decide"
    )


class SessionWriteSerializer(serializers.Serializer[Any]):
    """A session as the programme director schedules it (PATCH: any subset)."""

    title = serializers.CharField(max_length=200, allow_blank=True)
    version = serializers.IntegerField(help_text="A certification version id")
    date = serializers.DateField()
    appeal_days = serializers.IntegerField(default=30)
    president = serializers.IntegerField(help_text="A user id")
    members = serializers.ListField(child=serializers.IntegerField(), default=list)
    filters = ScopeFiltersSerializer(required=False)


class PreviewRequestSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="A certification version id")
    filters = ScopeFiltersSerializer(required=False)
    session = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The session being edited"
    )


class PreviewSerializer(serializers.Serializer[Any]):
    learners = serializers.ListField(child=serializers.DictField())
    vae = serializers.ListField(child=serializers.DictField())
    appeals = serializers.ListField(child=serializers.DictField())


class CloseSerializer(serializers.Serializer[Any]):
    pending = serializers.ChoiceField(
        choices=["", "move", "leave"],
        required=False,
        default="",
        help_text="What becomes of the undecided VAE cases and appeals",
    )
    move_to = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A later open session"
    )


class BlockDecisionSerializer(serializers.ModelSerializer[BlockDecision]):
    block = serializers.CharField(source="block.code", read_only=True)
    learner = serializers.CharField(source="enrolment.learner", read_only=True)
    computed_status = serializers.CharField(read_only=True)
    override_status = serializers.CharField(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True)
    reasons = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = BlockDecision
        fields = (
            "id",
            "session",
            "enrolment",
            "learner",
            "block",
            "computed_status",
            "override_status",
            "status",
            "justification",
            "reasons",
            "version",
            "cites",
        )


class CertificationDecisionSerializer(serializers.ModelSerializer[CertificationDecision]):
    computed_status = serializers.CharField(read_only=True)
    override_status = serializers.CharField(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True)
    validated_blocks = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = CertificationDecision
        fields = (
            "id",
            "session",
            "enrolment",
            "computed_status",
            "override_status",
            "status",
            "validated_blocks",
            "justification",
            "version",
        )


class OverrideSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["block", "certification"])
    decision = serializers.IntegerField()
    status = serializers.CharField()
    justification = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()


class CorrectSerializer(serializers.Serializer[Any]):
    decision = serializers.IntegerField(help_text="A block decision of an earlier closed session")
    status = serializers.CharField()
    justification = serializers.CharField(allow_blank=True)


class WhatIfSerializer(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField()
    competency = serializers.IntegerField()
    grade = serializers.DecimalField(max_digits=4, decimal_places=2)


class AppealDecideSerializer(serializers.Serializer[Any]):
    appeal = serializers.IntegerField()
    upheld = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)


class VaeOutcomeSerializer(serializers.Serializer[Any]):
    dossier = serializers.IntegerField()
    block = serializers.IntegerField()
    validated = serializers.BooleanField()
    justification = serializers.CharField(allow_blank=True)


class AppealSerializer(serializers.ModelSerializer[Appeal]):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Appeal
        fields = ("id", "decision", "lodged_on", "reason", "status", "decided_in", "decision_note")
        read_only_fields = ("lodged_on", "status", "decided_in", "decision_note")


class SessionViewSet(viewsets.ReadOnlyModelViewSet[JurySession]):
    """Jury sessions the user sits on, their decisions, deliberation, overrides, what-if,
    closing and verification; a programme director schedules and edits them."""

    serializer_class = SessionSerializer
    permission_classes = [IsAuthenticated]
    queryset = JurySession.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> Any:
        return (
            queries.session_list_for(user=request_user(self.request))
            .prefetch_related("members")
            .order_by("-date", "-id")
        )

    @extend_schema(request=SessionWriteSerializer, responses={201: SessionSerializer, **_WRITE})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Schedule a session (programme director): version, date, president and members,
        and the filters choosing its learners (see ``preview`` for the list they select)."""
        actor = request_user(request)
        if not permissions.can(actor, "schedule", "jury_session").ok:
            return _forbidden()
        data = SessionWriteSerializer(data=request.data)
        if not data.is_valid():
            return _invalid(data.errors)
        session = services.session_create(**_resolve(data.validated_data), actor=actor)
        return Response(
            SessionSerializer(self.get_queryset().get(pk=session.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=SessionWriteSerializer(partial=True),
        responses={200: SessionSerializer, **_WRITE},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Edit an open session (programme director); fields left out keep their value."""
        session = self.get_object()
        actor = request_user(request)
        if not permissions.can(actor, "schedule", "jury_session").ok:
            return _forbidden()
        current = {
            "title": session.title,
            "version": session.version_id,
            "date": session.date,
            "appeal_days": session.appeal_days,
            "president": session.president_id,
            "members": sorted(m.pk for m in session.members.all()),
        }
        data = SessionWriteSerializer(data=request.data, partial=True)
        if not data.is_valid():
            return _invalid(data.errors)
        merged = {**current, **data.validated_data}
        merged.setdefault("filters", session.scope or {})
        fresh = services.session_update(session=session, **_resolve(merged), actor=actor)
        return Response(SessionSerializer(self.get_queryset().get(pk=fresh.pk)).data)

    @extend_schema(request=PreviewRequestSerializer, responses={200: PreviewSerializer, **_WRITE})
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """Dry run (programme director): the learners, VAE dossiers and appeals a session of
        this version with these filters would hold; nothing is saved."""
        actor = request_user(request)
        if not permissions.can(actor, "schedule", "jury_session").ok:
            return _forbidden()
        data = PreviewRequestSerializer(data=request.data)
        if not data.is_valid():
            return _invalid(data.errors)
        v = data.validated_data
        if not CertificationVersion.objects.filter(pk=v["version"]).exists():
            raise DomainError(_("Unknown certification version."), code="version")
        session_id = v.get("session")
        if session_id is not None and queries.session_for(user=actor, pk=session_id) is None:
            return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
        preview = queries.scope_preview(
            version_id=v["version"], filters=_filters(v.get("filters")), session_id=session_id
        )
        return Response(_preview_data(preview))

    @extend_schema(responses=BlockDecisionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def decisions(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        rows = BlockDecision.objects.filter(session=session).select_related(
            "block", "enrolment__learner__user"
        )
        return Response(BlockDecisionSerializer(rows, many=True).data)

    @extend_schema(responses=CertificationDecisionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="certification-decisions", pagination_class=None)
    def certification_decisions(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        rows = CertificationDecision.objects.filter(session=session)
        return Response(CertificationDecisionSerializer(rows, many=True).data)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("Deliberated", {"learners": serializers.IntegerField()}),
            **_REFUSED,
        },
    )
    @action(detail=True, methods=["post"])
    def deliberate(self, request: Request, pk: str | None = None) -> Response:
        count = services.deliberate(session=self.get_object(), actor=request_user(request))
        return Response({"learners": count})

    @extend_schema(
        request=OverrideSerializer, responses={200: BlockDecisionSerializer, **_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def override(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        data = OverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        decision: BlockDecision | CertificationDecision
        if v["kind"] == "block":
            decision = get_object_or_404(BlockDecision, session=session, pk=v["decision"])
        else:
            decision = get_object_or_404(CertificationDecision, session=session, pk=v["decision"])
        fresh = services.decision_override(
            decision=decision,
            status=v["status"],
            justification=v["justification"],
            expected_version=v["version"],
            actor=request_user(request),
        )
        if isinstance(fresh, BlockDecision):
            return Response(BlockDecisionSerializer(fresh).data)
        return Response(CertificationDecisionSerializer(fresh).data)

    @extend_schema(request=CorrectSerializer, responses={201: BlockDecisionSerializer, **_REFUSED})
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str | None = None) -> Response:
        """The president of this (later, open) session corrects a block decision of an earlier
        closed session of the same version: a new decision citing the old one."""
        session = self.get_object()
        data = CorrectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        old = get_object_or_404(
            BlockDecision, pk=v["decision"], session__version_id=session.version_id
        )
        new = services.decision_correct(
            old=old,
            session=session,
            status=v["status"],
            justification=v["justification"],
            actor=request_user(request),
        )
        return Response(BlockDecisionSerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WhatIfSerializer,
        responses={
            200: inline_serializer(
                "WhatIf",
                {
                    "blocks": serializers.ListField(child=serializers.DictField()),
                    "decision_now": serializers.CharField(),
                    "decision_then": serializers.CharField(),
                },
            ),
            **_REFUSED,
        },
    )
    @action(detail=True, methods=["post"], url_path="what-if")
    def what_if(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        data = WhatIfSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        enrolment = get_object_or_404(Enrolment, pk=v["enrolment"], jury_sessions=session)
        competency = get_object_or_404(Competency, pk=v["competency"])
        result = services.what_if(
            session=session,
            enrolment=enrolment,
            competency=competency,
            grade=Decimal(v["grade"]),
            actor=request_user(request),
        )
        return Response(
            {
                "blocks": [
                    {"block": b.code, "now": now, "then": then, "reasons": reasons}
                    for b, now, then, reasons in result.blocks
                ],
                "decision_now": result.decision_now,
                "decision_then": result.decision_then,
            }
        )

    @extend_schema(request=AppealDecideSerializer, responses={200: AppealSerializer, **_CONFLICT})
    @action(detail=True, methods=["post"], url_path="decide-appeal")
    def decide_appeal(self, request: Request, pk: str | None = None) -> Response:
        """A later session decides a pending appeal."""
        session = self.get_object()
        data = AppealDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        appeal = get_object_or_404(
            Appeal, pk=v["appeal"], decision__session__version_id=session.version_id
        )
        appeal = services.appeal_decide(
            appeal=appeal,
            session=session,
            upheld=v["upheld"],
            note=v["note"],
            actor=request_user(request),
        )
        return Response(AppealSerializer(appeal).data)

    @extend_schema(
        request=VaeOutcomeSerializer,
        responses={
            200: inline_serializer("VaeOutcome", {"validated_blocks": serializers.IntegerField()}),
            **_REFUSED,
        },
    )
    @action(detail=True, methods=["post"], url_path="vae-outcome")
    def vae_outcome(self, request: Request, pk: str | None = None) -> Response:
        """The interviewing session decides one block of a VAE dossier (capitalised if
        validated)."""
        session = self.get_object()
        data = VaeOutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        dossier = get_object_or_404(VaeDossier, pk=v["dossier"], session=session)
        created = services.vae_outcome_decide(
            dossier=dossier,
            outcomes={v["block"]: (v["validated"], v["justification"])},
            actor=request_user(request),
        )
        return Response({"validated_blocks": len(created)})

    @extend_schema(
        request=CloseSerializer,
        responses={202: JobSerializer, **_REFUSED},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close and sign (president; not before the session's date). VAE cases and appeals
        the session has not decided need ``pending``: ``move`` (with ``move_to``, a later
        open session) or ``leave``; they are listed in the minutes.

        Closing runs as a background job: the answer is 202 with the job (``Location``: its
        address under /api/jobs/); poll it until ``status`` is ``done`` (``result``:
        ``session``, ``minutes_sha256``) or ``failed`` (``message``). Refusals known at once
        answer 400 as before. Asked again while the job runs or once it closed the session,
        the same job is returned."""
        session = self.get_object()
        data = CloseSerializer(data=request.data)
        if not data.is_valid():
            return _invalid(data.errors)
        v = data.validated_data
        move_to = None
        if v.get("move_to") is not None:
            move_to = queries.later_open_sessions(session=session).filter(pk=v["move_to"]).first()
            if move_to is None:
                raise DomainError(
                    _("The pending cases can only move to a later open session of this version."),
                    code="move_to",
                )
        job = services.session_close_start(
            session=session, actor=request_user(request), pending=v["pending"], move_to=move_to
        )
        return job_accepted(job)

    @extend_schema(
        responses=inline_serializer(
            "MinutesCheck",
            {
                "ok": serializers.BooleanField(),
                "stored": serializers.CharField(),
                "computed": serializers.CharField(),
                "message": serializers.CharField(),
            },
        )
    )
    @action(detail=True, methods=["get"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        check = services.minutes_verify(session=self.get_object())
        return Response(
            {
                "ok": check.ok,
                "stored": check.stored,
                "computed": check.computed,
                "message": check.message,
            }
        )


class MyAppealView(APIView):
    """The learner lodges an appeal against one of her decisions, within the period."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AppealSerializer, responses={201: AppealSerializer, **_REFUSED})
    def post(self, request: Request) -> Response:
        data = AppealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = get_object_or_404(
            CertificationDecision,
            pk=data.validated_data["decision"].pk,
            enrolment__learner__user=request_user(request),
        )
        appeal = services.appeal_lodge(
            decision=decision, reason=data.validated_data["reason"], actor=request_user(request)
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class MyBlocksView(APIView):
    """The learner's own capitalised blocks and decisions (closed sessions only)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "MyBlocks",
            {
                "validated": serializers.ListField(child=serializers.DictField()),
                "decisions": CertificationDecisionSerializer(many=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        learner = Learner.objects.filter(user=request_user(request)).first()
        if learner is None:
            return Response({"validated": [], "decisions": []})
        validated = [
            {
                "block": v.block.code,
                "version": v.version.code,
                "validated_on": v.validated_on.isoformat(),
                "route": v.route,
            }
            for v in BlockValidation.objects.filter(learner=learner).select_related(
                "block", "version"
            )
        ]
        decisions = queries.learner_decisions(learner=learner)
        return Response(
            {
                "validated": validated,
                "decisions": CertificationDecisionSerializer(decisions, many=True).data,
            }
        )
