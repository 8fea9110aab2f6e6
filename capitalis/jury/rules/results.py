"""What the rules give: a competency's, a block's and the certification's result, with
their reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from capitalis.jury.rules.inputs import DEFAULT_POLICY, BlockSpec, Evidence, Policy, PriorValidation
from capitalis.jury.rules.reasons import Reason, _show, _sorted_note
from capitalis.jury.rules.vocabulary import (
    _LEVEL_RANK,
    _ZERO,
    BlockStatus,
    CertificationStatus,
    CompetencyStatus,
    Key,
    Level,
    _keys,
)


class CompetencyResult(NamedTuple):
    """A competency's status, the evidence that counted (in the order given) and the weighted
    sums behind it; ``reasons`` are spelled out when asked (a session computes hundreds of
    thousands of these, most never read)."""

    competency: Key
    status: CompetencyStatus
    counted: tuple[Evidence, ...] = ()
    grade_sum: Decimal = _ZERO
    grade_weight: Decimal = _ZERO
    level_sum: Decimal = _ZERO
    level_weight: Decimal = _ZERO
    notes: tuple[Reason, ...] = ()
    policy: Policy = DEFAULT_POLICY

    @property
    def grade_mean(self) -> Decimal | None:
        return self.grade_sum / self.grade_weight if self.grade_weight else None

    @property
    def level_mean(self) -> Decimal | None:
        return self.level_sum / self.level_weight if self.level_weight else None

    @property
    def reasons(self) -> tuple[Reason, ...]:
        if self.status is CompetencyStatus.NO_EVIDENCE:
            return (Reason("no_evidence"), *(_sorted_note(note) for note in self.notes))
        if not self.counted and self.notes:  # credited, not assessed
            return self.notes
        policy = self.policy
        reasons: list[Reason] = []
        grade_mean, level_mean = self.grade_mean, self.level_mean
        if grade_mean is not None:
            ok = self.grade_sum >= policy.grade_threshold * self.grade_weight
            reasons.append(
                Reason(
                    "grade_reached" if ok else "grade_below",
                    {"mean": _show(grade_mean), "threshold": str(policy.grade_threshold)},
                )
            )
        if level_mean is not None:
            ok = self.level_sum >= _LEVEL_RANK[policy.level_threshold] * self.level_weight
            reasons.append(
                Reason(
                    "level_reached" if ok else "level_below",
                    {"level": _level_name(level_mean), "threshold": policy.level_threshold.value},
                )
            )
        reasons.append(
            Reason("evidence_counted", {"counted": _keys(r.assessment for r in self.counted)})
        )
        reasons.extend(_sorted_note(note) for note in self.notes)
        return tuple(reasons)


@dataclass(frozen=True, slots=True)
class BlockResult:
    block: BlockSpec
    status: BlockStatus
    competencies: tuple[CompetencyResult, ...]
    reasons: tuple[Reason, ...]
    validation: PriorValidation | None = None  # set when capitalised or carried over

    def reasons_json(self) -> list[dict[str, Any]]:
        """Block reasons then each competency's, JSON-ready (for the decision's record)."""
        out = [r.as_dict() for r in self.reasons]
        for comp in self.competencies:
            out.extend({"competency": str(comp.competency), **r.as_dict()} for r in comp.reasons)
        return out


@dataclass(frozen=True, slots=True)
class CertificationResult:
    status: CertificationStatus
    validated_blocks: tuple[Key, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class LearnerDeliberation:
    blocks: tuple[BlockResult, ...]
    decision: CertificationResult


_LEVELS = tuple(Level)


def _level_name(mean: Decimal) -> str:
    """The level a weighted mean of ranks stands at (rounded down)."""
    return _LEVELS[min(int(mean), len(_LEVELS) - 1)].value
