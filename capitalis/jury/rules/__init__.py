"""Deliberation rules, pure (SPEC §6): competency acquisition, block validation with
capitalisation, carry-over across versions through the crosswalk (SPEC §1), the certification
decision, and for the ECTS a course's grade and the year's validation. ``deliberate`` runs them
for a whole jury session.

No Django, no clock, no I/O. Every status comes with its reasons: a stable ``code`` and the
figures behind it (``params``, JSON-ready), which the services say in the user's language;
``Reason.message`` is the English sentence.

Decisions this module encodes (defaults of SPEC §6, each a field of ``Policy`` where it can vary
per certification version):

- Grades of a competency combine as the mean of its evidence weighted by each assessment's
  weight. Comparisons are exact (``Σ w·g ≥ threshold · Σ w``, no rounding); the mean shown is
  rounded to two places. Evidence of weight 0 does not count (formative).
- Levels (not acquired < in progress < acquired < mastered) combine the same way, on ranks 0–3.
  A competency is acquired when its weighted grade reaches the grade threshold (10/20) OR its
  weighted level reaches the level threshold (acquired).
- Resit: evidence is grouped per assessment "slot" (the first-session assessment; a resit row
  names it in ``resit_of``). Where a slot has resit evidence that counts, it REPLACES the
  first-session evidence of that slot, whether higher or lower (``ResitRule.BEST`` keeps the
  better of the two instead). A justified absence at the resit leaves the first session standing.
- Absence: a justified absence does not count (the competency may stay without evidence); an
  unjustified absence counts as 0/20 (``Policy.unjustified_absence_is_zero``).
- A block is validated when every one of its competencies is acquired; not validated when at
  least one is below threshold (even if others lack evidence: the session cannot validate it);
  incomplete when none is below threshold but some have no evidence. No compensation, neither
  between competencies nor across blocks.
- Capitalisation: a block validated before (any session, any year, training or VAE), passed in as
  a ``PriorValidation`` of the current version, stays validated whatever the later evidence.
- Carry-over: a validation under an earlier version counts through the crosswalk. A WHOLE entry
  validates the current block. A PARTIAL entry validates nothing by itself: it credits only the
  current block's competencies the entry names as covered (none unless it names them); every
  other competency of the block must be acquired through current evidence.
- Certification: certified when every common block (if required) and at least k optional blocks
  are validated; partially certified (with its blocks) when at least one block is validated;
  not certified otherwise.

Each rule here is the readable reference. Where a session's scale needs more speed
(benchmarks/deliberation.py: ``deliberate`` takes 20,000 learners' ~2.7 million evidence rows),
a fast twin of the same signature lives in ``capitalis.jury.rules_fast`` (``competency_status``
and ``deliberate``), and tests/jury/test_rules_fast.py proves on random inputs that both give
the same results. The types built by the hundred thousand or more, ``Evidence``,
``CompetencyResult`` and ``Reason``, are immutable NamedTuples (built in half the time of a
frozen dataclass); everything else is a frozen dataclass. The grades stay Decimal (the rows
carry Decimals: converting them costs more than the arithmetic saved). A competency's reasons
are spelled out when read.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

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


# ---------------------------------------------------------------------------------------------
# Reasons


def gettext_noop(text: str) -> str:
    """Mark ``text`` for translation without translating it (the rules import no Django;
    ``makemessages`` finds the texts by this name, the queries translate them)."""
    return text


#: The deliberation reasons' texts, said once: ``Reason.message`` fills them in English, the
#: jury queries translate them (``gettext``) for the grid, the minutes and the API.
REASON_TEXTS: dict[str, str] = {
    "grade_reached": gettext_noop("weighted grade %(mean)s/20 reaches %(threshold)s"),
    "grade_below": gettext_noop("weighted grade %(mean)s/20 is below %(threshold)s"),
    "level_reached": gettext_noop("level %(level)s reaches %(threshold)s"),
    "level_below": gettext_noop("level %(level)s is below %(threshold)s"),
    "no_evidence": gettext_noop("no evidence counted"),
    "evidence_counted": gettext_noop("evidence counted: %(counted)s"),
    "evidence_replaced": gettext_noop("first-session evidence replaced by the resit: %(replaced)s"),
    "evidence_kept_over_resit": gettext_noop("first session kept over a lower resit: %(replaced)s"),
    "justified_absence": gettext_noop("justified absence, not counted: %(assessments)s"),
    "unjustified_absence": gettext_noop("unjustified absence counted as 0: %(assessments)s"),
    "zero_weight": gettext_noop("weight 0, not counted: %(assessments)s"),
    "credited_by_crosswalk": gettext_noop(
        "credited by the earlier version's block %(from_block)s (partial crosswalk entry)"
    ),
    "capitalised": gettext_noop("validated on %(validated_on)s (%(route)s), capitalised"),
    "carried_over": gettext_noop(
        "validated on %(validated_on)s (%(route)s) under the earlier version's block "
        "%(from_block)s, carried over by the crosswalk"
    ),
    "all_acquired": gettext_noop("every competency acquired: %(competencies)s"),
    "below_threshold": gettext_noop("competencies below threshold: %(competencies)s"),
    "missing": gettext_noop("competencies without evidence: %(competencies)s"),
    "no_competency": gettext_noop("the block has no competency"),
    "common_missing": gettext_noop("common blocks not validated: %(blocks)s"),
    "optional_count": gettext_noop(
        "%(count)s optional block(s) validated of %(required)s required"
    ),
    "certified": gettext_noop("every common block and %(required)s optional block(s) validated"),
    "blocks_validated": gettext_noop("blocks validated: %(blocks)s"),
    "no_block_validated": gettext_noop("no block validated"),
    "course_passed": gettext_noop("%(course)s: %(grade)s/20, %(ects)s ECTS earned"),
    "course_failed": gettext_noop("%(course)s: %(grade)s/20 is below %(threshold)s"),
    "course_missing": gettext_noop("%(course)s: no grade"),
    "compensated": gettext_noop(
        "year mean %(mean)s/20 reaches %(threshold)s: every course compensated"
    ),
    "ects_earned": gettext_noop("%(earned)s ECTS earned of %(required)s"),
}

_MESSAGES: dict[str, str] = dict(REASON_TEXTS)


_NO_PARAMS: Mapping[str, Any] = MappingProxyType({})


class Reason(NamedTuple):
    """Why: a stable ``code`` (translated by the services) and its JSON-ready ``params``. An
    immutable NamedTuple: a session builds hundreds of thousands (notes, block reasons)."""

    code: str
    params: Mapping[str, Any] = _NO_PARAMS

    @property
    def message(self) -> str:
        """The English sentence."""
        values = {
            k: ", ".join(str(x) for x in v) if isinstance(v, list | tuple) else v
            for k, v in self.params.items()
        }
        return _MESSAGES[self.code] % values

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}


def _sorted_note(note: Reason) -> Reason:
    """A note whose key tuples become sorted lists of distinct keys."""
    params = {k: _keys(v) if isinstance(v, tuple) else v for k, v in note.params.items()}
    return Reason(note.code, params)


def _show(value: Decimal) -> str:
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------------------------
# Inputs


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


# ---------------------------------------------------------------------------------------------
# Results


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


# ---------------------------------------------------------------------------------------------
# Competency


def competency_status(
    competency: Key, evidence: Sequence[Evidence], policy: Policy = DEFAULT_POLICY
) -> CompetencyResult:
    """Is ``competency`` acquired on ``evidence`` (its rows, in any order)? SPEC §6: weighted
    grade ≥ threshold or weighted level ≥ level threshold; see the module docstring for
    resits, absences and weights. First the rows that count and the notes (``_counted``),
    then their weighted sums (``_sums``).

    The reference: ``capitalis.jury.rules_fast.competency_status`` is its fast twin (same
    signature, same result to the digit, as tests/jury/test_rules_fast.py checks on random
    evidence)."""
    counted, notes = _counted(evidence, policy)
    gs, gw, ls, lw = _sums(counted, policy.unjustified_absence_is_zero)
    if not gw and not lw:
        return CompetencyResult(competency, CompetencyStatus.NO_EVIDENCE, notes=tuple(notes))
    grade_reached = bool(gw) and gs >= policy.grade_threshold * gw
    level_reached = bool(lw) and ls >= policy.level_threshold.rank * lw
    return CompetencyResult(
        competency,
        CompetencyStatus.ACQUIRED
        if grade_reached or level_reached
        else CompetencyStatus.NOT_ACQUIRED,
        tuple(counted),
        gs,
        gw,
        ls,
        lw,
        tuple(notes),
        policy,
    )


def _counted(rows: Sequence[Evidence], policy: Policy) -> tuple[list[Evidence], list[Reason]]:
    """The rows that count (in the order given) and notes (their keys unsorted:
    ``CompetencyResult.reasons`` puts them in order when asked)."""
    notes: list[Reason] = []
    usable: list[Evidence] = []
    justified: list[Key] = []
    zero: list[Key] = []
    zero_absent = policy.unjustified_absence_is_zero
    for row in rows:
        if row.absence is Absence.JUSTIFIED or (
            row.absence is Absence.UNJUSTIFIED and not zero_absent
        ):
            justified.append(row.assessment)
        elif row.weight <= _ZERO:
            zero.append(row.assessment)
        else:
            usable.append(row)
    if justified:
        notes.append(Reason("justified_absence", {"assessments": tuple(justified)}))
    if zero:
        notes.append(Reason("zero_weight", {"assessments": tuple(zero)}))
    if any(row.session is Session.RESIT for row in usable):
        usable, replaced, kept_first = _resits(usable, policy)
        if replaced:
            notes.append(
                Reason("evidence_replaced", {"replaced": tuple(r.assessment for r in replaced)})
            )
        if kept_first:
            notes.append(
                Reason(
                    "evidence_kept_over_resit",
                    {"replaced": tuple(r.assessment for r in kept_first)},
                )
            )
    absent = [r.assessment for r in usable if r.absence is Absence.UNJUSTIFIED]
    if absent:
        notes.append(Reason("unjustified_absence", {"assessments": tuple(absent)}))
    return usable, notes


def _resits(
    usable: list[Evidence], policy: Policy
) -> tuple[list[Evidence], list[Evidence], list[Evidence]]:
    """Per slot (the first-session assessment a resit retakes), the resit's rows replace the
    first session's (``ResitRule.REPLACE``), or the better of the two stays
    (``ResitRule.BEST``). The rows kept, the first-session rows replaced and the resit rows a
    better first session kept out, each in the order given."""
    first: dict[Key, list[Evidence]] = {}
    resit: dict[Key, list[Evidence]] = {}
    for row in usable:
        (resit if row.session is Session.RESIT else first).setdefault(row.slot, []).append(row)
    first_stays = {
        slot
        for slot, retaken in resit.items()
        if policy.resit is ResitRule.BEST
        and slot in first
        and _better(first[slot], retaken, policy)
    }
    kept: list[Evidence] = []
    replaced: list[Evidence] = []
    kept_out: list[Evidence] = []
    for row in usable:
        if row.slot not in resit:
            kept.append(row)
        elif row.session is Session.RESIT:
            (kept_out if row.slot in first_stays else kept).append(row)
        else:
            (kept if row.slot in first_stays else replaced).append(row)
    return kept, replaced, kept_out


def _sums(rows: Iterable[Evidence], zero_absent: bool) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(Σ w·g, Σ w over graded rows, Σ w·rank, Σ w over rows with a level); an unjustified
    absence weighs in the grade as 0 when ``zero_absent``."""
    gw = gs = lw = ls = _ZERO
    for row in rows:
        weight = row.weight
        if row.absence is Absence.UNJUSTIFIED:
            if zero_absent:
                gw += weight
            continue
        if row.grade is not None:
            gs += weight * row.grade
            gw += weight
        if row.level is not None:
            ls += weight * _LEVEL_RANK[row.level]
            lw += weight
    return gs, gw, ls, lw


