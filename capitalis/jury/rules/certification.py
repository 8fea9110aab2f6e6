"""The certification decision (SPEC §1, §6), and ``deliberate``: every rule for a whole jury
session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from capitalis.jury.rules.blocks import block_status
from capitalis.jury.rules.crosswalk import carry_over
from capitalis.jury.rules.inputs import (
    DEFAULT_POLICY,
    CertificationRule,
    CrosswalkEntry,
    Evidence,
    Policy,
    PriorValidation,
    VersionStructure,
)
from capitalis.jury.rules.reasons import Reason
from capitalis.jury.rules.results import BlockResult, CertificationResult, LearnerDeliberation
from capitalis.jury.rules.vocabulary import BlockKind, BlockStatus, CertificationStatus, Key


def certification_decision(
    blocks: Sequence[BlockResult], rule: CertificationRule
) -> CertificationResult:
    """Certified, partially certified (with its blocks) or not certified (SPEC §1, §6). No
    compensation: each block counts only if validated."""
    validated = [b.block for b in blocks if b.status is BlockStatus.VALIDATED]
    codes = [b.code for b in validated]
    common_missing = [
        b.block.code
        for b in blocks
        if b.block.kind is BlockKind.COMMON and b.status is not BlockStatus.VALIDATED
    ]
    optional = sum(1 for b in validated if b.kind is BlockKind.OPTIONAL)
    common_ok = not rule.all_common_required or not common_missing
    keys = tuple(b.key for b in validated)
    if common_ok and optional >= rule.optional_required and validated:
        return CertificationResult(
            CertificationStatus.CERTIFIED,
            keys,
            (
                Reason("certified", {"required": rule.optional_required}),
                Reason("blocks_validated", {"blocks": codes}),
            ),
        )
    reasons = []
    if rule.all_common_required and common_missing:
        reasons.append(Reason("common_missing", {"blocks": common_missing}))
    if optional < rule.optional_required:
        reasons.append(
            Reason("optional_count", {"count": optional, "required": rule.optional_required})
        )
    if validated:
        reasons.append(Reason("blocks_validated", {"blocks": codes}))
        return CertificationResult(CertificationStatus.PARTIALLY_CERTIFIED, keys, tuple(reasons))
    reasons.append(Reason("no_block_validated"))
    return CertificationResult(CertificationStatus.NOT_CERTIFIED, (), tuple(reasons))


def deliberate(
    evidence: Mapping[Key, Sequence[Evidence]],
    prior_validations: Mapping[Key, Sequence[PriorValidation]],
    structure: VersionStructure,
    policy: Policy = DEFAULT_POLICY,
    crosswalk: Sequence[CrosswalkEntry] = (),
) -> dict[Key, LearnerDeliberation]:
    """Every learner's block statuses and certification decision for one version (a jury
    session). Learners are the keys of ``evidence`` and ``prior_validations`` together (in
    that order); prior validations under other versions are carried over through
    ``crosswalk``.

    The reference: ``capitalis.jury.rules_fast.deliberate`` is its fast twin (same signature,
    same result), the one a whole session's deliberation calls."""
    out: dict[Key, LearnerDeliberation] = {}
    for learner in {**dict.fromkeys(evidence), **dict.fromkeys(prior_validations)}:
        rows = evidence.get(learner, ())
        carried = carry_over(prior_validations.get(learner, ()), crosswalk, structure.version)
        blocks = tuple(
            block_status(spec, rows, policy, carried.validations, carried.partial)
            for spec in structure.blocks
        )
        out[learner] = LearnerDeliberation(blocks, certification_decision(blocks, structure.rule))
    return out
