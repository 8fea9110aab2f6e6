"""A learner's blocks (validated, or the latest decision) and certification decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from capitalis.core.models import pick_language
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.jury.models import (
    Appeal,
    BlockDecision,
    BlockStatus,
    BlockValidation,
    CertificationDecision,
)
from capitalis.referential.models import Block


@dataclass
class LearnerBlock:
    block: Block
    status: str
    validation: BlockValidation | None
    decision: BlockDecision | None


def learner_blocks(*, learner: Learner) -> list[tuple[Any, list[LearnerBlock]]]:
    """For each version the learner is enrolled for, deliberated on or holds blocks of: every
    block with its latest status — validated (capitalised, when, how: training or VAE), else
    the latest decision and its reasons, else not yet deliberated."""
    validations = {
        v.block_id: v
        for v in BlockValidation.objects.filter(learner=learner).select_related("session")
    }
    latest: dict[int, BlockDecision] = {}
    for d in (
        BlockDecision.objects.filter(enrolment__learner=learner, session__status="closed")
        .select_related("session", "cites__session")
        .order_by("session__date", "session_id")
    ):
        latest[d.block_id] = d
    version_ids = (
        {v.version_id for v in validations.values()}
        | {d.session.version_id for d in latest.values()}
        | set(
            Enrolment.objects.filter(learner=learner).values_list(
                "edition__programme__certification_version_id", flat=True
            )
        )
    )
    blocks = list(
        Block.objects.filter(version_id__in=version_ids)
        .select_related("version__certification")
        .order_by("version__position", "version_id", "position", "code")
    )
    out: dict[int, tuple[Any, list[LearnerBlock]]] = {}
    for b in blocks:
        v = validations.get(b.pk)
        dec = latest.get(b.pk)
        status = BlockStatus.VALIDATED if v else (dec.status if dec else "")
        out.setdefault(b.version_id, (b.version, []))[1].append(LearnerBlock(b, status, v, dec))
    return list(out.values())


def learner_decisions(*, learner: Learner) -> QuerySet[CertificationDecision]:
    """The learner's certification decisions of closed sessions, with their appeals."""
    return (
        CertificationDecision.objects.filter(enrolment__learner=learner, session__status="closed")
        .select_related("session")
        .prefetch_related(Prefetch("appeals", queryset=Appeal.objects.select_related("decided_in")))
        .order_by("-session__date")
    )


def title_of(block: Block) -> str:
    return pick_language(block.title_fr, block.title_en)
