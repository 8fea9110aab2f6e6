"""Writes on the programme catalogue (SPEC §2, §4).

Every write is keyword-only, atomic, audited, and raises a translated ``DomainError`` for bad
input with nothing saved: overlapping editions of a programme, a course with negative ECTS, a
campus rhythm that cannot reach the minimum company days (checked with the rhythm engine and
French public holidays). The ``*_set`` services create or update by natural key and write
nothing (no save, no history row, no audit) when the row already holds the given values: the
data loader relies on it to be idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import holidays as holidays_lib
from django.db import models, transaction
from django.utils.translation import gettext as _

from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.programmes import rules
from capitalis.programmes.models import (
    Calendar,
    Campus,
    CampusRhythm,
    Course,
    CourseCompetency,
    Edition,
    Offering,
    Programme,
    ProgrammeYear,
    RhythmKind,
    SchoolClosure,
    Specialisation,
    TeachingMethod,
    Track,
)
from capitalis.referential.models import Block, CertificationVersion, Competency

M = TypeVar("M", bound=models.Model)


def _upsert(
    model: type[M], *, lookup: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[M, bool]:
    """Create the row or update the fields that differ; (row, whether anything was written)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, True
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if not changed:
        return obj, False
    for k in changed:
        setattr(obj, k, values[k])
    obj.full_clean()
    obj.save()
    return obj, True


# --- campuses, programmes, years, specialisations -------------------------------------------


@transaction.atomic
def campus_set(
    *,
    code: str,
    name: str,
    city: str = "",
    address: str = "",
    position: int = 0,
    actor: Any = None,
) -> tuple[Campus, bool]:
    """Create or update a campus by code."""
    campus, changed = _upsert(
        Campus,
        lookup={"code": code},
        values={"name": name, "city": city, "address": address, "position": position},
    )
    if changed:
        audit_record(action=Action.CAMPUS_SET, actor=actor, target=campus, summary=code)
    return campus, changed


@transaction.atomic
def programme_set(
    *,
    code: str,
    title_fr: str,
    title_en: str = "",
    description_fr: str = "",
    description_en: str = "",
    languages: str = "",
    certification_version: CertificationVersion,
    actor: Any = None,
) -> tuple[Programme, bool]:
    """Create or update a programme by code."""
    programme, changed = _upsert(
        Programme,
        lookup={"code": code},
        values={
            "title_fr": title_fr,
            "title_en": title_en,
            "description_fr": description_fr,
            "description_en": description_en,
            "languages": languages,
            "certification_version": certification_version,
        },
    )
    if changed:
        audit_record(action=Action.PROGRAMME_SET, actor=actor, target=programme, summary=code)
    return programme, changed


@transaction.atomic
def programme_year_set(
    *,
    programme: Programme,
    code: str,
    title_fr: str,
    title_en: str = "",
    position: int = 1,
    ects: Decimal = Decimal(60),
    actor: Any = None,
) -> tuple[ProgrammeYear, bool]:
    """Create or update a programme year (MSc 1, MSc 2) and the ECTS it carries."""
    ects = _ects(ects, field=code)
    if ects <= 0:
        raise DomainError(_("A programme year must carry a positive number of ECTS."), code="ects")
    year, changed = _upsert(
        ProgrammeYear,
        lookup={"programme": programme, "code": code},
        values={"title_fr": title_fr, "title_en": title_en, "position": position, "ects": ects},
    )
    if changed:
        audit_record(action=Action.PROGRAMME_YEAR_SET, actor=actor, target=year, summary=code)
    return year, changed


@transaction.atomic
def specialisation_set(
    *,
    programme: Programme,
    code: str,
    title_fr: str,
    title_en: str = "",
    block: Block,
    position: int = 0,
    actor: Any = None,
) -> tuple[Specialisation, bool]:
    """Create or update a specialisation and the optional block it leads to."""
    if block.version_id != programme.certification_version_id:
        raise DomainError(
            _("A specialisation must lead to a block of the programme's certification version."),
            code="block_version",
        )
    spe, changed = _upsert(
        Specialisation,
        lookup={"programme": programme, "code": code},
        values={"title_fr": title_fr, "title_en": title_en, "block": block, "position": position},
    )
    if changed:
        audit_record(action=Action.SPECIALISATION_SET, actor=actor, target=spe, summary=code)
    return spe, changed


# --- editions and offerings -----------------------------------------------------------------


