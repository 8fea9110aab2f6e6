"""Reads on the programme catalogue, shaped for the public page and the API (helper G renders
them): set-based, with their prefetches, so the number of queries does not grow with the
number of editions, campuses, courses or links.

Entry points:

- ``catalogue_for(programme_code=..., edition_code=None) -> Catalogue | None``: the whole
  catalogue of one programme (every edition, or one): editions → years → courses (with ECTS,
  hours, teaching methods and the competencies each course assesses / develops, prefetched),
  offerings grouped by campus and the specialisations. A fixed number of queries (about 8)
  whatever the size of the catalogue. Fees are read by ``capitalis.finance.queries`` (the
  pipeline forbids programmes → finance imports; the page is composed in ``web``).
- ``catalogue_first_programme()``, ``catalogue_editions(programme_code=...)``: the default
  programme and the menu of editions of the catalogue page.
- list querysets for the API: ``programme_list``, ``edition_list``, ``campus_list``,
  ``course_list`` (already select_related / prefetched).
- ``edition_facts(edition)``: the ``rules.ProgrammeFacts`` of one edition (check_programme).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from capitalis.accounts import permissions
from capitalis.core.params import parse_id
from capitalis.programmes import rules

# A campus year's rhythm, day by day: what enrolment counts placements against.
from capitalis.programmes.calendars import rhythm_year as rhythm_year
from capitalis.programmes.models import (
    Campus,
    Course,
    CourseCompetency,
    Edition,
    Offering,
    Programme,
    ProgrammeYear,
    Specialisation,
)
from capitalis.referential.models import Competency

# --- list querysets (API) ------------------------------------------------------------------


def programme_list() -> QuerySet[Programme]:
    """Every programme with its certification version, years and specialisations."""
    return (
        Programme.objects.select_related("certification_version__certification")
        .prefetch_related(
            Prefetch("years", queryset=ProgrammeYear.objects.order_by("position")),
            Prefetch(
                "specialisations",
                queryset=Specialisation.objects.select_related("block").order_by(
                    "position", "code"
                ),
            ),
        )
        .order_by("code")
    )


def edition_list(*, programme_code: str | None = None) -> QuerySet[Edition]:
    """Editions (academic years), oldest first, with their programme and offerings."""
    qs = Edition.objects.select_related("programme").prefetch_related(
        Prefetch(
            "offerings",
            queryset=Offering.objects.select_related("campus", "year", "specialisation"),
        )
    )
    if programme_code is not None:
        qs = qs.filter(programme__code=programme_code)
    return qs.order_by("programme__code", "start_date")


def campus_list() -> QuerySet[Campus]:
    """Every campus, in display order."""
    return Campus.objects.order_by("position", "code")


def _links_prefetch() -> Prefetch:
    return Prefetch(
        "competency_links",
        queryset=CourseCompetency.objects.select_related("competency__block").order_by(
            "competency__block__position", "competency__position", "competency__code", "role"
        ),
    )


def course_list(
    *,
    programme_code: str | None = None,
    edition_code: str | None = None,
    track: str | None = None,
    year_code: str | None = None,
) -> QuerySet[Course]:
    """Courses with their edition, year, specialisation and competency links (each link's
    ``competency`` and its ``block`` are loaded); with ``track``, only the courses followed on
    that track (those of every track and those of that one); with ``year_code``, those of
    that programme year (e.g. MSC1)."""
    qs = Course.objects.select_related(
        "edition__programme", "year", "specialisation"
    ).prefetch_related(_links_prefetch())
    if programme_code is not None:
        qs = qs.filter(edition__programme__code=programme_code)
    if edition_code is not None:
        qs = qs.filter(edition__code=edition_code)
    if track:
        qs = qs.filter(track__in=("", track))
    if year_code is not None:
        qs = qs.filter(year__code=year_code)
    return qs.order_by("edition__start_date", "year__position", "position", "code")


def year_code_exists(code: str) -> bool:
    """Whether some programme has a year with this code (a filter's value is checked)."""
    return ProgrammeYear.objects.filter(code=code).exists()


# --- the catalogue (public page, API) -------------------------------------------------------


@dataclass
class CourseView:
    """A course and the competencies it assesses and develops (Competency rows, block loaded)."""

    course: Course
    assesses: list[Competency] = field(default_factory=list)
    develops: list[Competency] = field(default_factory=list)


@dataclass
class CourseGroup:
    """The courses of a year that are common (``specialisation`` None) or of one
    specialisation."""

    specialisation: Specialisation | None
    courses: list[CourseView] = field(default_factory=list)

    @property
    def ects(self) -> Decimal:
        return sum((c.course.ects for c in self.courses), Decimal(0))


@dataclass
class YearView:
    year: ProgrammeYear
    groups: list[CourseGroup] = field(default_factory=list)


@dataclass
class OfferingRow:
    """What runs on one track, one year and one specialisation on a campus."""

    year: ProgrammeYear
    specialisation: Specialisation
    track: str
    track_label: str


@dataclass
class CampusView:
    campus: Campus
    specialisations: list[Specialisation] = field(default_factory=list)
    tracks: list[str] = field(default_factory=list)
    offerings: list[OfferingRow] = field(default_factory=list)


@dataclass
class EditionView:
    edition: Edition
    years: list[YearView] = field(default_factory=list)
    campuses: list[CampusView] = field(default_factory=list)


@dataclass
class Catalogue:
    programme: Programme
    specialisations: list[Specialisation]
    years: list[ProgrammeYear]
    editions: list[EditionView]


def catalogue_first_programme() -> str | None:
    """The code of the programme the public catalogue shows by default (the first by code)."""
    return Programme.objects.order_by("code").values_list("code", flat=True).first()


def catalogue_editions(*, programme_code: str) -> list[dict[str, str]]:
    """A programme's editions as ``{"code", "label"}``, oldest first (the catalogue's menu of
    editions)."""
    rows = (
        Edition.objects.filter(programme__code=programme_code)
        .order_by("start_date")
        .values_list("code", "label")
    )
    return [{"code": code, "label": label} for code, label in rows]


def catalogue_for(
    *, programme_code: str, edition_code: str | None = None, track: str | None = None
) -> Catalogue | None:
    """The catalogue of a programme: every edition (or only ``edition_code``) with its years →
    course groups (common first, then per specialisation) → courses with their competencies,
    the campuses with the specialisations and tracks they offer. With ``track``, only the
    courses followed on that track (SPEC §5: the end of MSc 1 differs by track).

    None when the programme (or the asked edition) does not exist. Query count is fixed."""
    programme = (
        Programme.objects.select_related("certification_version__certification")
        .filter(code=programme_code)
        .first()
    )
    if programme is None:
        return None
    years = list(ProgrammeYear.objects.filter(programme=programme).order_by("position"))
    specialisations = list(
        Specialisation.objects.filter(programme=programme)
        .select_related("block")
        .order_by("position", "code")
    )
    editions_qs = Edition.objects.filter(programme=programme).order_by("start_date")
    if edition_code is not None:
        editions_qs = editions_qs.filter(code=edition_code)
    editions = list(editions_qs)
    if edition_code is not None and not editions:
        return None
    edition_ids = [e.pk for e in editions]
    courses_by_edition = _by_edition(_catalogue_courses(edition_ids, track))
    offerings_by_edition = _by_edition(_catalogue_offerings(edition_ids))
    specs = _Specialisations(specialisations)
    views: list[EditionView] = []
    for edition in editions:
        ev = EditionView(edition=edition)
        for year in years:
            year_view = _year_view(year, courses_by_edition[edition.pk], specs)
            if year_view is not None:
                ev.years.append(year_view)
        ev.campuses = _campus_views(offerings_by_edition[edition.pk], years, specs)
        views.append(ev)
    return Catalogue(
        programme=programme,
        specialisations=specialisations,
        years=years,
        editions=views,
    )


class _Specialisations:
    """A programme's specialisations by id, and their catalogue order."""

    def __init__(self, specialisations: list[Specialisation]) -> None:
        self.by_id = {s.pk: s for s in specialisations}
        self.order = {s.pk: i for i, s in enumerate(specialisations)}


def _catalogue_courses(edition_ids: list[int], track: str | None) -> list[Course]:
    """The editions' courses (only those followed on ``track`` when given), with their
    competency links, in the catalogue's order."""
    course_qs = Course.objects.filter(edition_id__in=edition_ids)
    if track:
        course_qs = course_qs.filter(track__in=("", track))
    return list(
        course_qs.prefetch_related(_links_prefetch()).order_by("year__position", "position", "code")
    )


def _catalogue_offerings(edition_ids: list[int]) -> list[Offering]:
    return list(
        Offering.objects.filter(edition_id__in=edition_ids)
        .select_related("campus")
        .order_by("campus__position", "campus__code", "year__position", "track")
    )


def _by_edition(rows: list[Any]) -> dict[int, list[Any]]:
    """Rows grouped by their ``edition_id``, each group in the rows' order."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.edition_id].append(row)
    return grouped


def _year_view(
    year: ProgrammeYear, courses: list[Course], specs: _Specialisations
) -> YearView | None:
    """A year's courses of an edition in groups (common first, then per specialisation);
    None when the edition has no course in that year."""
    groups: dict[int | None, CourseGroup] = {}
    for c in courses:
        if c.year_id != year.pk:
            continue
        c.year = year
        c.specialisation = specs.by_id.get(c.specialisation_id) if c.specialisation_id else None
        group = groups.setdefault(c.specialisation_id, CourseGroup(specialisation=c.specialisation))
        group.courses.append(_course_view(c))
    ordered = sorted(
        groups.values(),
        key=lambda g: -1 if g.specialisation is None else specs.order[g.specialisation.pk],
    )
    return YearView(year=year, groups=ordered) if ordered else None


def _course_view(course: Course) -> CourseView:
    """A course with the competencies it assesses and those it develops."""
    view = CourseView(course=course)
    for link in course.competency_links.all():
        if link.role == CourseCompetency.Role.ASSESSES:
            view.assesses.append(link.competency)
        else:
            view.develops.append(link.competency)
    return view


def _campus_views(
    offerings: list[Offering], years: list[ProgrammeYear], specs: _Specialisations
) -> list[CampusView]:
    """The campuses of an edition's offerings, each with the specialisations (in catalogue
    order) and tracks it offers and one row per offering."""
    year_by_id = {y.pk: y for y in years}
    campuses: dict[int, CampusView] = {}
    for o in offerings:
        cv = campuses.setdefault(o.campus_id, CampusView(campus=o.campus))
        spe = specs.by_id[o.specialisation_id]
        if spe not in cv.specialisations:
            cv.specialisations.append(spe)
        if o.track not in cv.tracks:
            cv.tracks.append(o.track)
        cv.offerings.append(
            OfferingRow(
                year=year_by_id[o.year_id],
                specialisation=spe,
                track=o.track,
                track_label=str(o.get_track_display()),
            )
        )
    for cv in campuses.values():
        cv.specialisations.sort(key=lambda s: specs.order[s.pk])
    return list(campuses.values())


# --- facts for the programme check ----------------------------------------------------------


def edition_facts(edition: Edition) -> rules.ProgrammeFacts:
    """The facts ``rules.check_programme`` needs about one edition, in four queries: the
    programme's years and specialisations, the competencies of its certification version, the
    edition's courses with the competencies they assess, and the specialisations offered."""
    programme = edition.programme
    years = list(ProgrammeYear.objects.filter(programme=programme).order_by("position"))
    spe_codes = list(
        Specialisation.objects.filter(programme=programme)
        .order_by("position", "code")
        .values_list("code", flat=True)
    )
    competencies = [
        f"{block_code} {code}"
        for block_code, code in Competency.objects.filter(
            block__version_id=programme.certification_version_id
        )
        .order_by("block__position", "block__code", "position", "code")
        .values_list("block__code", "code")
    ]
    assessed: dict[int, set[str]] = defaultdict(set)
    for course_id, block_code, code in CourseCompetency.objects.filter(
        course__edition=edition, role=CourseCompetency.Role.ASSESSES
    ).values_list("course_id", "competency__block__code", "competency__code"):
        assessed[course_id].add(f"{block_code} {code}")
    courses = tuple(
        rules.CourseFacts(
            code=code,
            year=year_code,
            specialisation=spe_code,
            ects=ects,
            assessed_competencies=frozenset(assessed[pk]),
            track=track or None,
        )
        for pk, code, year_code, spe_code, ects, track in Course.objects.filter(edition=edition)
        .order_by("year__position", "position", "code")
        .values_list("pk", "code", "year__code", "specialisation__code", "ects", "track")
    )
    pairs = set(
        Offering.objects.filter(edition=edition).values_list("specialisation__code", "track")
    )
    offered = frozenset(spe for spe, _track in pairs)
    tracks = tuple(t for t in rules.Track if t in {track for _spe, track in pairs})
    return rules.ProgrammeFacts(
        years=tuple(y.code for y in years),
        year_ects={y.code: y.ects for y in years},
        specialisations=tuple(spe_codes),
        offered_specialisations=offered,
        competencies=tuple(competencies),
        courses=courses,
        tracks=tracks,
    )


# --- who sets an edition's application window ---------------------------------------------


def edition_for_manager(*, user: Any, pk: object) -> Edition | None:
    """The edition ``pk`` when ``user`` may manage it, else ``None`` (the page answers 404)."""
    edition_id = parse_id(pk)
    if edition_id is None or not permissions.can(user, "manage", "edition"):
        return None
    return Edition.objects.select_related("programme").filter(pk=edition_id).first()


def editions_to_manage(*, user: Any, today: Any) -> QuerySet[Edition]:
    """The editions still running or to come whose window ``user`` may set (none unless she
    may manage editions), soonest first."""
    if not permissions.can(user, "manage", "edition"):
        return Edition.objects.none()
    return (
        Edition.objects.filter(end_date__gte=today)
        .select_related("programme")
        .order_by("start_date", "programme__code")
    )
