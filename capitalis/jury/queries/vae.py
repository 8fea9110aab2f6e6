"""VAE: candidates, dossiers held by a session, a learner's validations and VAE outcomes."""

from __future__ import annotations

from django.db.models import QuerySet

from capitalis.enrolment.models import Learner
from capitalis.jury.models import (
    BlockValidation,
    JurySession,
    VaeBlockOutcome,
    VaeCandidate,
    VaeDossier,
)


def vae_candidates() -> QuerySet[VaeCandidate]:
    """Every VAE candidate with her person and version (the views scope who sees which)."""
    return VaeCandidate.objects.select_related("learner__user", "version__certification").order_by(
        "-created_at", "-pk"
    )


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