def _check_edition(
    *, programme: Programme, code: str, start_date: date, end_date: date, exclude: int | None
) -> None:
    if end_date <= start_date:
        raise DomainError(_("An edition must end after it starts."), code="dates")
    others = Edition.objects.filter(
        programme=programme, start_date__lte=end_date, end_date__gte=start_date
    )
    if exclude is not None:
        others = others.exclude(pk=exclude)
    other = others.order_by("start_date").first()
    if other is not None:
        raise DomainError(
            _(
                "Edition %(code)s (%(start)s – %(end)s) overlaps edition %(other)s "
                "(%(other_start)s – %(other_end)s) of the same programme."
            )
            % {
                "code": code,
                "start": start_date.isoformat(),
                "end": end_date.isoformat(),
                "other": other.code,
                "other_start": other.start_date.isoformat(),
                "other_end": other.end_date.isoformat(),
            },
            code="overlap",
        )


@transaction.atomic
def edition_create(
    *,
    programme: Programme,
    code: str,
    label: str,
    start_date: date,
    end_date: date,
    provenance: str = "",
    actor: Any = None,
) -> Edition:
    """Create an edition (academic year); two editions of a programme never overlap."""
    if Edition.objects.filter(programme=programme, code=code).exists():
        raise DomainError(
            _("The programme already has an edition %(code)s.") % {"code": code}, code="exists"
        )
    _check_edition(
        programme=programme, code=code, start_date=start_date, end_date=end_date, exclude=None
    )
    edition = Edition.objects.create(
        programme=programme,
        code=code,
        label=label,
        start_date=start_date,
        end_date=end_date,
        provenance=provenance,
    )
    audit_record(action=Action.EDITION_CREATE, actor=actor, target=edition, summary=code)
    return edition


@transaction.atomic
def edition_set(
    *,
    programme: Programme,
    code: str,
    label: str,
    start_date: date,
    end_date: date,
    provenance: str = "",
    actor: Any = None,
    applications_open_on: date | None = None,
    applications_close_on: date | None = None,
) -> tuple[Edition, bool]:
    """Create or update an edition by code, with the same overlap check. The application
    window (both ends optional, see ``Edition``) must not close before it opens."""
    if (
        applications_open_on
        and applications_close_on
        and applications_close_on < applications_open_on
    ):
        raise DomainError(
            _("Applications cannot close before they open (%(code)s).") % {"code": code},
            code="application_window",
        )
    existing = Edition.objects.filter(programme=programme, code=code).first()
    _check_edition(
        programme=programme,
        code=code,
        start_date=start_date,
        end_date=end_date,
        exclude=existing.pk if existing else None,
    )
    edition, changed = _upsert(
        Edition,
        lookup={"programme": programme, "code": code},
        values={
            "label": label,
            "start_date": start_date,
            "end_date": end_date,
            "applications_open_on": applications_open_on,
            "applications_close_on": applications_close_on,
            "provenance": provenance,
        },
    )
    if changed:
        audit_record(action=Action.EDITION_SET, actor=actor, target=edition, summary=code)
    return edition, changed


@transaction.atomic
def edition_application_window_set(
    *, edition: Edition, open_on: date | None, close_on: date | None, actor: Any = None
) -> tuple[Edition, bool]:
    """Set the days candidates may apply to ``edition`` (both inclusive; an empty end follows
    the default rule of ``admissions.rules.application_window``). The window must not close
    before it opens; nothing is written when it already holds these days."""
    if open_on and close_on and close_on < open_on:
        raise DomainError(
            _("Applications cannot close before they open (%(code)s).") % {"code": edition.code},
            code="application_window",
        )
    if (edition.applications_open_on, edition.applications_close_on) == (open_on, close_on):
        return edition, False
    before = {
        "open_on": edition.applications_open_on.isoformat()
        if edition.applications_open_on
        else None,
        "close_on": edition.applications_close_on.isoformat()
        if edition.applications_close_on
        else None,
    }
    edition.applications_open_on = open_on
    edition.applications_close_on = close_on
    edition.save(update_fields=["applications_open_on", "applications_close_on", "updated_at"])
    audit_record(
        action=Action.EDITION_APPLICATION_WINDOW_SET,
        actor=actor,
        target=edition,
        summary=edition.code,
        data={
            "before": before,
            "after": {
                "open_on": open_on.isoformat() if open_on else None,
                "close_on": close_on.isoformat() if close_on else None,
            },
        },
    )
    return edition, True


