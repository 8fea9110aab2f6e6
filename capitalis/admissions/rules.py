"""Admission rules, pure (SPEC §3): eligibility as data, the application's status machine as a
transition table, the 4-week decision deadline. No Django, no clock: ``today`` is passed in."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta


class Status(enum.StrEnum):
    """Where an application stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    MANUAL_REVIEW = "manual_review"
    INELIGIBLE = "ineligible"
    INTERVIEW_SCHEDULED = "interview_scheduled"
    INTERVIEWED = "interviewed"
    PRESENTED = "presented"
    ADMITTED = "admitted"
    WAITLISTED = "waitlisted"
    REFUSED = "refused"
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"


class Actor(enum.StrEnum):
    """Who may move an application (mapped from accounts roles by the services)."""

    CANDIDATE = "candidate"
    ADMISSIONS = "admissions"  # admissions officer (campus or whole school), programme director
    JURY = "jury"  # the admission jury (president, members), programme director
    SYSTEM = "system"  # the eligibility evaluation on submission, enrolment


# (from, to) → who may make that move. Anything not in the table is refused.
_TABLE: dict[tuple[Status, Status], frozenset[Actor]] = {
    (Status.DRAFT, Status.SUBMITTED): frozenset({Actor.CANDIDATE}),
    (Status.SUBMITTED, Status.ELIGIBLE): frozenset({Actor.SYSTEM, Actor.ADMISSIONS}),
    (Status.SUBMITTED, Status.INELIGIBLE): frozenset({Actor.SYSTEM, Actor.ADMISSIONS}),
    (Status.SUBMITTED, Status.MANUAL_REVIEW): frozenset({Actor.ADMISSIONS}),
    (Status.INELIGIBLE, Status.MANUAL_REVIEW): frozenset({Actor.ADMISSIONS}),
    (Status.MANUAL_REVIEW, Status.ELIGIBLE): frozenset({Actor.ADMISSIONS}),
    (Status.MANUAL_REVIEW, Status.INELIGIBLE): frozenset({Actor.ADMISSIONS}),
    (Status.ELIGIBLE, Status.INTERVIEW_SCHEDULED): frozenset({Actor.ADMISSIONS}),
    (Status.INTERVIEW_SCHEDULED, Status.INTERVIEWED): frozenset({Actor.ADMISSIONS, Actor.JURY}),
    (Status.INTERVIEWED, Status.PRESENTED): frozenset({Actor.ADMISSIONS}),
    (Status.PRESENTED, Status.ADMITTED): frozenset({Actor.JURY}),
    (Status.PRESENTED, Status.WAITLISTED): frozenset({Actor.JURY}),
    (Status.PRESENTED, Status.REFUSED): frozenset({Actor.JURY}),
    (Status.WAITLISTED, Status.ADMITTED): frozenset({Actor.JURY}),
    (Status.WAITLISTED, Status.REFUSED): frozenset({Actor.JURY}),
    (Status.ADMITTED, Status.ENROLLED): frozenset({Actor.SYSTEM, Actor.ADMISSIONS}),
}
# A candidate may withdraw at any point before enrolment or refusal.
for _status in Status:
    if _status not in (Status.ENROLLED, Status.WITHDRAWN, Status.REFUSED, Status.INELIGIBLE):
        _TABLE[(_status, Status.WITHDRAWN)] = frozenset({Actor.CANDIDATE, Actor.ADMISSIONS})
TRANSITIONS: Mapping[tuple[Status, Status], frozenset[Actor]] = _TABLE

DECISIONS: frozenset[Status] = frozenset({Status.ADMITTED, Status.WAITLISTED, Status.REFUSED})
DECISION_WEEKS = 4


@dataclass(frozen=True)
class Verdict:
    """Allowed or not, with the reason."""

    ok: bool
    code: str
    message: str


def can_transition(current: Status, target: Status, actor: Actor) -> Verdict:
    """May ``actor`` move an application from ``current`` to ``target``? (the table above)."""
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        return Verdict(False, "not_in_table", f"{current.value} → {target.value} is not allowed")
    if actor not in allowed:
        return Verdict(
            False, "not_authorised", f"{actor.value} may not move {current.value} → {target.value}"
        )
    return Verdict(True, "ok", f"{current.value} → {target.value} by {actor.value}")