def _better(first: list[Evidence], resit: list[Evidence], policy: Policy) -> bool:
    """Is the first session strictly better than the resit (grade mean, else level mean)?"""
    zero_absent = policy.unjustified_absence_is_zero
    fgs, fgw, fls, flw = _sums(first, zero_absent)
    rgs, rgw, rls, rlw = _sums(resit, zero_absent)
    if fgw and rgw:
        return fgs * rgw > rgs * fgw
    if flw and rlw:
        return fls * rlw > rls * flw
    return False


_LEVELS = tuple(Level)


def _level_name(mean: Decimal) -> str:
    """The level a weighted mean of ranks stands at (rounded down)."""
    return _LEVELS[min(int(mean), len(_LEVELS) - 1)].value


# ---------------------------------------------------------------------------------------------
# Block


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


# ---------------------------------------------------------------------------------------------
# Carry-over


def carry_over(
    prior_validations: Sequence[PriorValidation],
    crosswalk: Sequence[CrosswalkEntry],
    current_version: Key,
) -> CarryOver:
    """Earlier-version validations seen through the crosswalk (SPEC §1): a WHOLE entry makes a
    validation of the current block (same date, route and session, ``carried_from`` set); a
    PARTIAL entry only credits the competencies it names as covered. Validations already under
    ``current_version`` pass through unchanged; others without an entry are dropped."""
    by_from: dict[Key, list[CrosswalkEntry]] = defaultdict(list)
    for entry in crosswalk:
        by_from[entry.from_block].append(entry)
    validations: list[PriorValidation] = []
    partial: list[PartialCredit] = []
    for validation in prior_validations:
        if validation.version == current_version:
            validations.append(validation)
            continue
        for entry in by_from.get(validation.block, ()):
            if entry.coverage is Coverage.WHOLE:
                validations.append(
                    PriorValidation(
                        block=entry.to_block,
                        version=current_version,
                        validated_on=validation.validated_on,
                        route=validation.route,
                        session=validation.session,
                        carried_from=validation.block,
                    )
                )
            elif entry.covered:
                partial.append(PartialCredit(entry.to_block, entry.covered, validation))
    return CarryOver(tuple(validations), tuple(partial))