@transaction.atomic
def offering_set(
    *,
    edition: Edition,
    campus: Campus,
    year: ProgrammeYear,
    specialisation: Specialisation,
    track: str,
    actor: Any = None,
) -> tuple[Offering, bool]:
    """Say that a year and specialisation run on a campus on a track in an edition."""
    _track(track)
    if year.programme_id != edition.programme_id or (
        specialisation.programme_id != edition.programme_id
    ):
        raise DomainError(
            _("The year and the specialisation must belong to the edition's programme."),
            code="programme",
        )
    offering, changed = _upsert(
        Offering,
        lookup={
            "edition": edition,
            "campus": campus,
            "year": year,
            "specialisation": specialisation,
            "track": track,
        },
        values={},
    )
    if changed:
        audit_record(
            action=Action.OFFERING_SET, actor=actor, target=offering, summary=str(offering)
        )
    return offering, changed


# --- courses --------------------------------------------------------------------------------


def _ects(value: Any, *, field: str) -> Decimal:
    try:
        ects = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            _("%(field)s: the ECTS must be a number.") % {"field": field}, code="ects"
        ) from exc
    if not ects.is_finite():
        raise DomainError(
            _("%(field)s: the ECTS must be a number.") % {"field": field}, code="ects"
        )
    return ects


def _course_values(
    *,
    edition: Edition,
    year: ProgrammeYear,
    specialisation: Specialisation | None,
    code: str,
    ects: Any,
    teaching_methods: Sequence[str],
) -> tuple[Decimal, list[str]]:
    value = _ects(ects, field=code)
    if value < 0:
        raise DomainError(
            _("Course %(code)s: the ECTS cannot be negative (%(ects)s).")
            % {"code": code, "ects": value},
            code="negative_ects",
        )
    if value != value.quantize(Decimal("0.1")):
        raise DomainError(
            _("Course %(code)s: ECTS have at most one decimal.") % {"code": code}, code="ects"
        )
    methods = list(teaching_methods)
    unknown = [m for m in methods if m not in TeachingMethod.values]
    if unknown:
        raise DomainError(
            _("Course %(code)s: unknown teaching method(s): %(methods)s.")
            % {"code": code, "methods": ", ".join(unknown)},
            code="teaching_method",
        )
    if year.programme_id != edition.programme_id or (
        specialisation is not None and specialisation.programme_id != edition.programme_id
    ):
        raise DomainError(
            _(
                "Course %(code)s: the year and the specialisation must belong to the edition's "
                "programme."
            )
            % {"code": code},
            code="programme",
        )
    return value.quantize(Decimal("0.1")), methods


@transaction.atomic
def course_create(
    *,
    edition: Edition,
    year: ProgrammeYear,
    specialisation: Specialisation | None,
    code: str,
    title_fr: str,
    title_en: str = "",
    ects: Decimal,
    hours: int | None = None,
    language: str = "fr",
    teaching_methods: Sequence[str] = (),
    position: int = 0,
    provenance: str = "",
    track: str = "",
    actor: Any = None,
) -> Course:
    """Create a course of an edition's year (common when ``specialisation`` is None; on every
    track when ``track`` is empty, else only on that track)."""
    if Course.objects.filter(edition=edition, code=code).exists():
        raise DomainError(
            _("The edition already has a course %(code)s.") % {"code": code}, code="exists"
        )
    if track:
        _track(track)
    value, methods = _course_values(
        edition=edition,
        year=year,
        specialisation=specialisation,
        code=code,
        ects=ects,
        teaching_methods=teaching_methods,
    )
    course = Course(
        edition=edition,
        year=year,
        specialisation=specialisation,
        code=code,
        title_fr=title_fr,
        title_en=title_en,
        ects=value,
        hours=hours,
        language=language,
        teaching_methods=methods,
        position=position,
        provenance=provenance,
        track=track,
    )
    course.full_clean()
    course.save()
    audit_record(action=Action.COURSE_CREATE, actor=actor, target=course, summary=code)
    return course


_COURSE_FIELDS = frozenset(
    {
        "year",
        "specialisation",
        "title_fr",
        "title_en",
        "ects",
        "hours",
        "language",
        "teaching_methods",
        "position",
        "provenance",
        "track",
    }
)


