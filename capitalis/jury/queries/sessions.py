"""Jury sessions: who sees which (scoping), what a session would hold when scheduled
(learners, VAE dossiers, appeals), what it holds undecided, and who may sit on a jury."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.assessment.models import Result
from capitalis.enrolment.models import Enrolment
from capitalis.jury.models import (
    Appeal,
    CertificationDecision,
    JurySession,
    JurySessionLearner,
    VaeDossier,
)


def session_list_for(*, user: User) -> QuerySet[JurySession]:
    """The sessions ``user`` sits on (president or member); a programme director sees all."""
    qs = JurySession.objects.select_related("version__certification", "president")
    return permissions.restrict(qs, user, "jury_session")


def session_for(*, user: User, pk: int) -> JurySession | None:
    """The session if ``user`` may see it (its jury or a programme director), else None."""
    return session_list_for(user=user).filter(pk=pk).first()


@dataclass(frozen=True)
class ScopeFilters:
    """How the programme director chooses a session's learners. ``edition`` and ``campus``
    narrow the version's enrolments (none: all of them); ``new_evidence`` (results entered since
    the learner's last closed session of this version, or any result if she never sat one)
    and ``resits`` (a closed session of this version did not certify her, and none did since)
    keep only those learners (both: either). ``vae`` brings the VAE dossiers ready for a jury
    (admissible, with documents, no outcome yet, not held by another open session);
    ``appeals`` the appeals lodged against an earlier session of the version and not decided
    nor scheduled in another open session."""

    edition: int | None = None
    campus: int | None = None
    new_evidence: bool = False
    resits: bool = False
    vae: bool = False
    appeals: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "edition": self.edition,
            "campus": self.campus,
            "new_evidence": self.new_evidence,
            "resits": self.resits,
            "vae": self.vae,
            "appeals": self.appeals,
        }


@dataclass(frozen=True)
class ScopePreview:
    """The learners, VAE dossiers and appeals a session with these filters would hold."""

    enrolments: list[Enrolment]
    vae_dossiers: list[VaeDossier]
    appeals: list[Appeal]


def _final_status() -> Coalesce:
    return Coalesce("override_status", "computed_status")


def scope_enrolments(
    *, version_id: int, filters: ScopeFilters, session_id: int | None = None
) -> QuerySet[Enrolment]:
    """The enrolments the filters select for a session of ``version_id`` (``session_id``: the
    session being edited, whose own deliberation is not "a last session")."""
    from django.db.models import Exists, OuterRef, Subquery

    qs = Enrolment.objects.filter(edition__programme__certification_version_id=version_id).exclude(
        status="withdrawn"
    )
    if filters.edition is not None:
        qs = qs.filter(edition_id=filters.edition)
    if filters.campus is not None:
        qs = qs.filter(campus_id=filters.campus)
    kinds = Q()
    if filters.new_evidence:
        closed = JurySessionLearner.objects.filter(
            enrolment=OuterRef("pk"), session__version_id=version_id, session__status="closed"
        )
        if session_id is not None:
            closed = closed.exclude(session_id=session_id)
        last = closed.order_by("-session__closed_at").values("session__closed_at")[:1]
        qs = qs.annotate(last_closed=Subquery(last))
        results = Result.objects.filter(enrolment=OuterRef("pk"))
        kinds |= Q(last_closed__isnull=True, has_results=True) | Q(
            last_closed__isnull=False, has_newer=True
        )
        qs = qs.annotate(
            has_results=Exists(results),
            has_newer=Exists(results.filter(entered_at__gt=OuterRef("last_closed"))),
        )
    if filters.resits:
        decisions = CertificationDecision.objects.annotate(final=_final_status()).filter(
            enrolment=OuterRef("pk"), session__version_id=version_id, session__status="closed"
        )
        kinds |= Exists(decisions.exclude(final="certified")) & ~Exists(
            decisions.filter(final="certified")
        )
    if filters.new_evidence or filters.resits:
        qs = qs.filter(kinds)
    return qs


def scope_vae_dossiers(*, version_id: int, session_id: int | None = None) -> QuerySet[VaeDossier]:
    """VAE dossiers ready for a jury of the version: admissible, at least one document, no
    outcome yet, and not held by another open session (one whose session closed without a
    decision is ready again)."""
    qs = VaeDossier.objects.filter(
        candidate__version_id=version_id,
        candidate__admissibility="admissible",
        documents__isnull=False,
        outcomes__isnull=True,
    )
    held = Q(session__status="open")
    if session_id is not None:
        held &= ~Q(session_id=session_id)
    return qs.exclude(held).distinct()


def scope_appeals(*, version_id: int, session_id: int | None = None) -> QuerySet[Appeal]:
    """Lodged appeals against a decision of the version, not scheduled in another open
    session."""
    qs = Appeal.objects.filter(status="lodged", decision__session__version_id=version_id)
    held = Q(scheduled_in__status="open")
    if session_id is not None:
        held &= ~Q(scheduled_in_id=session_id)
    qs = qs.exclude(held)
    if session_id is not None:
        qs = qs.exclude(decision__session_id=session_id)
    return qs


def scope_preview(
    *, version_id: int, filters: ScopeFilters, session_id: int | None = None
) -> ScopePreview:
    """What a session with these filters would hold, shaped for the preview (names and
    cohorts joined): three queries whatever the number of learners."""
    enrolments = list(
        scope_enrolments(version_id=version_id, filters=filters, session_id=session_id)
        .select_related("learner__user", "edition", "campus")
        .order_by("learner__user__full_name", "pk")
    )
    dossiers = (
        list(
            scope_vae_dossiers(version_id=version_id, session_id=session_id)
            .select_related("candidate__learner__user", "session")
            .order_by("candidate__learner__user__full_name", "pk")
        )
        if filters.vae
        else []
    )
    appeals = (
        list(
            scope_appeals(version_id=version_id, session_id=session_id)
            .select_related("decision__session", "decision__enrolment__learner__user")
            .order_by("lodged_on", "pk")
        )
        if filters.appeals
        else []
    )
    return ScopePreview(enrolments, dossiers, appeals)


@dataclass(frozen=True)
class Pending:
    """What a session holds undecided: VAE dossiers without an outcome, lodged appeals."""

    vae_dossiers: list[VaeDossier]
    appeals: list[Appeal]

    def __bool__(self) -> bool:
        return bool(self.vae_dossiers or self.appeals)

    def as_list(self) -> list[dict[str, Any]]:
        """The pending cases as the minutes and the audit record them."""
        return [
            {"kind": "vae", "id": d.pk, "learner": str(d.candidate.learner)}
            for d in self.vae_dossiers
        ] + [
            {"kind": "appeal", "id": a.pk, "learner": str(a.decision.enrolment.learner)}
            for a in self.appeals
        ]


def session_pending(*, session: JurySession) -> Pending:
    """The VAE dossiers and appeals the session holds and has not decided: two queries."""
    return Pending(
        list(
            VaeDossier.objects.filter(session=session, outcomes__isnull=True)
            .distinct()
            .select_related("candidate__learner__user")
            .order_by("pk")
        ),
        list(
            Appeal.objects.filter(scheduled_in=session, status="lodged")
            .select_related("decision__session", "decision__enrolment__learner__user")
            .order_by("pk")
        ),
    )


def later_open_sessions(*, session: JurySession) -> QuerySet[JurySession]:
    """Open sessions of the same version after ``session``: where its pending cases may go."""
    return (
        JurySession.objects.filter(version_id=session.version_id, status="open")
        .exclude(pk=session.pk)
        .filter(Q(date__gt=session.date) | Q(date=session.date, pk__gt=session.pk))
        .order_by("date", "pk")
    )


def jury_candidates() -> QuerySet[User]:
    """Who may sit on a jury: active staff (a staff role, or staff status)."""
    from capitalis.accounts.rules import STAFF_ROLES

    staff = Q(is_staff=True) | Q(role_assignments__role__in=[r.value for r in STAFF_ROLES])
    return User.objects.filter(
        pk__in=User.objects.filter(staff, is_active=True).values("pk")
    ).order_by("full_name", "email")
