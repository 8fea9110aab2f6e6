"""Carry-over across versions through the crosswalk (SPEC §1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from capitalis.jury.rules.inputs import CarryOver, CrosswalkEntry, PartialCredit, PriorValidation
from capitalis.jury.rules.vocabulary import Coverage, Key


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
