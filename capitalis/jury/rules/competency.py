"""Competency acquisition (SPEC §6): weighted grade or level, resits, absences and weights."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from capitalis.jury.rules.inputs import DEFAULT_POLICY, Evidence, Policy
from capitalis.jury.rules.reasons import Reason
from capitalis.jury.rules.results import CompetencyResult
from capitalis.jury.rules.vocabulary import (
    _LEVEL_RANK,
    _ZERO,
    Absence,
    CompetencyStatus,
    Key,
    ResitRule,
    Session,
)


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
