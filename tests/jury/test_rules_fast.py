"""The fast twins (``capitalis.jury.rules_fast``) give exactly what the readable reference
(``capitalis.jury.rules``) gives, on random evidence, grades, policies, prior validations and
crosswalks: same status, same rows counted in the same order, same sums to the digit, same
notes and reasons."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from capitalis.jury import rules, rules_fast
from capitalis.jury.rules import (
    Absence,
    BlockKind,
    BlockSpec,
    CertificationRule,
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
)

D = Decimal
BLOCKS = (
    BlockSpec(1, "BC01", BlockKind.COMMON, ("C1", "C2")),
    BlockSpec(2, "BC02", BlockKind.COMMON, ("C3",)),
    BlockSpec(3, "BC03", BlockKind.OPTIONAL, ("C4", "C5")),
    BlockSpec(4, "BC04", BlockKind.OPTIONAL, ("C6", "C1")),  # C1 in two blocks
    BlockSpec(5, "BC05", BlockKind.OPTIONAL, ()),  # no competency
)
COMPETENCIES = ["C1", "C2", "C3", "C4", "C5", "C6", "X9"]  # X9: not of this version
ASSESSMENTS = ["A1", "A2", "A3", 4]

grades = st.decimals(min_value=0, max_value=20, places=2)
weights = st.sampled_from([D("0"), D("0.0"), D("0.5"), D("1"), D("1.0"), D("2"), D("3")])


@st.composite
def evidence_rows(draw: st.DrawFn, competencies: list[str] = COMPETENCIES) -> Evidence:
    """A row of any shape the services may pass: a first session or a resit (naming the
    assessment it retakes, or not), graded or not, with a level or not, present or absent."""
    session = draw(st.sampled_from(list(Session)))
    assessment = draw(st.sampled_from(ASSESSMENTS))
    resit_of = None
    if session is Session.RESIT:
        assessment, resit_of = f"R{assessment}", draw(st.none() | st.sampled_from(ASSESSMENTS))
    return Evidence(
        draw(st.sampled_from(competencies)),
        assessment,
        draw(weights),
        draw(st.none() | grades),
        draw(st.none() | st.sampled_from(list(Level))),
        session,
        draw(st.sampled_from(list(Absence))),
        resit_of,
    )


policies = st.builds(
    Policy,
    grade_threshold=st.sampled_from([D(0), D(10), D("12.5"), D(20)]),
    level_threshold=st.sampled_from(list(Level)),
    resit=st.sampled_from(list(ResitRule)),
    unjustified_absence_is_zero=st.booleans(),
)


def exact(result: rules.CompetencyResult) -> tuple[object, ...]:
    """A competency result with its sums as written (Decimal equality ignores the exponent)
    and the notes and reasons it gives."""
    return (
        result.competency,
        result.status,
        result.counted,
        *(str(x) for x in result[3:7]),
        result.notes,
        result.policy,
        result.reasons,
    )


@settings(max_examples=500, deadline=None)
@given(
    st.booleans().flatmap(
        lambda resits: st.lists(
            evidence_rows(["C1"]).filter(lambda row: resits or row.session is Session.FIRST),
            max_size=14,
        )
    ),
    policies,
)
def test_fast_competency_status_is_the_reference(rows, policy):
    assert exact(rules_fast.competency_status("C1", rows, policy)) == exact(
        rules.competency_status("C1", rows, policy)
    )


def test_fast_competency_status_takes_the_same_defaults():
    rows = [Evidence("C1", "A1", D(1), D(12))]
    assert exact(rules_fast.competency_status("C1", rows)) == exact(
        rules.competency_status("C1", rows)
    )
    assert exact(rules_fast.competency_status("C1", [])) == exact(rules.competency_status("C1", []))


prior_validations = st.lists(
    st.builds(
        PriorValidation,
        block=st.sampled_from([1, 2, 3, 4, "old-1", "old-2"]),
        version=st.sampled_from(["v2", "v1"]),
        validated_on=st.dates(min_value=date(2020, 1, 1), max_value=date(2025, 12, 31)),
        route=st.sampled_from(list(Route)),
        session=st.none() | st.integers(1, 3),
    ),
    max_size=3,
)
crosswalks = st.lists(
    st.builds(
        CrosswalkEntry,
        from_block=st.sampled_from(["old-1", "old-2"]),
        to_block=st.sampled_from([1, 2, 3, 4]),
        coverage=st.sampled_from(list(Coverage)),
        covered=st.frozensets(st.sampled_from(COMPETENCIES), max_size=3),
    ),
    max_size=3,
)


def outcome(result: dict[rules.Key, rules.LearnerDeliberation]) -> list[object]:
    return [
        (
            learner,
            [
                (b.block, b.status, b.reasons, b.validation, [exact(c) for c in b.competencies])
                for b in item.blocks
            ],
            item.decision,
        )
        for learner, item in result.items()
    ]


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["ann", "bob", 3]), st.lists(evidence_rows(), max_size=20)),
    st.dictionaries(st.sampled_from(["bob", "eve", 3]), prior_validations),
    policies,
    crosswalks,
    st.integers(0, 3),
    st.booleans(),
)
def test_fast_deliberate_is_the_reference(
    evidence, prior, policy, crosswalk, optional_required, all_common
):
    structure = VersionStructure(
        "v2", BLOCKS, CertificationRule(optional_required, all_common_required=all_common)
    )
    fast = rules_fast.deliberate(evidence, prior, structure, policy, crosswalk)
    reference = rules.deliberate(evidence, prior, structure, policy, crosswalk)
    assert outcome(fast) == outcome(reference)


@settings(max_examples=100, deadline=None)
@given(st.lists(evidence_rows(), max_size=20))
def test_fast_deliberate_takes_the_same_defaults(rows):
    structure = VersionStructure("v2", BLOCKS[:4])
    assert outcome(rules_fast.deliberate({"x": rows}, {}, structure)) == outcome(
        rules.deliberate({"x": rows}, {}, structure)
    )


def test_the_fast_twins_positions_name_the_evidence_fields():
    fields = Evidence._fields
    assert fields[rules_fast._COMPETENCY] == "competency"
    assert fields[rules_fast._WEIGHT] == "weight"
    assert fields[rules_fast._SESSION] == "session"
    assert fields[rules_fast._ABSENCE] == "absence"
