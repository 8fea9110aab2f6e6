"""iCalendar export (RFC 5545) of a campus, track and edition calendar (SPEC §4).

One all-day VEVENT per period of the year (school, company, public holiday, school closure; a
period absorbs the weekends inside it) and one per calendar event (assessments). UIDs are
stable: a period's UID is made of the feed token, its kind and its first day, so a calendar
client that re-reads the feed updates the periods instead of duplicating them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from capitalis.core import clock
from capitalis.programmes import rules
from capitalis.programmes.calendars import CalendarView, kind_label

PRODID = "-//Capitalis//Calendars//FR"
EXPORTED_KINDS = (
    rules.DayKind.SCHOOL,
    rules.DayKind.COMPANY,
    rules.DayKind.HOLIDAY,
    rules.DayKind.CLOSURE,
)


def span_uid(view: CalendarView, span: rules.Span) -> str:
    """The stable UID of a period (RFC 5545 §3.8.4.7)."""
    return f"{view.calendar.token}-{span.kind}-{span.start:%Y%m%d}@capitalis"


def span_summary(span: rules.Span) -> str:
    """What a calendar client shows for a period, in the active language."""
    name = kind_label(span.kind)
    if not span.label:
        return name
    return _("%(kind)s: %(label)s") % {"kind": name, "label": span.label}


def calendar_name(view: CalendarView) -> str:
    calendar = view.calendar
    return _("%(programme)s, %(campus)s, %(track)s, %(edition)s") % {
        "programme": calendar.edition.programme.code,
        "campus": calendar.campus.name,
        "track": calendar.get_track_display(),
        "edition": calendar.edition.label,
    }


def _all_day(event: icalendar.Event, first: object, last: object) -> None:
    """DTSTART;VALUE=DATE and an exclusive DTEND (RFC 5545 §3.6.1)."""
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))  # type: ignore[operator]


def to_ical(view: CalendarView, *, now: datetime) -> bytes:
    """The calendar as an iCalendar document; ``now`` (timezone-aware) is the DTSTAMP."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name(view))
    cal.add("x-wr-timezone", "Europe/Paris")
    for span in view.spans:
        if span.kind not in EXPORTED_KINDS:
            continue
        event = icalendar.Event()
        event.add("uid", span_uid(view, span))
        event.add("dtstamp", now)
        _all_day(event, span.start, span.end)
        event.add("summary", span_summary(span))
        event.add("categories", [str(span.kind)])
        event.add("description", _("%(days)s day(s)") % {"days": span.days})
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    for item in view.events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now)
        _all_day(event, item.start_date, item.end_date)
        event.add("summary", item.title)
        event.add("categories", [str(item.kind)])
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def feed_language(request: HttpRequest) -> str:
    """``?lang=`` when it names a served language, else the request's (Accept-Language)."""
    wanted = request.GET.get("lang", "")
    codes = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in codes else translation.get_language() or settings.LANGUAGE_CODE


def ics_response(view: CalendarView, *, language: str) -> HttpResponse:
    """The calendar as an iCalendar document in ``language``."""
    with translation.override(language):
        body = to_ical(view, now=clock.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = (
        f"capitalis-{view.calendar.edition.code}-{view.calendar.campus.code}-"
        f"{view.calendar.track}.ics"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Content-Language"] = language
    return response
