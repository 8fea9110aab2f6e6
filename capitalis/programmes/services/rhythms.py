"""Campus rhythms, school closures and calendars (SPEC §4): a rhythm must reach the minimum
company days, checked with the rhythm engine and French public holidays."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import holidays as holidays_lib
from django.db import models, transaction
from django.utils.translation import gettext as _

from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.programmes import rules
from capitalis.programmes.models import (
    Calendar,
    CalendarEvent,
    Campus,
    CampusRhythm,
    Edition,
    Offering,
    RhythmKind,
    SchoolClosure,
    Track,
)
from capitalis.programmes.services.common import _track, _upsert


def rhythm_pattern(kind: str, params: Mapping[str, Any]) -> rules.Pattern:
    """The rules pattern of a campus rhythm's kind and parameters (see CampusRhythm)."""
    try:
        if kind == RhythmKind.ALTERNATING_WEEKS:
            return rules.AlternatingWeeks(
                company_weeks=int(params["company_weeks"]),
                school_weeks=int(params["school_weeks"]),
                first=rules.Period(params.get("first", "school")),
            )
        if kind == RhythmKind.ALTERNATING_DAYS:
            return rules.AlternatingDays(
                school_weekdays=tuple(int(d) for d in params["school_weekdays"])
            )
        if kind == RhythmKind.INTERNSHIP:
            return rules.InternshipBlock(
                start=date.fromisoformat(str(params["start"])), months=int(params["months"])
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise DomainError(
            _("The rhythm's parameters are incomplete or invalid for its kind (%(kind)s).")
            % {"kind": kind},
            code="rhythm_params",
        ) from exc
    raise DomainError(_("Unknown rhythm kind %(kind)s.") % {"kind": kind}, code="rhythm_kind")


def french_holidays(start: date, end: date) -> dict[date, str]:
    """French public holidays between two dates (the `holidays` package)."""
    years = list(range(start.year, end.year + 1))
    return {
        d: str(name) for d, name in holidays_lib.France(years=years).items() if start <= d <= end
    }


def edition_closures(edition: Edition, campus: Campus | None) -> list[rules.Closure]:
    """The school closures of an edition that apply to a campus (general and its own)."""
    qs = SchoolClosure.objects.filter(edition=edition)
    qs = qs.filter(models.Q(campus__isnull=True) | models.Q(campus=campus))
    return [rules.Closure(c.start_date, c.end_date, c.label) for c in qs.order_by("start_date")]


def _reason_message(reason: rules.Reason) -> str:
    p = reason.params
    if reason.code == "min_company_days":
        return _("%(count)s company days in the year, at least %(minimum)s required.") % {
            "count": p["count"],
            "minimum": p["minimum"],
        }
    if reason.code == "internship_length":
        return _(
            "An internship of %(months)s months; between %(minimum)s and %(maximum)s "
            "months required."
        ) % {
            "months": p["months"],
            "minimum": p["minimum"],
            "maximum": p["maximum"],
        }
    if reason.code == "internship_within_year":
        return _("The internship ends on %(end)s, after the end of the year (%(year_end)s).") % {
            "end": p["internship_end"],
            "year_end": p["year_end"],
        }
    return reason.message


def rhythm_check(
    *,
    edition: Edition,
    campus: Campus,
    track: str,
    kind: str,
    params: Mapping[str, Any],
    min_company_days: int,
) -> rules.CheckResult:
    """Build the edition's year from the rhythm with French holidays and the school closures,
    and check it (rules.build_year, rules.check_year)."""
    pattern = rhythm_pattern(kind, params)
    calendar = rules.build_year(
        pattern=pattern,
        start=edition.start_date,
        end=edition.end_date,
        holidays=french_holidays(edition.start_date, edition.end_date),
        closures=edition_closures(edition, campus),
    )
    return rules.check_year(
        calendar=calendar,
        pattern=pattern,
        track=rules.Track(track),
        rules=rules.RhythmRules(min_company_days=min_company_days),
    )


@transaction.atomic
def campus_rhythm_set(
    *,
    edition: Edition,
    campus: Campus,
    track: str,
    kind: str,
    params: Mapping[str, Any],
    min_company_days: int = 110,
    description_fr: str = "",
    description_en: str = "",
    provenance: str = "",
    actor: Any = None,
) -> tuple[CampusRhythm, bool]:
    """Set how a campus alternates on a track in an edition. The rhythm is checked on the
    edition's year (French holidays, school closures): one that cannot reach the minimum
    company days, or an initial-track internship outside 4–6 months or the year, is refused
    with the reasons and nothing is saved."""
    _track(track)
    result = rhythm_check(
        edition=edition,
        campus=campus,
        track=track,
        kind=kind,
        params=params,
        min_company_days=min_company_days,
    )
    if not result.ok:
        raise DomainError(
            _("The rhythm of %(campus)s (%(track)s) is refused: %(reasons)s")
            % {
                "campus": campus.name,
                "track": Track(track).label,
                "reasons": " ".join(_reason_message(r) for r in result.failures),
            },
            code=result.failures[0].code,
        )
    rhythm, changed = _upsert(
        CampusRhythm,
        lookup={"edition": edition, "campus": campus, "track": track},
        values={
            "kind": kind,
            "params": dict(params),
            "min_company_days": min_company_days,
            "description_fr": description_fr,
            "description_en": description_en,
            "provenance": provenance,
        },
    )
    if changed:
        audit_record(
            action=Action.CAMPUS_RHYTHM_SET, actor=actor, target=rhythm, summary=str(rhythm)
        )
    return rhythm, changed


@transaction.atomic
def school_closure_set(
    *,
    edition: Edition,
    campus: Campus | None,
    start_date: date,
    end_date: date,
    label_fr: str,
    label_en: str = "",
    actor: Any = None,
) -> tuple[SchoolClosure, bool]:
    """Create or update a school closure (by edition, campus and start date)."""
    if end_date < start_date:
        raise DomainError(_("A closure must end on or after its start."), code="dates")
    if not (edition.start_date <= start_date and end_date <= edition.end_date):
        raise DomainError(
            _("A closure must lie within its edition (%(start)s – %(end)s).")
            % {"start": edition.start_date, "end": edition.end_date},
            code="dates",
        )
    closure, changed = _upsert(
        SchoolClosure,
        lookup={"edition": edition, "campus": campus, "start_date": start_date},
        values={"end_date": end_date, "label_fr": label_fr, "label_en": label_en},
    )
    if changed:
        audit_record(
            action=Action.SCHOOL_CLOSURE_SET, actor=actor, target=closure, summary=str(closure)
        )
    return closure, changed


@transaction.atomic
def calendar_ensure(
    *, edition: Edition, campus: Campus, track: str, actor: Any = None
) -> tuple[Calendar, bool]:
    """The calendar of a campus, track and edition, created when missing. Refused when no
    offering runs there (a calendar for an offering that does not exist)."""
    _track(track)
    if not Offering.objects.filter(edition=edition, campus=campus, track=track).exists():
        raise DomainError(
            _("No offering runs on campus %(campus)s, track %(track)s, in edition %(edition)s.")
            % {"campus": campus.name, "track": Track(track).label, "edition": edition.label},
            code="no_offering",
        )
    calendar, created = Calendar.objects.get_or_create(edition=edition, campus=campus, track=track)
    if created:
        audit_record(
            action=Action.CALENDAR_CREATE, actor=actor, target=calendar, summary=str(calendar)
        )
    return calendar, created


@dataclass(frozen=True)
class DatedEvent:
    """What another app puts on the calendars: one dated event (an assessment's date)."""

    kind: str
    start_date: date
    end_date: date
    title_fr: str
    title_en: str = ""


def calendar_event_uid(prefix: str, calendar: Calendar) -> str:
    """The stable iCalendar UID of the event named by ``prefix`` on one calendar (unique per
    calendar: the same event appears on several campus/track calendars)."""
    return f"{prefix}{calendar.pk}@capitalis"


@transaction.atomic
def calendar_events_sync(
    *,
    prefix: str,
    edition_id: int,
    places: Iterable[tuple[int, str]],
    event: DatedEvent,
    actor: Any = None,
) -> list[CalendarEvent]:
    """Mirror one event on the calendar of every ``(campus id, track)`` of an edition (the
    calendar created when missing): one event each, its UID stable (``prefix`` + the
    calendar), moved when the event changes; the events of ``prefix`` on other calendars go.
    ``prefix`` names the event for its owner (``"assessment-<pk>-"``). Audited when something
    changed."""
    calendars = []
    created_calendars = 0
    for campus_id, track in sorted(set(places)):
        calendar, created = Calendar.objects.get_or_create(
            edition_id=edition_id, campus_id=campus_id, track=track
        )
        created_calendars += created
        calendars.append(calendar)
    values = {
        "kind": event.kind,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "title_fr": event.title_fr,
        "title_en": event.title_en,
    }
    keep = {calendar_event_uid(prefix, c) for c in calendars}
    existing = {
        row["uid"]: row
        for row in CalendarEvent.objects.filter(uid__in=keep).values("uid", "calendar_id", *values)
    }
    removed, _by_model = (
        CalendarEvent.objects.filter(uid__startswith=prefix).exclude(uid__in=keep).delete()
    )
    events = []
    added = moved = 0
    for calendar in calendars:
        uid = calendar_event_uid(prefix, calendar)
        before = existing.get(uid)
        if before is None:
            added += 1
        elif before != {"uid": uid, "calendar_id": calendar.pk, **values}:
            moved += 1
        row, _created = CalendarEvent.objects.update_or_create(
            uid=uid, defaults={"calendar": calendar, **values}
        )
        events.append(row)
    if created_calendars or removed or added or moved:
        audit_record(
            action=Action.CALENDAR_EVENTS_SYNC,
            actor=actor,
            summary=f"{prefix}: {added} added, {moved} moved, {removed} removed, "
            f"{created_calendars} calendars created",
            data={"prefix": prefix, "edition": edition_id, "uids": sorted(keep)},
        )
    return events