# ---------------------------------------------------------------------------------------------
# Certification


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


# ---------------------------------------------------------------------------------------------
# Year (ECTS)


class CourseEvidence(NamedTuple):
    """One of the learner's results in an assessment of a course: the assessment, its weight
    and session, the grade on 20 (None: not graded) and the absence."""

    assessment: Key
    weight: Decimal
    session: Session = Session.FIRST
    grade: Decimal | None = None
    absence: Absence = Absence.NONE


@dataclass(frozen=True, slots=True)
class CourseGrade:
    """A course's final grade on 20 (None: nothing graded yet) and whether a resit counted."""

    grade: Decimal | None
    resit: bool


def _weighted_mean(pairs: Sequence[tuple[Decimal, Decimal]]) -> Decimal | None:
    """The mean of (weight, grade) pairs weighted, rounded to two places; None without weight."""
    weight = sum((w for w, _g in pairs), _ZERO)
    if not weight:
        return None
    return (sum((w * g for w, g in pairs), _ZERO) / weight).quantize(_CENT)


def course_grade(results: Sequence[CourseEvidence]) -> CourseGrade:
    """A course's final grade from the learner's results in its assessments (SPEC §6 defaults,
    as the deliberation). Per assessment: the mean of its graded results, where an unjustified
    absence counts 0 and a justified one is left out (an assessment left with nothing does
    not count). Then the assessments' mean weighted by their weights, rounded to two places.
    When a resit assessment of the course was graded, the resits' mean replaces the first
    session's, higher or lower (``ResitRule.REPLACE``)."""
    per_assessment: dict[Key, tuple[Decimal, Session, list[Decimal]]] = {}
    for result in results:
        _w, _s, grades = per_assessment.setdefault(
            result.assessment, (result.weight, result.session, [])
        )
        if result.absence is Absence.JUSTIFIED:
            continue
        if result.absence is Absence.UNJUSTIFIED:
            grades.append(_ZERO)
        elif result.grade is not None:
            grades.append(result.grade)
    first: list[tuple[Decimal, Decimal]] = []
    resit: list[tuple[Decimal, Decimal]] = []
    for weight, session, grades in per_assessment.values():
        if grades:
            (resit if session is Session.RESIT else first).append(
                (weight, sum(grades, _ZERO) / len(grades))
            )
    if resit:
        return CourseGrade(_weighted_mean(resit), True)
    return CourseGrade(_weighted_mean(first), False)


