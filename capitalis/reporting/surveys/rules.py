"""When surveys are due (SPEC §9; issue 7 point 2), pure: no Django, no ORM, no clock.

* Employment at 6 months / 2 years: an edition's certification decisions are N months old when
  its most recent closed jury session is (so every alumnus surveyed has been out at least that
  long). The survey is due from that day (``due_on``) and for ``window_days`` days after:
  ``due_on <= today < due_on + window_days``. A run that misses the window (the scheduler was
  stopped) does not send a survey months late; staff can still create it by hand.
* Satisfaction (teaching; work-study when the edition has learners on the work-study track):
  in the last ``satisfaction_days`` days of the edition, its end date included:
  ``end_date - satisfaction_days < today <= end_date``.

Which surveys already exist is the caller's business (a survey is unique per edition and kind);
:func:`due_surveys` answers which kinds are due for which edition on a day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

EMPLOYMENT_MONTHS = {"employment_6m": 6, "employment_2y": 24}
SATISFACTION_TEACHING = "satisfaction_teaching"
SATISFACTION_WORK_STUDY = "satisfaction_work_study"


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the day is clamped to the month's last day
    (31 August + 6 months = 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class EditionFacts:
    """What the schedule needs to know about one edition."""

    edition_id: int
    end_date: date
    decided_on: date | None  # date of its most recent closed jury session, if any
    has_work_study: bool


@dataclass(frozen=True)
class Due:
    """A survey of ``kind`` due for an edition since ``due_on`` (inclusive) until ``until``
    (exclusive)."""

    edition_id: int
    kind: str
    due_on: date
    until: date


def employment_due(facts: EditionFacts, *, window_days: int) -> list[Due]:
    """The employment surveys of an edition with decisions, with their windows."""
    if facts.decided_on is None:
        return []
    found = []
    for kind, months in EMPLOYMENT_MONTHS.items():
        due_on = add_months(facts.decided_on, months)
        found.append(Due(facts.edition_id, kind, due_on, due_on + timedelta(days=window_days)))
    return found


def satisfaction_due(facts: EditionFacts, *, satisfaction_days: int) -> list[Due]:
    """The satisfaction surveys of an edition, due in its last ``satisfaction_days`` days."""
    due_on = facts.end_date - timedelta(days=satisfaction_days - 1)
    until = facts.end_date + timedelta(days=1)
    kinds = [SATISFACTION_TEACHING] + ([SATISFACTION_WORK_STUDY] if facts.has_work_study else [])
    return [Due(facts.edition_id, kind, due_on, until) for kind in kinds]


def due_surveys(
    editions: list[EditionFacts],
    *,
    today: date,
    window_days: int,
    satisfaction_days: int,
) -> list[Due]:
    """The surveys due on ``today``, by edition then kind (see the module docstring)."""
    if window_days < 1 or satisfaction_days < 1:
        raise ValueError("the windows last at least one day")
    found = []
    for facts in editions:
        candidates = satisfaction_due(facts, satisfaction_days=satisfaction_days)
        candidates += employment_due(facts, window_days=window_days)
        found += [d for d in candidates if d.due_on <= today < d.until]
    return sorted(found, key=lambda d: (d.edition_id, d.kind))
