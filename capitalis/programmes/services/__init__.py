"""Every write on the programme catalogue (SPEC §2, §4), by subdomain: ``catalogue``
(campuses, programmes, years, specialisations), ``editions`` (editions, application windows,
offerings), ``courses`` (courses and their competencies) and ``rhythms`` (campus rhythms, school
closures, calendars); ``common`` holds the helpers they share. Callers use the package:
``from capitalis.programmes import services`` then ``services.edition_set(...)``.

Every write is keyword-only, atomic, audited, and raises a translated ``DomainError`` for bad
input with nothing saved: overlapping editions of a programme, a course with negative ECTS, a
campus rhythm that cannot reach the minimum company days (checked with the rhythm engine and
French public holidays). The ``*_set`` services create or update by natural key and write
nothing (no save, no history row, no audit) when the row already holds the given values: the
data loader relies on it to be idempotent.
"""

from __future__ import annotations

from capitalis.programmes.services.catalogue import (
    campus_set,
    programme_set,
    programme_year_set,
    specialisation_set,
)
from capitalis.programmes.services.courses import (
    course_competencies_set,
    course_create,
    course_set,
    course_update,
)
from capitalis.programmes.services.editions import (
    _check_edition,
    edition_application_window_set,
    edition_create,
    edition_set,
    offering_set,
)
from capitalis.programmes.services.rhythms import (
    DatedEvent,
    _reason_message,
    calendar_ensure,
    calendar_event_uid,
    calendar_events_sync,
    campus_rhythm_set,
    edition_closures,
    french_holidays,
    rhythm_check,
    rhythm_pattern,
    school_closure_set,
)

# Two private names too: the admin checks an edition and words a rhythm's failures as the
# services do.
__all__ = [
    "DatedEvent",
    "_check_edition",
    "_reason_message",
    "calendar_ensure",
    "calendar_event_uid",
    "calendar_events_sync",
    "campus_rhythm_set",
    "campus_set",
    "course_competencies_set",
    "course_create",
    "course_set",
    "course_update",
    "edition_application_window_set",
    "edition_closures",
    "edition_create",
    "edition_set",
    "french_holidays",
    "offering_set",
    "programme_set",
    "programme_year_set",
    "rhythm_check",
    "rhythm_pattern",
    "school_closure_set",
    "specialisation_set",
]