@dataclass(frozen=True, slots=True)
class CourseResult:
    """A course of the year with its ECTS and the learner's final grade on 20 (None: none yet)."""

    course: str
    ects: Decimal
    grade: Decimal | None


@dataclass(frozen=True)
class YearRule:
    """The edition's rule for a year (SPEC §6): each course passed at ``pass_mark`` earns its
    ECTS; with ``compensation`` an ECTS-weighted year mean at the pass mark earns them all.
    The year is validated when ``ects_required`` are earned."""

    pass_mark: Decimal = Decimal(10)
    compensation: bool = False
    ects_required: Decimal = Decimal(60)


@dataclass(frozen=True, slots=True)
class YearResult:
    status: YearStatus
    ects_earned: Decimal
    mean: Decimal | None
    reasons: tuple[Reason, ...]


def year_validation(courses: Sequence[CourseResult], rule: YearRule = YearRule()) -> YearResult:
    """Is the year validated (60 ECTS by default), and how many ECTS are earned?"""
    reasons: list[Reason] = []
    earned = _ZERO
    missing = False
    for course in sorted(courses, key=lambda c: c.course):
        if course.grade is None:
            missing = True
            reasons.append(Reason("course_missing", {"course": course.course}))
        elif course.grade >= rule.pass_mark:
            earned += course.ects
            reasons.append(
                Reason(
                    "course_passed",
                    {"course": course.course, "grade": str(course.grade), "ects": str(course.ects)},
                )
            )
        else:
            reasons.append(
                Reason(
                    "course_failed",
                    {
                        "course": course.course,
                        "grade": str(course.grade),
                        "threshold": str(rule.pass_mark),
                    },
                )
            )
    graded = [c for c in courses if c.grade is not None]
    weight = sum((c.ects for c in graded), _ZERO)
    mean = None
    if weight:
        total = sum((c.ects * c.grade for c in graded if c.grade is not None), _ZERO)
        mean = total / weight
        if rule.compensation and not missing and total >= rule.pass_mark * weight:
            earned = sum((c.ects for c in courses), _ZERO)
            reasons.append(
                Reason("compensated", {"mean": _show(mean), "threshold": str(rule.pass_mark)})
            )
    reasons.append(
        Reason("ects_earned", {"earned": str(earned), "required": str(rule.ects_required)})
    )
    if earned >= rule.ects_required:
        status = YearStatus.VALIDATED
    elif missing:
        status = YearStatus.INCOMPLETE
    else:
        status = YearStatus.NOT_VALIDATED
    return YearResult(status, earned, mean, tuple(reasons))


