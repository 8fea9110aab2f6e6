"""``calendar_events_sync``: how another app (assessment) puts one dated event on calendars it
does not own: one event per (campus, track), UIDs stable, moved and removed in place, audited
only when something changed."""

from __future__ import annotations

import datetime as dt

import pytest

from capitalis.core.models import AuditEvent
from capitalis.programmes import services
from capitalis.programmes.models import Calendar, CalendarEvent, Campus, Track
from tests.programmes.calendar_builders import build_calendars

pytestmark = pytest.mark.django_db

ACTION = "programmes.calendar_events_sync"


def _event(day: dt.date, title: str = "Oral") -> services.DatedEvent:
    return services.DatedEvent(
        kind=CalendarEvent.Kind.ASSESSMENT,
        start_date=day,
        end_date=day,
        title_fr=f"Évaluation : {title}",
        title_en=f"Assessment: {title}",
    )


def test_one_event_per_place_moved_then_removed_with_stable_uids() -> None:
    calendars = build_calendars(closures=0)
    paris = calendars[("PARIS", Track.WORK_STUDY.value)]
    bordeaux = calendars[("BORDEAUX", Track.INITIAL.value)]
    places = {(paris.campus_id, paris.track), (bordeaux.campus_id, bordeaux.track)}
    edition = paris.edition_id

    first = services.calendar_events_sync(
        prefix="assessment-7-", edition_id=edition, places=places, event=_event(dt.date(2027, 1, 5))
    )
    assert sorted(e.uid for e in first) == sorted(
        f"assessment-7-{c.pk}@capitalis" for c in (paris, bordeaux)
    )
    assert AuditEvent.objects.filter(action=ACTION).count() == 1

    # the same event again: nothing changes, nothing is recorded
    again = services.calendar_events_sync(
        prefix="assessment-7-", edition_id=edition, places=places, event=_event(dt.date(2027, 1, 5))
    )
    assert [e.pk for e in again] == [e.pk for e in first]
    assert AuditEvent.objects.filter(action=ACTION).count() == 1

    # a new date moves both events in place; another event's prefix is left alone
    other = services.calendar_events_sync(
        prefix="assessment-71-",
        edition_id=edition,
        places={(paris.campus_id, paris.track)},
        event=_event(dt.date(2027, 2, 1)),
    )
    services.calendar_events_sync(
        prefix="assessment-7-", edition_id=edition, places=places, event=_event(dt.date(2027, 1, 9))
    )
    moved = CalendarEvent.objects.filter(uid__startswith="assessment-7-")
    assert {e.pk for e in moved} == {e.pk for e in first}
    assert {e.start_date for e in moved} == {dt.date(2027, 1, 9)}

    # one place fewer: its event goes, the other event stays
    services.calendar_events_sync(
        prefix="assessment-7-",
        edition_id=edition,
        places={(bordeaux.campus_id, bordeaux.track)},
        event=_event(dt.date(2027, 1, 9)),
    )
    assert list(
        CalendarEvent.objects.filter(uid__startswith="assessment-7-").values_list(
            "calendar_id", flat=True
        )
    ) == [bordeaux.pk]
    assert CalendarEvent.objects.get(uid=other[0].uid).start_date == dt.date(2027, 2, 1)
    assert AuditEvent.objects.filter(action=ACTION).count() == 4


def test_a_missing_calendar_is_created() -> None:
    calendars = build_calendars(closures=0)
    paris = calendars[("PARIS", Track.WORK_STUDY.value)]
    Calendar.objects.filter(pk=paris.pk).delete()
    campus = Campus.objects.get(code="PARIS")
    (event,) = services.calendar_events_sync(
        prefix="assessment-8-",
        edition_id=paris.edition_id,
        places=[(campus.pk, Track.WORK_STUDY.value)],
        event=_event(dt.date(2027, 3, 1)),
    )
    calendar = Calendar.objects.get(
        edition_id=paris.edition_id, campus=campus, track=Track.WORK_STUDY
    )
    assert event.calendar == calendar and event.uid == f"assessment-8-{calendar.pk}@capitalis"
    assert "1 calendars created" in AuditEvent.objects.get(action=ACTION).summary
