"""Calendars: turn a campus rhythm, French public holidays and school closures into the pure
rhythm engine's inputs, and read the calendar of a campus, track and edition (SPEC §2, §4).

Reads only (no writes): a fixed number of queries per calendar, whatever the number of
closures or events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import holidays as holidays_lib
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError
from capitalis.programmes import rules
from capitalis.programmes.models import (
    Calendar,
    CalendarEvent,
    CampusRhythm,
    Edition,
    Offering,
    RhythmKind,
    SchoolClosure,
)


class CalendarNotFound(DomainError):
    """No calendar for that edition, campus and track (no offering runs there)."""


class RhythmMissing(DomainError):
    """The calendar's campus has no rhythm for its track and edition."""


@dataclass(frozen=True)
class CalendarView:
    """Everything a page, a feed or an endpoint shows of one calendar."""

    calendar: Calendar
    rhythm: CampusRhythm
    pattern: rules.Pattern
    year: rules.YearCalendar
    check: rules.CheckResult
    events: tuple[CalendarEvent, ...]

    @property
    def spans(self) -> tuple[rules.Span, ...]:
        return rules.spans(self.year)


def pattern_from(rhythm: CampusRhythm) -> rules.Pattern:
    """The engine's pattern for a campus rhythm (``params`` as CampusRhythm documents)."""
    params = rhythm.params or {}
    try:
        if rhythm.kind == RhythmKind.ALTERNATING_WEEKS:
            return rules.AlternatingWeeks(
                company_weeks=int(params["company_weeks"]),
                school_weeks=int(params["school_weeks"]),
                first=rules.Period(params.get("first", rules.Period.SCHOOL)),
            )
        if rhythm.kind == RhythmKind.ALTERNATING_DAYS:
            return rules.AlternatingDays(
                school_weekdays=tuple(int(d) for d in params["school_weekdays"]),
                working_weekdays=tuple(int(d) for d in params.get("working_weekdays", range(5))),
            )
        if rhythm.kind == RhythmKind.INTERNSHIP:
            return rules.InternshipBlock(
                start=date.fromisoformat(str(params["start"])), months=int(params["months"])
            )
    except (KeyError, TypeError, ValueError) as error:
        raise DomainError(
            _("The rhythm of %(rhythm)s has invalid parameters: %(error)s")
            % {"rhythm": rhythm, "error": error}
        ) from error
    raise DomainError(_("Unknown rhythm kind: %(kind)s") % {"kind": rhythm.kind})


def holiday_language() -> str:
    """The `holidays` package's language for the active one (French by default)."""
    return "en_US" if (get_language() or "fr").startswith("en") else "fr"


def french_holidays(start: date, end: date) -> dict[date, str]:
    """French public holidays between two dates, named in the active language."""
    found = holidays_lib.France(years=range(start.year, end.year + 1), language=holiday_language())
    return {day: str(name) for day, name in found.items() if start <= day <= end}


def closures_for(calendar: Calendar) -> tuple[rules.Closure, ...]:
    """School closures of the calendar's edition: general ones and its campus's (one query)."""
    return _closures(calendar.edition_id, calendar.campus_id)


def _closures(edition_id: int, campus_id: int) -> tuple[rules.Closure, ...]:
    rows = SchoolClosure.objects.filter(edition_id=edition_id).filter(
        Q(campus__isnull=True) | Q(campus_id=campus_id)
    )
    return tuple(rules.Closure(c.start_date, c.end_date, c.label) for c in rows)


def rhythm_year(
    *, edition: Edition, campus_id: int, track: str
) -> tuple[CampusRhythm, rules.Pattern, rules.YearCalendar] | None:
    """The rhythm of a campus and track in an edition, its pattern and the year it makes day by
    day (public holidays and closures applied); None when the campus has no rhythm for it
    (three queries). What a placement is counted against (SPEC §2)."""
    rhythm = CampusRhythm.objects.filter(
        edition_id=edition.pk, campus_id=campus_id, track=track
    ).first()
    if rhythm is None:
        return None
    pattern = pattern_from(rhythm)
    year = rules.build_year(
        pattern=pattern,
        start=edition.start_date,
        end=edition.end_date,
        holidays=french_holidays(edition.start_date, edition.end_date),
        closures=_closures(edition.pk, campus_id),
    )
    return rhythm, pattern, year