# ---------------------------------------------------------------------------------------------
# Batch


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


# ---------------------------------------------------------------------------------------------
# Scheduling and closing a session


class PendingChoice(enum.StrEnum):
    """What the president decides, on closing, about the VAE cases and appeals the session
    holds undecided: move them to a later (open) session, or leave them pending (listed in the
    minutes and the audit trail). Deciding them first leaves nothing pending."""

    MOVE = "move"
    LEAVE = "leave"


_MESSAGES.update(
    {
        "president_is_member": "the president cannot also be a member",
        "member_repeated": "a member is listed twice",
        "session_closed": "the session is closed",
        "before_date": "the session is on %(date)s: it cannot be closed before "
        "(today is %(today)s)",
        "pending_undecided": "%(vae)s VAE case(s) and %(appeals)s appeal(s) are undecided: decide "
        "them, move them to a later session or leave them pending explicitly",
        "move_needs_target": "moving the pending cases needs a later open session",
    }
)


@dataclass(frozen=True, slots=True)
class SessionCheck:
    """Whether a session write is allowed, with the reasons it is not."""

    ok: bool
    reasons: tuple[Reason, ...] = ()


def session_composition(president: Key, members: Sequence[Key]) -> SessionCheck:
    """A jury is distinct people: the president is not also a member, no member twice."""
    reasons: list[Reason] = []
    if president in members:
        reasons.append(Reason("president_is_member"))
    if len(set(members)) != len(members):
        reasons.append(Reason("member_repeated"))
    return SessionCheck(not reasons, tuple(reasons))


def session_editable(*, closed: bool) -> SessionCheck:
    """A session is scheduled and edited while it is open; once closed it is frozen."""
    if closed:
        return SessionCheck(False, (Reason("session_closed"),))
    return SessionCheck(True)


def session_closable(
    *,
    session_date: date,
    today: date,
    pending_vae: int,
    pending_appeals: int,
    choice: PendingChoice | None,
    has_target: bool = False,
) -> SessionCheck:
    """May the session be closed today? Not before its date (its minutes, and every certificate
    they ground, are dated on the session's day); and not while VAE cases or appeals it holds
    are undecided unless the president chose what becomes of them (moved to a later session,
    which must be named, or left pending): nothing is dropped silently."""
    reasons: list[Reason] = []
    if today < session_date:
        reasons.append(
            Reason("before_date", {"date": session_date.isoformat(), "today": today.isoformat()})
        )
    if (pending_vae or pending_appeals) and choice is None:
        reasons.append(
            Reason("pending_undecided", {"vae": pending_vae, "appeals": pending_appeals})
        )
    if (pending_vae or pending_appeals) and choice is PendingChoice.MOVE and not has_target:
        reasons.append(Reason("move_needs_target"))
    return SessionCheck(not reasons, tuple(reasons))


