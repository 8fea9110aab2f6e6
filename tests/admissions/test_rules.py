"""Pure admission rules: the transition table and eligibility (SPEC §3), no database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capitalis.admissions import rules
from capitalis.admissions.data import FIELDS, parse_document
from capitalis.admissions.rules import Actor, Candidate, Degree, RuleKind, Status
from capitalis.core.data import DataFileError

SHIPPED = parse_document(Path("data/admissions/msc-erci-eligibility.yaml"))


def _shipped(year: str) -> list[rules.EligibilityRule]:
    (rule_set,) = [r for r in SHIPPED.rule_sets if r.year == year and "2026-27" in r.editions]
    return [
        rules.EligibilityRule(r["code"], RuleKind(r["kind"]), r["params"]) for r in rule_set.rules
    ]


MSC1 = [
    rules.EligibilityRule(
        "FIELD", RuleKind.FIELD, {"fields": ["humanities", "law", "social_sciences", "economics"]}
    ),
    rules.EligibilityRule("ECTS-180", RuleKind.MIN_ECTS, {"ects": 180}),
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
    assert [o.passed for o in outcomes] == [True, True, True]
    assert rules.eligibility_status(outcomes) is Status.ELIGIBLE
    outcomes = rules.evaluate_all(MSC1, _candidate((120, "law"), english="B1"))
    assert [o.passed for o in outcomes] == [True, False, False]
    assert (outcomes[1].params["best"], outcomes[1].params["needed"]) == (120, 180)
    assert outcomes[2].params == {"level": "B1", "needed": "B2"}
    assert rules.eligibility_status(outcomes) is Status.INELIGIBLE


def test_field_and_ects_are_separate_rules_and_ects_counts_every_degree() -> None:
    """A 180-ECTS degree outside the list fails the field rule only: its ECTS are reported
    as they are (the old rule said "0 ECTS; 180 required")."""
    field, ects, _english = rules.evaluate_all(MSC1, _candidate((180, "other")))
    assert (field.passed, ects.passed) == (False, True)
    assert ects.params["best"] == 180
    assert field.params["degrees"] == (("", "other"),)
    field, ects, _english = rules.evaluate_all(MSC1, _candidate((120, "law")))
    assert (field.passed, ects.passed) == (True, False)
    assert ects.params["best"] == 120


def test_shipped_msc1_accepts_international_relations_and_seed_003_fields() -> None:
    msc1 = _shipped("MSC1")
    for code in (
        "international_relations",
        "public_affairs",
        "international_law",
        "international_economics",
        "geopolitics",
        "humanities",
        "law",
        "social_sciences",
        "political_science",
        "economics",
    ):
        outcomes = rules.evaluate_all(msc1, _candidate((180, code)))
        assert rules.eligibility_status(outcomes) is Status.ELIGIBLE, code
    assert rules.eligibility_status(rules.evaluate_all(msc1, _candidate((180, "other")))) is (
        Status.INELIGIBLE
    )


def test_shipped_msc2_needs_240_awarded_ects_in_its_fields() -> None:
    msc2 = _shipped("MSC2")
    ok = rules.evaluate_all(msc2, _candidate((240, "public_law")))
    assert rules.eligibility_status(ok) is Status.ELIGIBLE
    humanities = rules.evaluate_all(msc2, _candidate((240, "humanities")))
    assert [o.passed for o in humanities] == [False, True, True]
    short = rules.evaluate_all(msc2, _candidate((180, "international_relations")))
    assert [o.passed for o in short] == [True, False, True]
    in_progress = Candidate(
        (Degree("master1", 240, "economics", "FR", in_progress=True),), english_level="C1"
    )
    _field, ects, _english = rules.evaluate_all(msc2, in_progress)
    assert not ects.passed and ects.params["ignored_in_progress"] == 1


def test_a_degree_in_progress_is_accepted_conditionally_for_msc1() -> None:
    msc1 = _shipped("MSC1")
    candidate = Candidate(
        (Degree("bachelor", 180, "law", "FR", title="Licence", in_progress=True),),
        english_level="B2",
    )
    field, ects, english = rules.evaluate_all(msc1, candidate)
    assert field.passed and field.conditional
    assert ects.passed and ects.conditional
    assert not english.conditional
    assert rules.eligibility_status((field, ects, english)) is Status.ELIGIBLE
    awarded = Candidate(
        (*candidate.degrees, Degree("bachelor", 180, "economics", "FR")), english_level="B2"
    )
    assert not any(o.conditional for o in rules.evaluate_all(msc1, awarded))


def test_shipped_fields_are_the_form_fields() -> None:
    from capitalis.admissions.models import PriorDegree

    assert set(FIELDS) == set(PriorDegree.Field.values)


degrees = st.builds(
    Degree,
    level=st.sampled_from(["bachelor", "master1", "master", "other"]),
    ects=st.integers(min_value=0, max_value=400),
    field=st.sampled_from(FIELDS),
    country=st.just("FR"),
    title=st.text(max_size=5),
    in_progress=st.booleans(),
)


RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(
    st.lists(degrees, max_size=4),
    degrees,
    st.sampled_from(["MSC1", "MSC2"]),
    st.sampled_from(rules.CEFR),
)
def test_adding_a_degree_never_makes_a_rule_fail(
    held: list[Degree], extra: Degree, year: str, english: str
) -> None:
    shipped = _shipped(year)
    before = rules.evaluate_all(shipped, Candidate(tuple(held), english))
    after = rules.evaluate_all(shipped, Candidate((*held, extra), english))
    for b, a in zip(before, after, strict=True):
        assert a.passed or not b.passed, (b, a)
    if rules.eligibility_status(before) is Status.ELIGIBLE:
        assert rules.eligibility_status(after) is Status.ELIGIBLE


@RELAXED
@given(st.lists(degrees, max_size=4), st.sampled_from(["MSC1", "MSC2"]))
def test_the_ects_reported_are_the_best_degree_whatever_its_field(
    held: list[Degree], year: str
) -> None:
    (ects,) = [
        o
        for o in rules.evaluate_all(_shipped(year), Candidate(tuple(held), "B2"))
        if o.kind is RuleKind.MIN_ECTS
    ]
    counted = [d.ects for d in held if year == "MSC1" or not d.in_progress]
    assert ects.params["best"] == max(counted, default=0)


def test_application_window_from_the_data_or_the_default_rule() -> None:
    start = date(2026, 9, 1)
    assert rules.application_window(start_date=start, opens_on=None, closes_on=None) == (
        date(2025, 9, 1),
        start,
    )
    window = dict(opens_on=date(2025, 10, 1), closes_on=date(2027, 1, 31))
    assert rules.applications_open(start_date=start, today=date(2026, 12, 6), **window)
    assert not rules.applications_open(start_date=start, today=date(2025, 9, 30), **window)
    assert not rules.applications_open(start_date=start, today=date(2027, 2, 1), **window)
    leap = date(2028, 2, 29)
    assert rules.application_window(start_date=leap, opens_on=None, closes_on=None)[0] == date(
        2027, 2, 28
    )
    assert rules.is_current_or_future(end_date=date(2027, 8, 31), today=date(2026, 12, 6))
    assert not rules.is_current_or_future(end_date=date(2025, 8, 31), today=date(2026, 12, 6))


def test_english_level_missing_fails() -> None:
    (_, _ects, english) = rules.evaluate_all(MSC1, _candidate((180, "law"), english=None))
    assert not english.passed
    assert english.reason == "English level not given, B2 required"


def test_decision_deadline_is_four_weeks_after_presentation() -> None:
    assert rules.decision_deadline(date(2026, 3, 2)) == date(2026, 3, 30)
    assert rules.is_late(presented_on=date(2026, 3, 2), decided_on=None, today=date(2026, 3, 31))
    assert not rules.is_late(
        presented_on=date(2026, 3, 2), decided_on=date(2026, 3, 30), today=date(2026, 5, 1)
    )


def test_the_loader_refuses_an_ects_rule_with_fields(tmp_path) -> None:
    """The ECTS rule no longer filters by field (the field is its own rule): a file that still
    gives fields to an ECTS rule is refused rather than silently read another way."""

    path = tmp_path / "eligibility.yaml"
    path.write_text(
        "programme: P\n"
        "rule_sets:\n"
        "- editions: [E]\n"
        "  year: MSC1\n"
        "  rules:\n"
        "  - {code: A, kind: min_ects, params: {ects: 180, fields: [law]}, label_fr: a}\n"
        "  - {code: B, kind: field, params: {fields: [law], in_progress: maybe}, label_fr: b}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as exc:
        parse_document(path)
    text = exc.value.message
    assert "rules[0].params.fields" in text
    assert "rules[1].params.in_progress" in text
