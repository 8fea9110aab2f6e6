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


# --- Application window -------------------------------------------------------------------


def application_window(
    *, start_date: date, opens_on: date | None, closes_on: date | None
) -> tuple[date, date]:
    """The days (inclusive) when candidates may apply to an edition starting on ``start_date``.
    The programme data may set both ends (``applications_open_on``, ``applications_close_on``);
    an end they leave empty follows the default rule: applications open one year before the
    edition starts and close on its first day."""
    try:
        default_open = start_date.replace(year=start_date.year - 1)
    except ValueError:  # 29 February
        default_open = start_date.replace(year=start_date.year - 1, day=28)
    return (opens_on or default_open, closes_on or start_date)


def applications_open(
    *, start_date: date, opens_on: date | None, closes_on: date | None, today: date
) -> bool:
    """May a candidate apply (start, change or submit a draft) to this edition today?"""
    first, last = application_window(start_date=start_date, opens_on=opens_on, closes_on=closes_on)
    return first <= today <= last


def is_current_or_future(*, end_date: date, today: date) -> bool:
    """An edition still running or yet to come: staff plan interviews and admission juries only
    for these."""
    return end_date >= today


# --- Eligibility (SPEC §3) -----------------------------------------------------------------


class RuleKind(enum.StrEnum):
    MIN_ECTS = "min_ects"  # params: {"ects": 180, "in_progress": true}
    FIELD = "field"  # params: {"fields": ["law", "political_science", …], "in_progress": true}
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
    """A prior degree as the rules see it; ``in_progress``: being completed, not yet awarded."""

    level: str
    ects: int
    field: str
    country: str
    title: str = ""
    in_progress: bool = False


@dataclass(frozen=True)
class Candidate:
    degrees: tuple[Degree, ...]
    english_level: str | None


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's pass or fail and why; ``params`` lets the interface translate the reason.
    ``conditional``: passed only thanks to a degree in progress (admitted on condition that the
    candidate obtains it, SPEC §3)."""

    code: str
    kind: RuleKind
    passed: bool
    reason: str
    params: Mapping[str, object] = field(default_factory=dict)
    conditional: bool = False


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


def _counted(candidate: Candidate, params: Mapping[str, object]) -> tuple[Degree, ...]:
    """The degrees a rule looks at: all, or only the awarded ones when the rule does not accept
    a degree in progress (``in_progress: false``, the default)."""
    allow = bool(params.get("in_progress", False))
    return tuple(d for d in candidate.degrees if allow or not d.in_progress)


def evaluate_ects(rule: EligibilityRule, candidate: Candidate) -> RuleOutcome:
    """At least N ECTS on one prior degree, whatever its field (the field is a rule of its own):
    the reason names the candidate's best degree and its ECTS (SPEC §3)."""
    needed = _int(rule.params, "ects")
    degrees = _counted(candidate, rule.params)
    best = max(degrees, key=lambda d: (d.ects, not d.in_progress), default=None)
    best_ects = best.ects if best is not None else 0
    passed = best_ects >= needed
    awarded = [d for d in degrees if not d.in_progress and d.ects >= needed]
    conditional = passed and not awarded
    ignored = sum(1 for d in candidate.degrees if d not in degrees)
    return RuleOutcome(
        rule.code,
        rule.kind,
        passed,
        (
            f"best prior degree {best_ects} ECTS, {needed} required"
            + (" (degree in progress: conditional)" if conditional else "")
        ),
        {
            "best": best_ects,
            "needed": needed,
            "title": best.title if best is not None else "",
            "degrees": len(degrees),
            "ignored_in_progress": ignored,
        },
        conditional,
    )


def evaluate_field(rule: EligibilityRule, candidate: Candidate) -> RuleOutcome:
    """A prior degree in one of the accepted fields, whatever its ECTS (the ECTS is a rule of
    its own); on failure the reason names the candidate's degrees and their fields."""
    fields = _fields(rule.params)
    degrees = _counted(candidate, rule.params)
    matching = [d for d in degrees if d.field in fields]
    passed = bool(matching)
    conditional = passed and all(d.in_progress for d in matching)
    return RuleOutcome(
        rule.code,
        rule.kind,
        passed,
        (
            f"prior degree in {', '.join(sorted({d.field for d in matching}))}"
            if matching
            else "no prior degree in an accepted field"
        ),
        {
            "matching": tuple(sorted({d.field for d in matching})),
            "accepted": tuple(sorted(fields)),
            "degrees": tuple((d.title, d.field) for d in degrees),
        },
        conditional,
    )


def evaluate(rule: EligibilityRule, candidate: Candidate) -> RuleOutcome:
    """Evaluate one rule for a candidate."""
    if rule.kind is RuleKind.MIN_ECTS:
        return evaluate_ects(rule, candidate)
    if rule.kind is RuleKind.FIELD:
        return evaluate_field(rule, candidate)
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