# ---------------------------------------------------------------------------------------------
# Prior validations (issue 13 point 2)


@dataclass(frozen=True, slots=True)
class PriorClaim:
    """A block validation obtained before Capitalis, as a page, the API or a file row names it,
    with what the database knows about it (resolved by the services).

    ``learner`` is None when ``learner_text`` names nobody; ``certifications`` are those the
    learner is enrolled on (through a programme) or a VAE candidate for. ``block`` is None when
    the certification, version or block code is unknown (``certification_known`` and
    ``version_known`` say which). ``held`` is the learner's existing validation of the block."""

    learner: Key | None
    learner_text: str
    certifications: frozenset[Key]
    block: Key | None
    block_certification: Key | None
    block_text: str
    certification_text: str
    version_text: str
    certification_known: bool
    version_known: bool
    version_valid_from: date | None
    validated_on: date | None
    date_text: str
    route: str
    source_reference: str
    has_document: bool
    held: PriorValidation | None = None


PRIOR_SOURCE_MAX = 300
_ROUTES = frozenset(r.value for r in Route)
_DATE_ISO = (4, 2, 2)


def prior_date(text: str) -> date | None:
    """A date as a person types it in a file: ISO (2024-06-30) or French (30/06/2024, also
    with dashes or dots); None when it is not a real date."""
    value = text.strip()
    if not value or len(value) > 10:
        return None
    parts = value.replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    if len(parts[0]) == 4:
        year, month, day = parts
    elif len(parts[2]) == 4:
        day, month, year = parts
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def prior_validation_check(claim: PriorClaim, *, today: date) -> tuple[Reason, ...]:
    """Why this prior validation may not be recorded (empty: it may). A prior validation is
    capitalised like any other (SPEC §6), so it must name a real learner and a real block,
    and the learner must follow (or be a VAE candidate for) a certification holding the
    block; the date is a real day, not in the future, and not before the version it is
    recorded under came into force; the route is training, VAE or equivalence; and since no
    jury of Capitalis decided it, its source (a reference to the minutes or decision, or the
    document itself) is required whatever the route. A block already held is refused: a
    block is validated once (the first validation stands)."""
    reasons: list[Reason] = []
    if not claim.learner_text.strip():
        reasons.append(Reason("learner_missing"))
    elif claim.learner is None:
        reasons.append(Reason("learner_unknown", {"value": claim.learner_text}))
    if claim.block is None:
        if not (claim.block_text.strip() or claim.certification_text.strip()):
            reasons.append(Reason("block_missing"))
        elif not claim.certification_known:
            reasons.append(Reason("certification_unknown", {"value": claim.certification_text}))
        elif not claim.version_known:
            reasons.append(
                Reason(
                    "version_unknown",
                    {"value": claim.version_text, "certification": claim.certification_text},
                )
            )
        else:
            reasons.append(
                Reason("block_unknown", {"value": claim.block_text, "version": claim.version_text})
            )
    elif claim.learner is not None and claim.block_certification not in claim.certifications:
        reasons.append(Reason("not_enrolled", {"certification": claim.certification_text}))
    if claim.validated_on is None:
        if claim.date_text.strip():
            reasons.append(Reason("date_invalid", {"value": claim.date_text}))
        else:
            reasons.append(Reason("date_missing"))
    elif claim.validated_on > today:
        reasons.append(Reason("date_future", {"date": claim.validated_on.isoformat()}))
    elif claim.version_valid_from is not None and claim.validated_on < claim.version_valid_from:
        reasons.append(
            Reason(
                "date_before_version",
                {
                    "date": claim.validated_on.isoformat(),
                    "valid_from": claim.version_valid_from.isoformat(),
                },
            )
        )
    if claim.route not in _ROUTES:
        reasons.append(Reason("route_invalid", {"value": claim.route}))
    if not claim.source_reference.strip() and not claim.has_document:
        reasons.append(Reason("source_missing"))
    elif len(claim.source_reference) > PRIOR_SOURCE_MAX:
        reasons.append(Reason("source_too_long", {"limit": PRIOR_SOURCE_MAX}))
    if claim.held is not None:
        reasons.append(
            Reason(
                "already_validated",
                {
                    "block": claim.block_text,
                    "date": claim.held.validated_on.isoformat(),
                    "route": claim.held.route.value,
                },
            )
        )
    return tuple(reasons)