@transaction.atomic
def course_update(*, course: Course, actor: Any = None, **changes: Any) -> tuple[Course, bool]:
    """Change some fields of a course (same checks as ``course_create``); writes nothing when
    nothing changes."""
    unknown = set(changes) - _COURSE_FIELDS
    if unknown:
        raise TypeError(f"course_update: unknown fields {sorted(unknown)}")
    if changes.get("track"):
        _track(changes["track"])
    year = changes.get("year", course.year)
    spe = changes.get("specialisation", course.specialisation)
    value, methods = _course_values(
        edition=course.edition,
        year=year,
        specialisation=spe,
        code=course.code,
        ects=changes.get("ects", course.ects),
        teaching_methods=changes.get("teaching_methods", course.teaching_methods),
    )
    changes = {**changes, "ects": value, "teaching_methods": methods}
    diff = {k: v for k, v in changes.items() if getattr(course, k) != v}
    if not diff:
        return course, False
    before = {k: str(getattr(course, k)) for k in diff}
    for k, v in diff.items():
        setattr(course, k, v)
    course.full_clean()
    course.save()
    audit_record(
        action=Action.COURSE_UPDATE,
        actor=actor,
        target=course,
        summary=course.code,
        data={"before": before, "after": {k: str(v) for k, v in diff.items()}},
    )
    return course, True


@transaction.atomic
def course_set(
    *,
    edition: Edition,
    code: str,
    year: ProgrammeYear,
    specialisation: Specialisation | None,
    title_fr: str,
    title_en: str = "",
    ects: Decimal,
    hours: int | None = None,
    language: str = "fr",
    teaching_methods: Sequence[str] = (),
    position: int = 0,
    provenance: str = "",
    track: str = "",
    actor: Any = None,
) -> tuple[Course, bool]:
    """Create or update a course by (edition, code)."""
    course = Course.objects.filter(edition=edition, code=code).select_related("edition").first()
    if course is None:
        return (
            course_create(
                edition=edition,
                year=year,
                specialisation=specialisation,
                code=code,
                title_fr=title_fr,
                title_en=title_en,
                ects=ects,
                hours=hours,
                language=language,
                teaching_methods=teaching_methods,
                position=position,
                provenance=provenance,
                track=track,
                actor=actor,
            ),
            True,
        )
    return course_update(
        course=course,
        actor=actor,
        year=year,
        specialisation=specialisation,
        title_fr=title_fr,
        title_en=title_en,
        ects=ects,
        hours=hours,
        language=language,
        teaching_methods=list(teaching_methods),
        position=position,
        provenance=provenance,
        track=track,
    )


@transaction.atomic
def course_competencies_set(
    *,
    course: Course,
    links: Iterable[tuple[Competency, str]],
    actor: Any = None,
) -> bool:
    """Make the course's competency links exactly ``links`` ((competency, role) pairs);
    the competencies must belong to the programme's certification version."""
    wanted: set[tuple[int, str]] = set()
    version_id = course.edition.programme.certification_version_id
    for competency, role in links:
        if role not in CourseCompetency.Role.values:
            raise DomainError(_("Unknown role %(role)s.") % {"role": role}, code="role")
        if competency.block.version_id != version_id:
            raise DomainError(
                _(
                    "Course %(code)s: competency %(competency)s is not of the programme's "
                    "certification version."
                )
                % {"code": course.code, "competency": competency.code},
                code="version",
            )
        wanted.add((competency.pk, role))
    existing = {
        (cid, role): pk
        for pk, cid, role in CourseCompetency.objects.filter(course=course).values_list(
            "pk", "competency_id", "role"
        )
    }
    to_delete = [pk for key, pk in existing.items() if key not in wanted]
    to_add = sorted(wanted - set(existing))
    if not to_delete and not to_add:
        return False
    for link in CourseCompetency.objects.filter(pk__in=to_delete):
        link.delete()  # one by one: simple-history records each deletion
    for cid, role in to_add:
        CourseCompetency.objects.create(course=course, competency_id=cid, role=role)
    audit_record(
        action=Action.COURSE_COMPETENCIES_SET,
        actor=actor,
        target=course,
        summary=course.code,
        data={"added": len(to_add), "removed": len(to_delete)},
    )
    return True


# --- rhythms, closures, calendars -----------------------------------------------------------


def _track(track: str) -> None:
    if track not in Track.values:
        raise DomainError(_("Unknown track %(track)s.") % {"track": track}, code="track")


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
