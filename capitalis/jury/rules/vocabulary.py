"""The deliberation's vocabulary: identifiers, levels, sessions, absences, routes and the
statuses the rules give (the models add their labels).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal

Key = int | str
"""An identifier as the caller has it (a primary key or a code)."""

_ZERO = Decimal(0)
_CENT = Decimal("0.01")


def _keys(keys: Iterable[Key]) -> list[Key]:
    """Distinct keys in a stable order (JSON-ready: ints or strings as given)."""
    distinct = set(keys)
    try:
        return sorted(distinct)  # type: ignore[type-var]
    except TypeError:  # ints and strings mixed
        return sorted(distinct, key=str)


class Level(enum.StrEnum):
    """A level per competency (SPEC §5), in increasing order."""

    NOT_ACQUIRED = "not_acquired"
    IN_PROGRESS = "in_progress"
    ACQUIRED = "acquired"
    MASTERED = "mastered"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK: dict[Level, int] = {level: rank for rank, level in enumerate(Level)}


class Session(enum.StrEnum):
    FIRST = "first"
    RESIT = "resit"


class Absence(enum.StrEnum):
    NONE = "none"
    JUSTIFIED = "justified"
    UNJUSTIFIED = "unjustified"


class Route(enum.StrEnum):
    """How a block was validated (SPEC §6)."""

    TRAINING = "training"
    VAE = "vae"
    EQUIVALENCE = "equivalence"


class BlockKind(enum.StrEnum):
    COMMON = "common"
    OPTIONAL = "optional"


class Coverage(enum.StrEnum):
    WHOLE = "whole"
    PARTIAL = "partial"


class GradeCombination(enum.StrEnum):
    WEIGHTED_MEAN = "weighted_mean"


class ResitRule(enum.StrEnum):
    REPLACE = "replace"
    BEST = "best"


class BlockRule(enum.StrEnum):
    EVERY_COMPETENCY = "every_competency"


class CompetencyStatus(enum.StrEnum):
    ACQUIRED = "acquired"
    NOT_ACQUIRED = "not_acquired"
    NO_EVIDENCE = "no_evidence"


class BlockStatus(enum.StrEnum):
    VALIDATED = "validated"
    NOT_VALIDATED = "not_validated"
    INCOMPLETE = "incomplete"


class CertificationStatus(enum.StrEnum):
    CERTIFIED = "certified"
    PARTIALLY_CERTIFIED = "partially_certified"
    NOT_CERTIFIED = "not_certified"


class YearStatus(enum.StrEnum):
    VALIDATED = "validated"
    NOT_VALIDATED = "not_validated"
    INCOMPLETE = "incomplete"
