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

The package holds one module per subject, and re-exports every public name here
(``from capitalis.jury import rules; rules.X``): ``vocabulary`` (identifiers, levels, statuses),
``reasons`` (``Reason`` and the texts), ``inputs`` (evidence, structure, policy, prior
validations, crosswalk), ``results``, ``competency``, ``blocks``, ``crosswalk`` (carry-over),
``certification`` (the decision and ``deliberate``), ``year`` (ECTS), ``sessions`` (scheduling
and closing) and ``prior`` (prior validations).
"""

from __future__ import annotations

from capitalis.jury.rules.blocks import CompetencyRule, block_result, block_status
from capitalis.jury.rules.certification import certification_decision, deliberate
from capitalis.jury.rules.competency import competency_status
from capitalis.jury.rules.crosswalk import carry_over
from capitalis.jury.rules.inputs import (
    DEFAULT_POLICY,
    BlockSpec,
    CarryOver,
    CertificationRule,
    CrosswalkEntry,
    Evidence,
    PartialCredit,
    Policy,
    PriorValidation,
    VersionStructure,
)
from capitalis.jury.rules.prior import (
    PRIOR_SOURCE_MAX,
    PriorClaim,
    prior_date,
    prior_validation_check,
)
from capitalis.jury.rules.reasons import REASON_TEXTS, Reason, gettext_noop
from capitalis.jury.rules.results import (
    BlockResult,
    CertificationResult,
    CompetencyResult,
    LearnerDeliberation,
)
from capitalis.jury.rules.sessions import (
    PendingChoice,
    SessionCheck,
    session_closable,
    session_composition,
    session_editable,
)
from capitalis.jury.rules.vocabulary import (
    Absence,
    BlockKind,
    BlockRule,
    BlockStatus,
    CertificationStatus,
    CompetencyStatus,
    Coverage,
    GradeCombination,
    Key,
    Level,
    ResitRule,
    Route,
    Session,
    YearStatus,
)
from capitalis.jury.rules.year import (
    CourseEvidence,
    CourseGrade,
    CourseResult,
    YearResult,
    YearRule,
    course_grade,
    year_validation,
)

__all__ = [
    "DEFAULT_POLICY",
    "PRIOR_SOURCE_MAX",
    "REASON_TEXTS",
    "Absence",
    "BlockKind",
    "BlockResult",
    "BlockRule",
    "BlockSpec",
    "BlockStatus",
    "CarryOver",
    "CertificationResult",
    "CertificationRule",
    "CertificationStatus",
    "CompetencyResult",
    "CompetencyRule",
    "CompetencyStatus",
    "CourseEvidence",
    "CourseGrade",
    "CourseResult",
    "Coverage",
    "CrosswalkEntry",
    "Evidence",
    "GradeCombination",
    "Key",
    "LearnerDeliberation",
    "Level",
    "PartialCredit",
    "PendingChoice",
    "Policy",
    "PriorClaim",
    "PriorValidation",
    "Reason",
    "ResitRule",
    "Route",
    "Session",
    "SessionCheck",
    "VersionStructure",
    "YearResult",
    "YearRule",
    "YearStatus",
    "block_result",
    "block_status",
    "carry_over",
    "certification_decision",
    "competency_status",
    "course_grade",
    "deliberate",
    "gettext_noop",
    "prior_date",
    "prior_validation_check",
    "session_closable",
    "session_composition",
    "session_editable",
    "year_validation",
]
