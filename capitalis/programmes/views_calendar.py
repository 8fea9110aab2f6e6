"""Calendar pages and the public iCalendar feed (SPEC §4; issue 3 points 4 and 6).

- /programmes/calendars/<edition>/<campus>/<track>/: the year as month grids readable on a
  phone, a legend with the counts, the 110-day check with its reasons, the feed's address.
- /programmes/calendars/<token>.ics: the feed a learner or an employer subscribes to (the token
  is the secret); language from ``?lang=`` or Accept-Language.
Thin: the reads are in ``calendars``, the export in ``ical``.
"""

from __future__ import annotations

import calendar as std_calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import pgettext

from capitalis.core.handlers import domain_errors
from capitalis.programmes import calendars, ical, rules
from capitalis.programmes.calendars import CalendarView


@dataclass
class Cell:
    day: date
    kind: rules.DayKind
    label: str = ""
    events: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return kind_code(self.kind)

    @property
    def name(self) -> str:
        return calendars.kind_label(self.kind)


@dataclass
class Month:
    first: date
    weeks: list[list[Cell | None]]

    @property
    def anchor(self) -> str:
        return f"m{self.first:%Y-%m}"


def kind_code(kind: rules.DayKind) -> str:
    """The one-letter code shown in a day cell, so a kind is never told by colour alone."""
    return {
        rules.DayKind.SCHOOL: pgettext("day kind code", "S"),
        rules.DayKind.COMPANY: pgettext("day kind code", "C"),
        rules.DayKind.HOLIDAY: pgettext("day kind code", "H"),
        rules.DayKind.CLOSURE: pgettext("day kind code", "X"),
        rules.DayKind.FREE: "",
    }[kind]


def months_of(view: CalendarView) -> list[Month]:
    """The year as month grids, Monday first, with each day's kind and events."""
    by_day: dict[date, list[str]] = {}
    for event in view.events:
        day = event.start_date
        while day <= event.end_date:
            by_day.setdefault(day, []).append(event.title)
            day += timedelta(days=1)
    days = {d.day: d for d in view.year.days}
    months: list[Month] = []
    first = view.year.start.replace(day=1)
    while first <= view.year.end:
        weeks: list[list[Cell | None]] = []
        for week in std_calendar.Calendar(firstweekday=0).monthdatescalendar(
            first.year, first.month
        ):
            row: list[Cell | None] = []
            for day in week:
                known = days.get(day)
                if day.month != first.month or known is None:
                    row.append(None)
                else:
                    row.append(Cell(day, known.kind, known.label, by_day.get(day, [])))
            weeks.append(row)
        months.append(Month(first, weeks))
        first = (first + timedelta(days=32)).replace(day=1)
    return months


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "programmes/calendar_missing.html", {"message": message}, status=404)


def calendar_page(request: HttpRequest, edition: str, campus: str, track: str) -> HttpResponse:
    """The calendar of a campus, track and edition."""
    with domain_errors(request, message=False) as refused:
        view = calendars.build(
            calendars.calendar_for(edition=edition, campus=campus, track=track),
            with_events=True,
        )
    if refused:
        return _not_found(request, refused.message)
    feed_path = reverse("programmes:calendar-feed", kwargs={"token": view.calendar.token})
    feed_url = request.build_absolute_uri(feed_path)
    counts = view.year.counts
    legend = [
        {
            "kind": kind,
            "name": calendars.kind_label(kind),
            "code": kind_code(kind),
            "count": counts[kind],
        }
        for kind in ical.EXPORTED_KINDS
    ]
    weekdays = [date_format(date(2024, 1, 1) + timedelta(days=i), "D") for i in range(7)]
    weekday_names = [date_format(date(2024, 1, 1) + timedelta(days=i), "l") for i in range(7)]
    return render(
        request,
        "programmes/calendar.html",
        {
            "view": view,
            "calendar": view.calendar,
            "rhythm": view.rhythm,
            "months": months_of(view),
            "legend": legend,
            "weekdays": list(zip(weekdays, weekday_names, strict=True)),
            "reasons": [
                {"passed": r.passed, "code": r.code, "message": calendars.reason_message(r)}
                for r in view.check.reasons
            ],
            "ok": view.check.ok,
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            "events": view.events,
        },
    )


def calendar_feed(request: HttpRequest, token: UUID) -> HttpResponse:
    """The public iCalendar feed of a calendar (the token is the secret)."""
    language = ical.feed_language(request)
    with domain_errors(request, message=False) as refused, translation.override(language):
        view = calendars.build(calendars.calendar_by_token(token), with_events=True)
    if refused:
        return _not_found(request, refused.message)
    return ical.ics_response(view, language=language)
