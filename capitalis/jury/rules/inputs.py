"""What the rules deliberate on: evidence, the version's structure and policy, prior
validations and the crosswalk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from capitalis.jury.rules.vocabulary import (
    _ZERO,
    Absence,
    BlockKind,
    BlockRule,
    Coverage,
    GradeCombination,
    Key,
    Level,
    ResitRule,
    Route,
    Session,
)


class Evidence(NamedTuple):
    """One learner's result for one competency in one assessment (SPEC §5).

    ``assessment`` identifies the assessment; a resit names the first-session assessment it
    retakes in ``resit_of``. ``grade`` is on 20; ``level`` per competency; either may be None.
    An immutable NamedTuple rather than a frozen dataclass: a jury session builds millions of
    them, and a tuple is built in less than half the time."""

    competency: Key
    assessment: Key
    weight: Decimal = Decimal(1)
    grade: Decimal | None = None
    level: Level | None = None
    session: Session = Session.FIRST
    absence: Absence = Absence.NONE
    resit_of: Key | None = None

    @property
    def slot(self) -> Key:
        return self.resit_of if self.resit_of is not None else self.assessment


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """A block of the version being deliberated, with its competencies."""

    key: Key
    code: str
    kind: BlockKind
    competencies: tuple[Key, ...]


@dataclass(frozen=True)
class CertificationRule:
    """All common blocks (if required) + ``optional_required`` optional ones (SPEC §1)."""

    optional_required: int = 0
    all_common_required: bool = True


@dataclass(frozen=True)
class VersionStructure:
    """The version deliberated: its blocks and certification rule."""

    version: Key
    blocks: tuple[BlockSpec, ...]
    rule: CertificationRule = CertificationRule()


@dataclass(frozen=True)
class Policy:
    """How one certification version deliberates (data; defaults as SPEC §6)."""

    grade_threshold: Decimal = Decimal(10)
    level_threshold: Level = Level.ACQUIRED
    grade_combination: GradeCombination = GradeCombination.WEIGHTED_MEAN
    resit: ResitRule = ResitRule.REPLACE
    unjustified_absence_is_zero: bool = True
    block_rule: BlockRule = BlockRule.EVERY_COMPETENCY

    def as_dict(self) -> dict[str, Any]:
        return {
            "grade_threshold": str(self.grade_threshold),
            "level_threshold": self.level_threshold.value,
            "grade_combination": self.grade_combination.value,
            "resit": self.resit.value,
            "unjustified_absence_is_zero": self.unjustified_absence_is_zero,
            "block_rule": self.block_rule.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """A policy from its stored form; missing keys take the SPEC §6 defaults; unknown
        values raise ValueError."""
        default = cls()
        threshold = Decimal(str(data.get("grade_threshold", default.grade_threshold)))
        if not _ZERO <= threshold <= Decimal(20):
            raise ValueError(f"grade threshold {threshold} is outside 0–20")
        return cls(
            grade_threshold=threshold,
            level_threshold=Level(data.get("level_threshold", default.level_threshold)),
            grade_combination=GradeCombination(
                data.get("grade_combination", default.grade_combination)
            ),
            resit=ResitRule(data.get("resit", default.resit)),
            unjustified_absence_is_zero=bool(
                data.get("unjustified_absence_is_zero", default.unjustified_absence_is_zero)
            ),
            block_rule=BlockRule(data.get("block_rule", default.block_rule)),
        )


DEFAULT_POLICY = Policy()


@dataclass(frozen=True, slots=True)
class PriorValidation:
    """A block validated before (SPEC §6), under ``version``; ``carried_from`` names the earlier
    version's block when it came through the crosswalk."""

    block: Key
    version: Key
    validated_on: date
    route: Route = Route.TRAINING
    session: Key | None = None
    carried_from: Key | None = None


@dataclass(frozen=True, slots=True)
class CrosswalkEntry:
    """``from_block`` (earlier version) counts as ``to_block`` (current version), wholly or for
    the ``covered`` competencies of ``to_block`` (partial)."""

    from_block: Key
    to_block: Key
    coverage: Coverage = Coverage.WHOLE
    covered: frozenset[Key] = frozenset()


@dataclass(frozen=True, slots=True)
class PartialCredit:
    """Competencies of a current block credited by an earlier validation (partial entry)."""

    block: Key
    competencies: frozenset[Key]
    source: PriorValidation


@dataclass(frozen=True)
class CarryOver:
    validations: tuple[PriorValidation, ...]
    partial: tuple[PartialCredit, ...]
