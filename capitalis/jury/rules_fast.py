"""The fast twins of two deliberation rules of ``capitalis.jury.rules``: ``competency_status``
and ``deliberate``, same signatures, same results to the digit (tests/jury/test_rules_fast.py
checks it on random evidence). ``rules`` holds the readable reference and the rule's
documentation (SPEC §6); what is here only goes faster. Pure like it: no Django, no I/O.

Whatever deliberates a whole session calls these (benchmarks/deliberation.py: 20,000 learners'
~2.7 million evidence rows, the competency rule run half a million times). What makes them
faster, each measured (``make bench``, deliberation):

- without a resit row (most competencies) one pass over the rows does everything; with resits
  under the default ``ResitRule.REPLACE``, two (the slots retaken, then the rest); any other
  policy, and any value the fast paths do not expect, goes to the reference;
- rows are unpacked in the loop (a NamedTuple's field read by name is a slower, unspecialised
  attribute lookup) or indexed by a constant named after the field; the lists of notes are
  made only when needed (most stay empty); enum members are module constants (looked up on
  their class, ~200 ns each in Python 3.11);
- results are built with ``tuple.__new__`` (the NamedTuple's own ``__new__`` is a Python
  function: a frame per result for the same tuple);
- ``deliberate`` groups a learner's rows per competency in one pass, taking each run of rows
  of one competency with one lookup, and runs the reference's block rule
  (``rules.block_result``) with the fast competency rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Final

from capitalis.jury.rules import (
    DEFAULT_POLICY,
    Absence,
    CompetencyResult,
    CompetencyStatus,
    CrosswalkEntry,
    Evidence,
    Key,
    LearnerDeliberation,
    Level,
    Policy,
    PriorValidation,
    Reason,
    ResitRule,
    Session,
    VersionStructure,
    block_result,
    carry_over,
    certification_decision,
)
from capitalis.jury.rules import competency_status as reference_competency_status

_ZERO = Decimal(0)
_RANK = {level: level.rank for level in Level}
_PRESENT = Absence.NONE
_JUSTIFIED = Absence.JUSTIFIED
_UNJUSTIFIED = Absence.UNJUSTIFIED
_RESIT = Session.RESIT
_REPLACE = ResitRule.REPLACE
_ACQUIRED = CompetencyStatus.ACQUIRED
_NOT_ACQUIRED = CompetencyStatus.NOT_ACQUIRED
_NO_EVIDENCE = CompetencyStatus.NO_EVIDENCE
_new_tuple = tuple.__new__

# Evidence fields by position, named (literal: so mypy knows each field's type; the property
# tests check they name the right fields)
_COMPETENCY: Final = 0
_WEIGHT: Final = 2
_SESSION: Final = 5
_ABSENCE: Final = 6
_session_of = itemgetter(_SESSION)


def competency_status(
    competency: Key, evidence: Sequence[Evidence], policy: Policy = DEFAULT_POLICY
) -> CompetencyResult:
    """``rules.competency_status``, fast: one pass without a resit row, two with resits under
    ``ResitRule.REPLACE``, the reference otherwise."""
    if _RESIT in map(_session_of, evidence):  # a C loop; ``==``: a string equal to it goes too
        if policy.resit is _REPLACE:
            return _replace_resits(competency, evidence, policy)
        return reference_competency_status(competency, evidence, policy)
    zero_absent = policy.unjustified_absence_is_zero
    gs = gw = ls = lw = _ZERO
    justified: list[Key] | None = None  # lists made only when needed: most stay empty
    zero: list[Key] | None = None
    absent: list[Key] | None = None
    for _competency, assessment, weight, grade, level, _session, absence, _resit_of in evidence:
        if absence is _PRESENT:
            if weight <= _ZERO:
                if zero is None:
                    zero = []
                zero.append(assessment)
                continue
            if grade is not None:
                gs += weight * grade
                gw += weight
            if level is not None:
                ls += weight * _RANK[level]
                lw += weight
        elif absence is _JUSTIFIED or (absence is _UNJUSTIFIED and not zero_absent):
            if justified is None:
                justified = []
            justified.append(assessment)
        elif weight <= _ZERO:
            if zero is None:
                zero = []
            zero.append(assessment)
        elif absence is _UNJUSTIFIED:
            gw += weight
            if absent is None:
                absent = []
            absent.append(assessment)
        else:  # not an Absence member: as the reference takes it
            return reference_competency_status(competency, evidence, policy)
    if justified is not None or zero is not None:
        counted = tuple(
            row
            for row in evidence
            if row[_ABSENCE] is not _JUSTIFIED
            and (zero_absent or row[_ABSENCE] is not _UNJUSTIFIED)
            and row[_WEIGHT] > _ZERO
        )
        notes = []
        if justified is not None:
            notes.append(Reason("justified_absence", {"assessments": tuple(justified)}))
        if zero is not None:
            notes.append(Reason("zero_weight", {"assessments": tuple(zero)}))
        if absent is not None:
            notes.append(Reason("unjustified_absence", {"assessments": tuple(absent)}))
        return _result(competency, counted, gs, gw, ls, lw, tuple(notes), policy)
    if absent is not None:
        notes_ = (Reason("unjustified_absence", {"assessments": tuple(absent)}),)
        return _result(competency, tuple(evidence), gs, gw, ls, lw, notes_, policy)
    return _result(competency, tuple(evidence), gs, gw, ls, lw, (), policy)


def _replace_resits(
    competency: Key, evidence: Sequence[Evidence], policy: Policy
) -> CompetencyResult:
    """``competency_status`` under ``ResitRule.REPLACE`` with some resit row: the slots the
    resits that count retake, then one pass as the reference's ``_counted`` and ``_sums``
    make two (the rows taken in the same order, so the notes and the sums are the same)."""
    zero_absent = policy.unjustified_absence_is_zero
    resits = {
        assessment if resit_of is None else resit_of
        for _competency, assessment, weight, _grade, _level, session, absence, resit_of in evidence
        if session is _RESIT
        and absence is not _JUSTIFIED
        and (zero_absent or absence is not _UNJUSTIFIED)
        and weight > _ZERO
    }
    gs = gw = ls = lw = _ZERO
    justified: list[Key] = []
    zero: list[Key] = []
    counted: list[Evidence] = []
    replaced: list[Key] = []
    absent: list[Key] = []
    for row in evidence:
        _competency, assessment, weight, grade, level, session, absence, resit_of = row
        if absence is _JUSTIFIED or (absence is _UNJUSTIFIED and not zero_absent):
            justified.append(assessment)
            continue
        if weight <= _ZERO:
            zero.append(assessment)
            continue
        if session is not _RESIT and (assessment if resit_of is None else resit_of) in resits:
            replaced.append(assessment)
            continue
        counted.append(row)
        if absence is _UNJUSTIFIED:  # here only when it counts as 0
            gw += weight
            absent.append(assessment)
            continue
        if grade is not None:
            gs += weight * grade
            gw += weight
        if level is not None:
            ls += weight * _RANK[level]
            lw += weight
    notes = []
    if justified:
        notes.append(Reason("justified_absence", {"assessments": tuple(justified)}))
    if zero:
        notes.append(Reason("zero_weight", {"assessments": tuple(zero)}))
    if replaced:
        notes.append(Reason("evidence_replaced", {"replaced": tuple(replaced)}))
    if absent:
        notes.append(Reason("unjustified_absence", {"assessments": tuple(absent)}))
    return _result(competency, tuple(counted), gs, gw, ls, lw, tuple(notes), policy)


def _result(
    competency: Key,
    counted: tuple[Evidence, ...],
    gs: Decimal,
    gw: Decimal,
    ls: Decimal,
    lw: Decimal,
    notes: tuple[Reason, ...],
    policy: Policy,
) -> CompetencyResult:
    """The competency's result from the rows that count and their weighted sums, as the
    reference builds it (its fields in ``CompetencyResult``'s order)."""
    if not gw and not lw:
        return _new_tuple(
            CompetencyResult,
            (competency, _NO_EVIDENCE, (), _ZERO, _ZERO, _ZERO, _ZERO, notes, DEFAULT_POLICY),
        )
    acquired = (gw and gs >= policy.grade_threshold * gw) or (
        lw and ls >= _RANK[policy.level_threshold] * lw
    )
    return _new_tuple(
        CompetencyResult,
        (
            competency,
            _ACQUIRED if acquired else _NOT_ACQUIRED,
            counted,
            gs,
            gw,
            ls,
            lw,
            notes,
            policy,
        ),
    )


def deliberate(
    evidence: Mapping[Key, Sequence[Evidence]],
    prior_validations: Mapping[Key, Sequence[PriorValidation]],
    structure: VersionStructure,
    policy: Policy = DEFAULT_POLICY,
    crosswalk: Sequence[CrosswalkEntry] = (),
) -> dict[Key, LearnerDeliberation]:
    """``rules.deliberate``, fast: one pass over each learner's evidence groups it per
    competency (rows of competencies outside the version dropped), then the reference's block
    rule with the fast competency rule."""
    known = {competency for spec in structure.blocks for competency in spec.competencies}
    learners = dict.fromkeys(evidence)
    learners.update(dict.fromkeys(prior_validations))
    out: dict[Key, LearnerDeliberation] = {}
    specs, rule, version = structure.blocks, structure.rule, structure.version
    no_rows: Sequence[Evidence] = ()
    for learner in learners:
        grouped: dict[Key, list[Evidence]] = {}
        last: Key | None = None
        rows: list[Evidence] = []
        for row in evidence.get(learner, no_rows):
            competency = row[_COMPETENCY]
            if competency != last:  # a learner's rows mostly come a competency at a time
                last = competency
                found = grouped.get(competency)
                if found is None:
                    found = []
                    if competency in known:  # else not a competency of this version: dropped
                        grouped[competency] = found
                rows = found
            rows.append(row)
        prior = prior_validations.get(learner)
        if prior:
            carried = carry_over(prior, crosswalk, version)
            validations, partial = carried.validations, carried.partial
        else:
            validations = partial = ()
        blocks = tuple(
            [
                block_result(spec, grouped, policy, validations, partial, competency_status)
                for spec in specs
            ]
        )
        out[learner] = LearnerDeliberation(blocks, certification_decision(blocks, rule))
    return out
