"""Deliberation rules (SPEC §6), no database: examples, then properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capitalis.jury.rules import (
    DEFAULT_POLICY,
    Absence,
    BlockKind,
    BlockSpec,
    BlockStatus,
    CertificationRule,
    CertificationStatus,
    CompetencyStatus,
    CourseResult,
    Coverage,
    CrosswalkEntry,
    Evidence,
    Level,
    Policy,
    PriorValidation,
    ResitRule,
    Route,
    Session,
    VersionStructure,
    YearRule,
    YearStatus,
    block_status,
    carry_over,
    certification_decision,
    competency_status,
    deliberate,
    year_validation,
)

D = Decimal
BC1 = BlockSpec(1, "BC01", BlockKind.COMMON, ("C1", "C2"))
BC2 = BlockSpec(2, "BC02", BlockKind.COMMON, ("C3",))
BC3 = BlockSpec(3, "BC03", BlockKind.OPTIONAL, ("C4", "C5"))
BC4 = BlockSpec(4, "BC04", BlockKind.OPTIONAL, ("C6",))
CURRENT = VersionStructure("v2", (BC1, BC2, BC3, BC4), CertificationRule(optional_required=1))
JUNE = date(2025, 6, 20)


def ev(competency: str, assessment: str, grade: str | None, weight: str = "1", **kw: object):
    return Evidence(competency, assessment, D(weight), None if grade is None else D(grade), **kw)  # type: ignore[arg-type]


def codes(result) -> list[str]:
    return [r.code for r in result.reasons]


# --- competency -------------------------------------------------------------------------------


def test_weighted_mean_reaching_ten_acquires_and_says_which_evidence_counted():
    result = competency_status("C1", [ev("C1", "A1", "12", "2"), ev("C1", "A2", "6", "1")])
    assert result.status is CompetencyStatus.ACQUIRED
    assert result.grade_mean == D(10)
    assert result.reasons[0].params == {"mean": "10.00", "threshold": "10"}
    assert result.reasons[1].params == {"counted": ["A1", "A2"]}


def test_weighted_mean_just_below_ten_is_not_acquired_exactly():
    # (9.99·1 + 10·2) / 3 = 9.9966… — no rounding up to 10
    result = competency_status("C1", [ev("C1", "A1", "9.99"), ev("C1", "A2", "10", "2")])
    assert result.status is CompetencyStatus.NOT_ACQUIRED
    assert result.reasons[0].message == "weighted grade 10.00/20 is below 10"


def test_level_acquired_is_enough_even_with_a_low_grade():
    result = competency_status(
        "C1", [ev("C1", "A1", "8"), ev("C1", "A2", None, level=Level.ACQUIRED)]
    )
    assert result.status is CompetencyStatus.ACQUIRED
    assert "level_reached" in codes(result)


def test_level_in_progress_alone_is_not_acquired():
    result = competency_status("C1", [ev("C1", "A1", None, level=Level.IN_PROGRESS)])
    assert result.status is CompetencyStatus.NOT_ACQUIRED
    assert result.reasons[0].message == "level in_progress is below acquired"


def test_no_evidence_and_justified_absence():
    assert competency_status("C1", []).status is CompetencyStatus.NO_EVIDENCE
    result = competency_status("C1", [ev("C1", "A1", None, absence=Absence.JUSTIFIED)])
    assert result.status is CompetencyStatus.NO_EVIDENCE
    assert codes(result) == ["no_evidence", "justified_absence"]


def test_unjustified_absence_counts_as_zero():
    result = competency_status(
        "C1", [ev("C1", "A1", "16"), ev("C1", "A2", None, absence=Absence.UNJUSTIFIED)]
    )
    assert result.grade_mean == D(8)
    assert result.status is CompetencyStatus.NOT_ACQUIRED
    assert "unjustified_absence" in codes(result)


def test_resit_replaces_the_first_session_of_the_same_assessment_even_lower():
    first = ev("C1", "A1", "8")
    resit = ev("C1", "R1", "11", session=Session.RESIT, resit_of="A1")
    other = ev("C1", "A2", "12")
    result = competency_status("C1", [first, resit, other])
    assert result.status is CompetencyStatus.ACQUIRED
    assert result.grade_mean == D("11.5")
    assert first not in result.counted
    lower = ev("C1", "R1", "5", session=Session.RESIT, resit_of="A1")
    assert competency_status("C1", [ev("C1", "A1", "14"), lower]).grade_mean == D(5)
    best = Policy(resit=ResitRule.BEST)
    assert competency_status("C1", [ev("C1", "A1", "14"), lower], best).grade_mean == D(14)


def test_a_justified_absence_at_the_resit_leaves_the_first_session():
    resit = ev("C1", "R1", None, session=Session.RESIT, resit_of="A1", absence=Absence.JUSTIFIED)
    result = competency_status("C1", [ev("C1", "A1", "12"), resit])
    assert result.grade_mean == D(12)


def test_policy_threshold_is_data():
    policy = Policy.from_dict({"grade_threshold": "12", "level_threshold": "mastered"})
    assert competency_status("C1", [ev("C1", "A1", "11")], policy).status is (
        CompetencyStatus.NOT_ACQUIRED
    )
    assert Policy.from_dict(policy.as_dict()) == policy
    assert Policy.from_dict({}) == Policy()
    with pytest.raises(ValueError):
        Policy.from_dict({"grade_threshold": "21"})
    with pytest.raises(ValueError):
        Policy.from_dict({"resit": "average"})


# --- block ------------------------------------------------------------------------------------


def test_block_validated_not_validated_incomplete_with_reasons():
    ok = [ev("C1", "A1", "12"), ev("C2", "A1", "10")]
    assert block_status(BC1, ok).status is BlockStatus.VALIDATED
    low = block_status(BC1, [ev("C1", "A1", "12"), ev("C2", "A1", "9")])
    assert low.status is BlockStatus.NOT_VALIDATED
    assert low.reasons[0].params == {"competencies": ["C2"]}
    missing = block_status(BC1, [ev("C1", "A1", "12")])
    assert missing.status is BlockStatus.INCOMPLETE
    assert missing.reasons[0].message == "competencies without evidence: C2"
    both = block_status(BC1, [ev("C1", "A1", "2")])
    assert both.status is BlockStatus.NOT_VALIDATED
    assert codes(both) == ["below_threshold", "missing"]


def test_no_compensation_between_competencies():
    result = block_status(BC1, [ev("C1", "A1", "20"), ev("C2", "A1", "9.5")])
    assert result.status is BlockStatus.NOT_VALIDATED


def test_capitalised_block_stays_validated_after_a_failed_session():
    prior = PriorValidation(1, "v2", date(2024, 6, 1), Route.VAE, session=7)
    result = block_status(BC1, [ev("C1", "X", "2")], prior_validations=[prior])
    assert result.status is BlockStatus.VALIDATED
    assert result.reasons[0].code == "capitalised"
    assert result.reasons[0].params["route"] == "vae"
    assert result.validation == prior


# --- carry-over -------------------------------------------------------------------------------


def test_whole_crosswalk_entry_carries_a_block_over():
    earlier = PriorValidation(30, "v1", date(2023, 7, 1), Route.TRAINING, session=3)
    carried = carry_over([earlier], [CrosswalkEntry(30, 4, Coverage.WHOLE)], "v2")
    assert carried.validations == (
        PriorValidation(4, "v2", date(2023, 7, 1), Route.TRAINING, 3, carried_from=30),
    )
    result = block_status(BC4, [], prior_validations=carried.validations)
    assert result.status is BlockStatus.VALIDATED
    assert result.reasons[0].code == "carried_over"


def test_partial_entry_credits_only_covered_competencies_the_rest_must_be_assessed():
    earlier = PriorValidation(31, "v1", date(2023, 7, 1))
    entry = CrosswalkEntry(31, 3, Coverage.PARTIAL, covered=frozenset({"C4"}))
    carried = carry_over([earlier], [entry], "v2")
    assert carried.validations == ()
    alone = block_status(BC3, [], partial_credits=carried.partial)
    assert alone.status is BlockStatus.INCOMPLETE
    assert alone.reasons[0].params == {"competencies": ["C5"]}
    assert alone.competencies[0].reasons[0].code == "credited_by_crosswalk"
    done = block_status(BC3, [ev("C5", "A1", "13")], partial_credits=carried.partial)
    assert done.status is BlockStatus.VALIDATED
    nothing = carry_over([earlier], [CrosswalkEntry(31, 3, Coverage.PARTIAL)], "v2")
    assert nothing.validations == () and nothing.partial == ()


def test_validation_without_crosswalk_entry_is_not_carried():
    earlier = PriorValidation(99, "v1", date(2023, 7, 1))
    assert carry_over([earlier], [CrosswalkEntry(30, 4)], "v2").validations == ()


# --- certification ----------------------------------------------------------------------------


def _blocks(statuses: dict[int, BlockStatus]):
    out = []
    for spec in CURRENT.blocks:
        evidence = {
            BlockStatus.VALIDATED: [ev(c, "A", "15") for c in spec.competencies],
            BlockStatus.NOT_VALIDATED: [ev(c, "A", "5") for c in spec.competencies],
            BlockStatus.INCOMPLETE: [],
        }[statuses.get(spec.key, BlockStatus.INCOMPLETE)]
        out.append(block_status(spec, evidence))
    return out


def test_certification_decision():
    v, n = BlockStatus.VALIDATED, BlockStatus.NOT_VALIDATED
    full = certification_decision(_blocks({1: v, 2: v, 4: v}), CURRENT.rule)
    assert full.status is CertificationStatus.CERTIFIED
    assert full.validated_blocks == (1, 2, 4)
    no_optional = certification_decision(_blocks({1: v, 2: v, 3: n}), CURRENT.rule)
    assert no_optional.status is CertificationStatus.PARTIALLY_CERTIFIED
    assert no_optional.reasons[0].message == "0 optional block(s) validated of 1 required"
    partial = certification_decision(_blocks({1: v, 3: v}), CURRENT.rule)
    assert partial.status is CertificationStatus.PARTIALLY_CERTIFIED
    assert partial.validated_blocks == (1, 3)
    assert partial.reasons[0].params == {"blocks": ["BC02"]}
    none = certification_decision(_blocks({1: n}), CURRENT.rule)
    assert none.status is CertificationStatus.NOT_CERTIFIED
    assert none.validated_blocks == ()


# --- year -------------------------------------------------------------------------------------


def test_year_validation_ects():
    courses = [CourseResult("M1", D(30), D(12)), CourseResult("M2", D(30), D(9))]
    result = year_validation(courses)
    assert result.status is YearStatus.NOT_VALIDATED
    assert result.ects_earned == D(30)
    compensated = year_validation(courses, YearRule(compensation=True))
    assert compensated.status is YearStatus.VALIDATED
    assert compensated.ects_earned == D(60)
    passed = year_validation([CourseResult("M1", D(30), D(10)), CourseResult("M2", D(30), D(15))])
    assert passed.status is YearStatus.VALIDATED
    waiting = year_validation([CourseResult("M1", D(30), D(12)), CourseResult("M2", D(30), None)])
    assert waiting.status is YearStatus.INCOMPLETE
    assert "course_missing" in codes(waiting)


# --- batch ------------------------------------------------------------------------------------


def test_deliberate_a_session():
    evidence = {
        "ann": [ev(c, "A", "14") for c in ("C1", "C2", "C3", "C6")],
        "bob": [ev("C1", "A", "14"), ev("C2", "A", "3"), ev("C9", "A", "20")],
    }
    prior = {"eve": [PriorValidation(30, "v1", date(2023, 7, 1), Route.VAE)]}
    result = deliberate(evidence, prior, CURRENT, crosswalk=[CrosswalkEntry(30, 4)])
    assert set(result) == {"ann", "bob", "eve"}
    assert result["ann"].decision.status is CertificationStatus.CERTIFIED
    assert [b.status for b in result["bob"].blocks] == [
        BlockStatus.NOT_VALIDATED,
        BlockStatus.INCOMPLETE,
        BlockStatus.INCOMPLETE,
        BlockStatus.INCOMPLETE,
    ]
    assert result["bob"].decision.status is CertificationStatus.NOT_CERTIFIED
    eve = result["eve"]
    assert eve.blocks[3].status is BlockStatus.VALIDATED
    assert eve.decision.status is CertificationStatus.PARTIALLY_CERTIFIED
    assert eve.blocks[3].reasons_json()[0]["code"] == "carried_over"


# --- properties -------------------------------------------------------------------------------

ALL_COMPETENCIES = [c for spec in CURRENT.blocks for c in spec.competencies]
grades = st.decimals(min_value=0, max_value=20, places=2)
weights = st.sampled_from([D("0"), D("0.5"), D("1"), D("2"), D("3")])


@st.composite
def evidence_rows(draw, competencies=ALL_COMPETENCIES, resits=True):
    competency = draw(st.sampled_from(competencies))
    assessment = draw(st.sampled_from(["A1", "A2", "A3"]))
    resit = resits and draw(st.booleans())
    grade = draw(st.none() | grades)
    level = draw(st.none() | st.sampled_from(list(Level)))
    return Evidence(
        competency,
        f"R{assessment}" if resit else assessment,
        draw(weights),
        grade,
        level,
        Session.RESIT if resit else Session.FIRST,
        draw(st.sampled_from(list(Absence))),
        assessment if resit else None,
    )


def _statuses(evidence, prior=(), policy=DEFAULT_POLICY):
    result = deliberate({"x": evidence}, {"x": list(prior)}, CURRENT, policy)["x"]
    return [(b.status, b.reasons_json()) for b in result.blocks], result.decision


@settings(max_examples=200, deadline=None)
@given(st.lists(evidence_rows(), max_size=25), st.lists(evidence_rows(), max_size=6))
def test_evidence_on_one_block_never_changes_another_blocks_status(evidence, extra):
    target = BC1
    extra = [row for row in extra if row.competency in target.competencies]
    before, _ = _statuses(evidence)
    after, _ = _statuses(evidence + extra)
    for spec, b, a in zip(CURRENT.blocks, before, after, strict=True):
        if spec is not target:
            assert a == b


@settings(max_examples=200, deadline=None)
@given(
    st.lists(evidence_rows(), max_size=25).flatmap(
        lambda rows: st.tuples(st.just(rows), st.permutations(rows))
    ),
    st.sampled_from([Policy(), Policy(resit=ResitRule.BEST)]),
)
def test_the_order_of_evidence_does_not_matter(pair, policy):
    rows, shuffled = pair
    assert _statuses(rows, policy=policy) == _statuses(list(shuffled), policy=policy)


@settings(max_examples=200, deadline=None)
@given(st.lists(evidence_rows(), max_size=25), st.lists(evidence_rows(), max_size=25))
def test_a_capitalised_block_survives_a_later_failed_session(earlier, later):
    first = deliberate({"x": earlier}, {}, CURRENT)["x"]
    prior = [
        PriorValidation(b.block.key, "v2", JUNE, session=1)
        for b in first.blocks
        if b.status is BlockStatus.VALIDATED
    ]
    # a later session where every grade is failed
    failed = [
        Evidence(r.competency, r.assessment, r.weight, D(0), Level.NOT_ACQUIRED, r.session)
        for r in later
    ]
    second = deliberate({"x": failed}, {"x": prior}, CURRENT)["x"]
    for b1, b2 in zip(first.blocks, second.blocks, strict=True):
        if b1.status is BlockStatus.VALIDATED:
            assert b2.status is BlockStatus.VALIDATED
            assert b2.reasons[0].code == "capitalised"
    kept = {b.block.key for b in first.blocks if b.status is BlockStatus.VALIDATED}
    assert kept <= set(second.decision.validated_blocks)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(evidence_rows(), max_size=20),
    st.sampled_from([Route.TRAINING, Route.VAE]),
    st.dates(min_value=date(2015, 1, 1), max_value=date(2025, 1, 1)),
)
def test_a_validated_block_under_the_earlier_version_carries_over_whole(evidence, route, day):
    crosswalk = [CrosswalkEntry("old-defence", 4, Coverage.WHOLE)]
    prior = {"x": [PriorValidation("old-defence", "v1", day, route)]}
    result = deliberate({"x": evidence}, prior, CURRENT, crosswalk=crosswalk)["x"]
    block = result.blocks[3]
    assert block.status is BlockStatus.VALIDATED
    assert block.validation is not None
    assert (block.validation.validated_on, block.validation.route) == (day, route)
    assert block.validation.carried_from == "old-defence"
    assert 4 in result.decision.validated_blocks
