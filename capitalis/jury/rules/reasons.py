"""Why a status: a ``Reason`` is a stable code and its figures; the texts are said once here
(English; the jury queries translate them).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from capitalis.jury.rules.vocabulary import _CENT, _keys


def gettext_noop(text: str) -> str:
    """Mark ``text`` for translation without translating it (the rules import no Django;
    ``makemessages`` finds the texts by this name, the queries translate them)."""
    return text


#: The deliberation reasons' texts, said once: ``Reason.message`` fills them in English, the
#: jury queries translate them (``gettext``) for the grid, the minutes and the API.
REASON_TEXTS: dict[str, str] = {
    "grade_reached": gettext_noop("weighted grade %(mean)s/20 reaches %(threshold)s"),
    "grade_below": gettext_noop("weighted grade %(mean)s/20 is below %(threshold)s"),
    "level_reached": gettext_noop("level %(level)s reaches %(threshold)s"),
    "level_below": gettext_noop("level %(level)s is below %(threshold)s"),
    "no_evidence": gettext_noop("no evidence counted"),
    "evidence_counted": gettext_noop("evidence counted: %(counted)s"),
    "evidence_replaced": gettext_noop("first-session evidence replaced by the resit: %(replaced)s"),
    "evidence_kept_over_resit": gettext_noop("first session kept over a lower resit: %(replaced)s"),
    "justified_absence": gettext_noop("justified absence, not counted: %(assessments)s"),
    "unjustified_absence": gettext_noop("unjustified absence counted as 0: %(assessments)s"),
    "zero_weight": gettext_noop("weight 0, not counted: %(assessments)s"),
    "credited_by_crosswalk": gettext_noop(
        "credited by the earlier version's block %(from_block)s (partial crosswalk entry)"
    ),
    "capitalised": gettext_noop("validated on %(validated_on)s (%(route)s), capitalised"),
    "carried_over": gettext_noop(
        "validated on %(validated_on)s (%(route)s) under the earlier version's block "
        "%(from_block)s, carried over by the crosswalk"
    ),
    "all_acquired": gettext_noop("every competency acquired: %(competencies)s"),
    "below_threshold": gettext_noop("competencies below threshold: %(competencies)s"),
    "missing": gettext_noop("competencies without evidence: %(competencies)s"),
    "no_competency": gettext_noop("the block has no competency"),
    "common_missing": gettext_noop("common blocks not validated: %(blocks)s"),
    "optional_count": gettext_noop(
        "%(count)s optional block(s) validated of %(required)s required"
    ),
    "certified": gettext_noop("every common block and %(required)s optional block(s) validated"),
    "blocks_validated": gettext_noop("blocks validated: %(blocks)s"),
    "no_block_validated": gettext_noop("no block validated"),
    "course_passed": gettext_noop("%(course)s: %(grade)s/20, %(ects)s ECTS earned"),
    "course_failed": gettext_noop("%(course)s: %(grade)s/20 is below %(threshold)s"),
    "course_missing": gettext_noop("%(course)s: no grade"),
    "compensated": gettext_noop(
        "year mean %(mean)s/20 reaches %(threshold)s: every course compensated"
    ),
    "ects_earned": gettext_noop("%(earned)s ECTS earned of %(required)s"),
}

_MESSAGES: dict[str, str] = dict(REASON_TEXTS)


_NO_PARAMS: Mapping[str, Any] = MappingProxyType({})


class Reason(NamedTuple):
    """Why: a stable ``code`` (translated by the services) and its JSON-ready ``params``. An
    immutable NamedTuple: a session builds hundreds of thousands (notes, block reasons)."""

    code: str
    params: Mapping[str, Any] = _NO_PARAMS

    @property
    def message(self) -> str:
        """The English sentence."""
        values = {
            k: ", ".join(str(x) for x in v) if isinstance(v, list | tuple) else v
            for k, v in self.params.items()
        }
        return _MESSAGES[self.code] % values

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}


def _sorted_note(note: Reason) -> Reason:
    """A note whose key tuples become sorted lists of distinct keys."""
    params = {k: _keys(v) if isinstance(v, tuple) else v for k, v in note.params.items()}
    return Reason(note.code, params)


def _show(value: Decimal) -> str:
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))