def next_statuses(current: Status, actor: Actor) -> tuple[Status, ...]:
    """The statuses ``actor`` may move an application to from ``current``."""
    return tuple(t for (f, t), actors in TRANSITIONS.items() if f is current and actor in actors)


def decision_deadline(presented_on: date, weeks: int = DECISION_WEEKS) -> date:
    """The decision is due 4 weeks after the file is presented to the admission jury (SPEC §3)."""
    return presented_on + timedelta(weeks=weeks)


def is_late(*, presented_on: date | None, decided_on: date | None, today: date) -> bool:
    """A file is late when it was presented and no decision came by the deadline."""
    if presented_on is None:
        return False
    deadline = decision_deadline(presented_on)
    return (decided_on or today) > deadline


# --- Eligibility (SPEC §3) -----------------------------------------------------------------


class RuleKind(enum.StrEnum):
    MIN_ECTS = "min_ects"  # params: {"ects": 180}
    FIELD = "field"  # params: {"fields": ["law", "political_science", …]}
    ENGLISH = "english"  # params: {"level": "B2"}


CEFR = ("A1", "A2", "B1", "B2", "C1", "C2")


@dataclass(frozen=True)
class EligibilityRule:
    code: str
    kind: RuleKind
    params: Mapping[str, object]
    label: str = ""


@dataclass(frozen=True)
class Degree:
    level: str
    ects: int
    field: str
    country: str


@dataclass(frozen=True)
class Candidate:
    degrees: tuple[Degree, ...]
    english_level: str | None


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's pass or fail and why; ``params`` lets the interface translate the reason."""

    code: str
    kind: RuleKind
    passed: bool
    reason: str
    params: Mapping[str, object] = field(default_factory=dict)


def _fields(params: Mapping[str, object]) -> frozenset[str]:
    raw = params.get("fields", ())
    return (
        frozenset(str(f) for f in raw)
        if isinstance(raw, list | tuple | set | frozenset)
        else frozenset()
    )


def _int(params: Mapping[str, object], key: str) -> int:
    value = params.get(key, 0)
    return int(value) if isinstance(value, int | str) else 0


def evaluate(rule: EligibilityRule, candidate: Candidate) -> RuleOutcome:
    """Evaluate one rule for a candidate."""
    if rule.kind is RuleKind.MIN_ECTS:
        needed = _int(rule.params, "ects")
        fields = _fields(rule.params)
        counted = [d for d in candidate.degrees if not fields or d.field in fields]
        best = max((d.ects for d in counted), default=0)
        return RuleOutcome(
            rule.code,
            rule.kind,
            best >= needed,
            f"best prior degree {best} ECTS, {needed} required",
            {"best": best, "needed": needed},
        )
    if rule.kind is RuleKind.FIELD:
        fields = _fields(rule.params)
        matching = sorted({d.field for d in candidate.degrees if d.field in fields})
        return RuleOutcome(
            rule.code,
            rule.kind,
            bool(matching),
            (
                f"prior degree in {', '.join(matching)}"
                if matching
                else "no prior degree in an accepted field"
            ),
            {"matching": tuple(matching), "accepted": tuple(sorted(fields))},
        )
    needed_level = str(rule.params.get("level", "B2"))
    level = candidate.english_level
    ok = level in CEFR and needed_level in CEFR and CEFR.index(level) >= CEFR.index(needed_level)
    return RuleOutcome(
        rule.code,
        rule.kind,
        ok,
        f"English level {level or 'not given'}, {needed_level} required",
        {"level": level or "", "needed": needed_level},
    )


def evaluate_all(rules: Sequence[EligibilityRule], candidate: Candidate) -> tuple[RuleOutcome, ...]:
    """Every rule's outcome, in the rules' order."""
    return tuple(evaluate(rule, candidate) for rule in rules)


def eligibility_status(outcomes: Sequence[RuleOutcome]) -> Status:
    """Eligible when every rule passes, ineligible otherwise (staff may then send the file to
    manual review, e.g. for a foreign degree's equivalence)."""
    return Status.ELIGIBLE if all(o.passed for o in outcomes) else Status.INELIGIBLE
