"""Block validation (SPEC §6): every competency acquired, or capitalised before."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from capitalis.jury.rules.competency import competency_status
from capitalis.jury.rules.inputs import (
    DEFAULT_POLICY,
    BlockSpec,
    Evidence,
    PartialCredit,
    Policy,
    PriorValidation,
)
from capitalis.jury.rules.reasons import Reason
from capitalis.jury.rules.results import BlockResult, CompetencyResult
from capitalis.jury.rules.vocabulary import BlockStatus, CompetencyStatus, Key

CompetencyRule = Callable[[Key, Sequence[Evidence], Policy], CompetencyResult]
"""``competency_status`` or its fast twin."""


def block_status(
    block: BlockSpec,
    evidence: Sequence[Evidence],
    policy: Policy = DEFAULT_POLICY,
    prior_validations: Sequence[PriorValidation] = (),
    partial_credits: Sequence[PartialCredit] = (),
) -> BlockResult:
    """The block's status for one learner (SPEC §6). A prior validation of this block (any
    session, year or route) keeps it validated; otherwise every competency must be acquired,
    from ``evidence`` or credited by a partial crosswalk entry. Evidence of other blocks'
    competencies is ignored."""
    by_competency: dict[Key, list[Evidence]] = {c: [] for c in block.competencies}
    for row in evidence:
        rows = by_competency.get(row.competency)
        if rows is not None:
            rows.append(row)
    return block_result(block, by_competency, policy, prior_validations, partial_credits)


def block_result(
    block: BlockSpec,
    by_competency: Mapping[Key, Sequence[Evidence]],
    policy: Policy,
    prior: Sequence[PriorValidation],
    partial: Sequence[PartialCredit],
    competency_rule: CompetencyRule = competency_status,
) -> BlockResult:
    """``block_status`` on evidence already grouped per competency, each competency judged by
    ``competency_rule`` (``rules_fast.deliberate`` passes the fast twin)."""
    credited: dict[Key, PartialCredit] = {}
    for part in partial:
        if part.block == block.key:
            for competency in part.competencies:
                credited.setdefault(competency, part)
    results = []
    below: list[Key] = []
    missing: list[Key] = []
    for competency in block.competencies:
        credit = credited.get(competency)
        if credit is not None:
            results.append(
                CompetencyResult(
                    competency,
                    CompetencyStatus.ACQUIRED,
                    notes=(Reason("credited_by_crosswalk", {"from_block": credit.source.block}),),
                )
            )
            continue
        result = competency_rule(competency, by_competency.get(competency, ()), policy)
        status = result.status
        if status is _NOT_ACQUIRED:
            below.append(competency)
        elif status is _NO_EVIDENCE:
            missing.append(competency)
        results.append(result)
    competencies = tuple(results)
    earlier = _earliest([v for v in prior if v.block == block.key]) if prior else None
    if earlier is not None:
        return BlockResult(block, _VALIDATED, competencies, (_validation_reason(earlier),), earlier)
    if not competencies:
        return BlockResult(block, _INCOMPLETE, (), (Reason("no_competency"),))
    if below:
        reasons = [Reason("below_threshold", {"competencies": below})]
        if missing:
            reasons.append(Reason("missing", {"competencies": missing}))
        return BlockResult(block, _NOT_VALIDATED, competencies, tuple(reasons))
    if missing:
        return BlockResult(
            block, _INCOMPLETE, competencies, (Reason("missing", {"competencies": missing}),)
        )
    all_acquired = Reason("all_acquired", {"competencies": list(block.competencies)})
    return BlockResult(block, _VALIDATED, competencies, (all_acquired,))


# The block rule runs for every competency of a session (half a million in the deliberation
# bench): an enum member looked up on its class costs ~200 ns in Python 3.11, a global 15.
_NOT_ACQUIRED = CompetencyStatus.NOT_ACQUIRED
_NO_EVIDENCE = CompetencyStatus.NO_EVIDENCE
_VALIDATED = BlockStatus.VALIDATED
_NOT_VALIDATED = BlockStatus.NOT_VALIDATED
_INCOMPLETE = BlockStatus.INCOMPLETE


def _earliest(validations: Sequence[PriorValidation]) -> PriorValidation | None:
    """The first validation in time (ties: training before VAE, then by session) — a stable
    pick whatever the order given."""
    return min(
        validations,
        key=lambda v: (v.validated_on, v.carried_from is not None, v.route.value, str(v.session)),
        default=None,
    )


def _validation_reason(validation: PriorValidation) -> Reason:
    params: dict[str, Any] = {
        "validated_on": validation.validated_on.isoformat(),
        "route": validation.route.value,
        "session": None if validation.session is None else str(validation.session),
        "version": str(validation.version),
    }
    if validation.carried_from is not None:
        params["from_block"] = str(validation.carried_from)
        return Reason("carried_over", params)
    return Reason("capitalised", params)
