"""VAE: candidates, dossiers held by a session, a learner's validations and VAE outcomes."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.enrolment.models import Learner
from capitalis.jury.models import (
    BlockValidation,
    JurySession,
    VaeBlockOutcome,
    VaeCandidate,
    VaeDossier,
)
from capitalis.referential.models import Block, CertificationVersion


def vae_candidates() -> QuerySet[VaeCandidate]:
    """Every VAE candidate with her person and version (the views scope who sees which)."""
    return VaeCandidate.objects.select_related("learner__user", "version__certification").order_by(
        "-created_at", "-pk"
    )


def vae_candidate_for(*, user: User, pk: int) -> VaeCandidate | None:
    """The VAE candidate if ``user`` may read her file (accounts.permissions, "vae_candidate":
    the candidate herself, VAE staff, the jury of her dossier's session or, before the
    interview, of an open session of her version), else None (the pages answer 404)."""
    qs = vae_candidates().filter(pk=pk).select_related("dossier__session")
    return permissions.restrict(qs, user, "vae_candidate").first()


def vae_versions() -> list[CertificationVersion]:
    """The versions a VAE candidate may be registered for, by certification."""
    return list(
        CertificationVersion.objects.select_related("certification").order_by(
            "certification__code", "position"
        )
    )


def vae_candidate_mine(*, user: User) -> VaeCandidate | None:
    """The person's own VAE candidacy (the latest, when she has several)."""
    return vae_candidates().filter(learner__user_id=user.pk).order_by("-pk").first()


def vae_blocks(*, version_id: int) -> list[Block]:
    """The blocks of the candidate's version, in order."""
    return list(Block.objects.filter(version_id=version_id).order_by("position"))


def blocks_by_id(ids: Sequence[int]) -> list[Block]:
    """The blocks with these ids (the services check they fit the version)."""
    return list(Block.objects.filter(pk__in=list(ids)))


def vae_interview_sessions(*, user: User, candidate: VaeCandidate) -> list[JurySession]:
    """The open sessions of the candidate's version that ``user`` sits on (one of them may
    hold the interview)."""
    qs = JurySession.objects.filter(version_id=candidate.version_id, status="open")
    return list(permissions.restrict(qs, user, "jury_session", "sit"))


def vae_validations(*, learner_id: int) -> dict[int, BlockValidation]:
    """The learner's capitalised blocks by block id."""
    return {
        v.block_id: v
        for v in BlockValidation.objects.filter(learner_id=learner_id).select_related("session")
    }


def vae_outcomes_for(*, learner: Learner) -> dict[int, VaeBlockOutcome]:
    """The VAE jury's outcome per block for the learner's dossiers (latest decided wins)."""
    return {
        o.block_id: o
        for o in VaeBlockOutcome.objects.filter(dossier__candidate__learner=learner).order_by(
            "updated_at", "pk"
        )
    }


def vae_dossiers_for(*, session: JurySession) -> QuerySet[VaeDossier]:
    return VaeDossier.objects.filter(session=session).select_related("candidate__learner__user")