def rhythm_for(calendar: Calendar) -> CampusRhythm:
    """The rhythm of the calendar's campus, track and edition, or a translated DomainError."""
    rhythm = CampusRhythm.objects.filter(
        edition_id=calendar.edition_id, campus_id=calendar.campus_id, track=calendar.track
    ).first()
    if rhythm is None:
        raise RhythmMissing(
            _("No rhythm is defined for %(campus)s, track %(track)s, edition %(edition)s.")
            % {
                "campus": calendar.campus.name,
                "track": calendar.get_track_display(),
                "edition": calendar.edition.label,
            }
        )
    return rhythm


def year_for(calendar: Calendar) -> rules.YearCalendar:
    """The calendar's academic year day by day (SPEC §4: without public holidays or school
    closures)."""
    return build(calendar).year


def check_for(calendar: Calendar) -> rules.CheckResult:
    """The calendar checked against the rules (110 company days; internship length)."""
    return build(calendar).check


def build(calendar: Calendar, *, with_events: bool = False) -> CalendarView:
    """The calendar computed from its rhythm, holidays and closures, with its check."""
    rhythm = rhythm_for(calendar)
    pattern = pattern_from(rhythm)
    edition = calendar.edition
    year = rules.build_year(
        pattern=pattern,
        start=edition.start_date,
        end=edition.end_date,
        holidays=french_holidays(edition.start_date, edition.end_date),
        closures=closures_for(calendar),
    )
    check = rules.check_year(
        calendar=year,
        pattern=pattern,
        track=rules.Track(calendar.track),
        rules=rules.RhythmRules(min_company_days=rhythm.min_company_days),
    )
    events = tuple(calendar.events.order_by("start_date", "pk")) if with_events else ()
    return CalendarView(calendar, rhythm, pattern, year, check, events)


def calendar_by_token(token: UUID | str) -> Calendar:
    """The calendar a public feed names, or CalendarNotFound."""
    calendar = (
        Calendar.objects.select_related("edition__programme", "campus").filter(token=token).first()
    )
    if calendar is None:
        raise CalendarNotFound(_("No calendar has this address."))
    return calendar


def calendar_for(*, edition: str, campus: str, track: str) -> Calendar:
    """The calendar of an offering (edition code, campus code, track), or CalendarNotFound
    when no offering runs on that campus and track in that edition."""
    calendar = (
        Calendar.objects.select_related("edition__programme", "campus")
        .filter(edition__code=edition, campus__code__iexact=campus, track=track)
        .order_by("pk")
        .first()
    )
    offered = (
        calendar is not None
        and Offering.objects.filter(
            edition_id=calendar.edition_id, campus_id=calendar.campus_id, track=track
        ).exists()
    )
    if calendar is None or not offered:
        raise CalendarNotFound(
            _(
                "No programme is offered on campus “%(campus)s”, track “%(track)s”, in "
                "edition “%(edition)s”: there is no calendar for it."
            )
            % {"campus": campus, "track": track, "edition": edition}
        )
    return calendar


# What each kind of day is called (legend, iCalendar summaries, API).
def kind_label(kind: rules.DayKind) -> str:
    return {
        rules.DayKind.SCHOOL: _("School"),
        rules.DayKind.COMPANY: _("Company"),
        rules.DayKind.HOLIDAY: _("Public holiday"),
        rules.DayKind.CLOSURE: _("School closed"),
        rules.DayKind.FREE: _("No activity"),
    }[kind]


def reason_message(reason: rules.Reason) -> str:
    """A check's reason in the active language (the engine's messages are English)."""
    params = dict(reason.params)
    if reason.code == "min_company_days":
        return _("%(count)s company days, at least %(minimum)s required.") % params
    if reason.code == "internship_length":
        return (
            _("Internship of %(months)s months, between %(minimum)s and %(maximum)s required.")
            % params
        )
    if reason.code == "internship_within_year":
        return _("The internship ends on %(internship_end)s, the year on %(year_end)s.") % params
    return reason.message
