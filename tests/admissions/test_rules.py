"""Pure admission rules: the transition table and eligibility (SPEC §3), no database."""

from __future__ import annotations

from capitalis.admissions import rules
from capitalis.admissions.rules import Actor, Candidate, Degree, RuleKind, Status

MSC1 = [
    rules.EligibilityRule(
        "ECTS-180",
        RuleKind.MIN_ECTS,
        {"ects": 180, "fields": ["humanities", "law", "social_sciences", "economics"]},
    ),
    rules.EligibilityRule("ENGLISH-B2", RuleKind.ENGLISH, {"level": "B2"}),
]


def _candidate(*degrees: tuple[int, str], english: str | None = "B2") -> Candidate:
    return Candidate(
        degrees=tuple(Degree("bachelor", e, f, "FR") for e, f in degrees), english_level=english
    )


def test_the_happy_path_follows_the_table() -> None:
    path = [
        (Status.DRAFT, Status.SUBMITTED, Actor.CANDIDATE),
        (Status.SUBMITTED, Status.ELIGIBLE, Actor.SYSTEM),
        (Status.ELIGIBLE, Status.INTERVIEW_SCHEDULED, Actor.ADMISSIONS),
        (Status.INTERVIEW_SCHEDULED, Status.INTERVIEWED, Actor.JURY),
        (Status.INTERVIEWED, Status.PRESENTED, Actor.ADMISSIONS),
        (Status.PRESENTED, Status.ADMITTED, Actor.JURY),
        (Status.ADMITTED, Status.ENROLLED, Actor.SYSTEM),
    ]
    for current, target, actor in path:
        assert rules.can_transition(current, target, actor).ok, (current, target, actor)


def test_moves_not_in_the_table_or_by_the_wrong_actor_are_refused() -> None:
    verdict = rules.can_transition(Status.DRAFT, Status.ADMITTED, Actor.JURY)
    assert (verdict.ok, verdict.code) == (False, "not_in_table")
    verdict = rules.can_transition(Status.PRESENTED, Status.ADMITTED, Actor.ADMISSIONS)
    assert (verdict.ok, verdict.code) == (False, "not_authorised")
    assert not rules.can_transition(Status.SUBMITTED, Status.MANUAL_REVIEW, Actor.SYSTEM).ok
    assert rules.can_transition(Status.INELIGIBLE, Status.MANUAL_REVIEW, Actor.ADMISSIONS).ok
    assert not rules.can_transition(Status.ENROLLED, Status.WITHDRAWN, Actor.CANDIDATE).ok


def test_msc1_eligibility_with_reasons() -> None:
    outcomes = rules.evaluate_all(MSC1, _candidate((180, "law")))
    assert [o.passed for o in outcomes] == [True, True]
    assert rules.eligibility_status(outcomes) is Status.ELIGIBLE
    outcomes = rules.evaluate_all(MSC1, _candidate((240, "other"), (120, "law"), english="B1"))
    assert [o.passed for o in outcomes] == [False, False]
    assert outcomes[0].params == {"best": 120, "needed": 180}
    assert outcomes[1].params == {"level": "B1", "needed": "B2"}
    assert rules.eligibility_status(outcomes) is Status.INELIGIBLE


def test_english_level_missing_fails() -> None:
    (_, english) = rules.evaluate_all(MSC1, _candidate((180, "law"), english=None))
    assert not english.passed
    assert english.reason == "English level not given, B2 required"


def test_decision_deadline_is_four_weeks_after_presentation() -> None:
    from datetime import date

    assert rules.decision_deadline(date(2026, 3, 2)) == date(2026, 3, 30)
    assert rules.is_late(presented_on=date(2026, 3, 2), decided_on=None, today=date(2026, 3, 31))
    assert not rules.is_late(
        presented_on=date(2026, 3, 2), decided_on=date(2026, 3, 30), today=date(2026, 5, 1)
    )
