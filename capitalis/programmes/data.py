"""Shipped programme catalogue (``data/programmes/*.yaml``): parse and validate a file (no
database), then apply it through the programme services (same validations as the admin and
the API: overlapping editions, negative ECTS, rhythms below 110 company days are refused).

Idempotent: rows are upserted by natural key and only differing rows are written; the courses
and offerings of a loaded edition that the file no longer has are deleted. A calendar is
created for every campus and track offered in an edition. ``core.services.data_load`` runs the
whole in one transaction with one audit event.

File format: see data/programmes/msc-erci.yaml (header comment).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from capitalis.core.data import (
    CREATED,
    DELETED,
    UNCHANGED,
    UPDATED,
    DataFileError,
    DataLoader,
    LoadCounts,
    app_schema,
    check_document,
    check_unique,
    mapping,
    mappings,
)
from capitalis.core.exceptions import DomainError

SCHEMA = app_schema(__file__, "programme")


@dataclass(frozen=True)
class ProgrammeDocument:
    path: Path
    data: dict[str, Any]


def _ects(value: Any, path: str, errors: list[str]) -> Decimal | None:
    try:
        ects = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.append(_("%(path)s: a number of ECTS is expected") % {"path": path})
        return None
    if not ects.is_finite() or ects < 0:
        errors.append(_("%(path)s: the ECTS cannot be negative") % {"path": path})
        return None
    return ects


def parse_document(path: Path) -> ProgrammeDocument:
    """Read and validate a catalogue file (``schemas/programme.schema.json``, then the codes
    it refers to and the ECTS); every problem is listed with its key path."""
    raw, errors = check_document(path, SCHEMA)
    top = mapping(raw)
    data: dict[str, Any] = {
        "programme": mapping(top.get("programme")),
        "campuses": mappings(top.get("campuses")),
        "years": mappings(top.get("years")),
        "specialisations": mappings(top.get("specialisations")),
        "editions": [],
    }
    for key in ("campuses", "years", "specialisations"):
        check_unique([c.get("code", "") for c in data[key]], key, errors)
    for y_i, y in enumerate(data["years"]):
        if "ects" in y:
            y["ects"] = _ects(y["ects"], f"years[{y_i}].ects", errors)
    campuses = {c.get("code") for c in data["campuses"]}
    years = {y.get("code") for y in data["years"]}
    spes = {s.get("code") for s in data["specialisations"]}
    editions = mappings(top.get("editions"))
    check_unique([e.get("code", "") for e in editions], "editions", errors)
    for e_i, edition in enumerate(editions):
        where = f"editions[{e_i}]"
        edition["offerings"] = mappings(edition.get("offerings"))
        for o_i, o in enumerate(edition["offerings"]):
            at = f"{where}.offerings[{o_i}]"
            if "campus" in o and o["campus"] not in campuses:
                errors.append(_("%(path)s: unknown campus") % {"path": f"{at}.campus"})
            for key, known in (("specialisations", spes), ("years", years)):
                for value in o.get(key, []):
                    if value not in known:
                        errors.append(
                            _("%(path)s: unknown value %(value)r")
                            % {"path": f"{at}.{key}", "value": value}
                        )
        edition["closures"] = mappings(edition.get("closures"))
        edition["rhythms"] = mappings(edition.get("rhythms"))
        for r_i, r in enumerate(edition["rhythms"]):
            if "campus" in r and r["campus"] not in campuses:
                errors.append(
                    _("%(path)s: unknown campus") % {"path": f"{where}.rhythms[{r_i}].campus"}
                )
        defaults = edition["defaults"] = mapping(edition.get("defaults"))
        courses: list[dict[str, Any]] = []
        for year_code, by_spe in mapping(edition.get("courses")).items():
            if year_code not in years:
                errors.append(
                    _("%(path)s: unknown year") % {"path": f"{where}.courses.{year_code}"}
                )
                continue
            position = 0
            for spe_code, items in mapping(by_spe).items():
                at = f"{where}.courses.{year_code}.{spe_code}"
                if spe_code != "common" and spe_code not in spes:
                    errors.append(_("%(path)s: unknown specialisation") % {"path": at})
                    continue
                for c_i, course in enumerate(mappings(items)):
                    if "ects" in course:
                        course["ects"] = _ects(course["ects"], f"{at}[{c_i}].ects", errors)
                    position += 1
                    course.update(
                        year=year_code,
                        specialisation=None if spe_code == "common" else spe_code,
                        position=position,
                        language=course.get("language", defaults.get("language", "fr")),
                        teaching_methods=list(
                            course.get("teaching_methods", defaults.get("teaching_methods", []))
                        ),
                        provenance=course.get("provenance", defaults.get("provenance", "")),
                    )
                    courses.append(course)
        check_unique([c.get("code", "") for c in courses], f"{where}.courses", errors)
        edition["courses"] = courses
        data["editions"].append(edition)
    if errors:
        raise DataFileError(path, errors)
    return ProgrammeDocument(path=path, data=data)


def _apply(documents: Sequence[ProgrammeDocument]) -> LoadCounts:
    counts = LoadCounts()
    for document in documents:
        try:
            counts.merge(apply_document(document.data))
        except DomainError as exc:
            if isinstance(exc, DataFileError):
                raise
            raise DataFileError(document.path, [exc.message]) from exc
    return counts


def _status(existed: bool, changed: bool) -> str:
    if not changed:
        return UNCHANGED
    return UPDATED if existed else CREATED


def _competency_refs(
    refs: Sequence[str], *, by_code: dict[str, Any], by_block: dict[str, list[Any]]
) -> list[Any]:
    out: list[Any] = []
    for ref in refs:
        ref = str(ref)
        if ref.endswith(".*"):
            block = ref[:-2]
            found = next((v for k, v in by_block.items() if k.endswith(block)), None)
            if not found:
                raise DomainError(
                    _("Unknown block %(ref)s in a course's competencies.") % {"ref": ref},
                    code="unknown_block",
                )
            out.extend(found)
        elif ref in by_code:
            out.append(by_code[ref])
        else:
            raise DomainError(
                _("Unknown competency %(ref)s in a course's competencies.") % {"ref": ref},
                code="unknown_competency",
            )
    return out


@dataclass
class _Catalogue:
    """What the steps of ``apply_document`` share: the programme written so far, its campuses,
    years and specialisations by code, its version's competencies (by code and by block), the
    counts and the actor."""

    counts: LoadCounts
    actor: Any
    programme: Any = None
    campuses: dict[str, Any] = field(default_factory=dict)
    years: dict[str, Any] = field(default_factory=dict)
    spes: dict[str, Any] = field(default_factory=dict)
    by_code: dict[str, Any] = field(default_factory=dict)
    by_block: dict[str, list[Any]] = field(default_factory=dict)


def apply_document(data: dict[str, Any], *, actor: Any = None) -> LoadCounts:
    """Write one parsed catalogue through the services (inside the caller's transaction)."""
    cat = _Catalogue(counts=LoadCounts(), actor=actor)
    version = _version(data["programme"])
    _apply_programme(cat, data["programme"], version)
    _apply_campuses(cat, data["campuses"])
    _apply_years(cat, data["years"])
    _apply_specialisations(cat, data["specialisations"], version)
    _index_competencies(cat, version)
    # editions first (all of them), so that overlap checks see the file's final dates
    for e in sorted(data["editions"], key=lambda e: e["start_date"]):
        edition = _apply_edition(cat, e)
        _apply_offerings(cat, edition, e["offerings"])
        _apply_closures(cat, edition, e["closures"])
        _apply_rhythms(cat, edition, e["rhythms"])
        _apply_courses(cat, edition, e["courses"])
        _ensure_calendars(cat, edition)
    return cat.counts


def _version(p: dict[str, Any]) -> Any:
    """The certification version the programme prepares for (loaded from the référentiel)."""
    from capitalis.referential.models import CertificationVersion

    version = CertificationVersion.objects.filter(
        certification__code=p["certification"], code=p["version"]
    ).first()
    if version is None:
        raise DomainError(
            _("Certification %(code)s has no version %(version)s: load the référentiel first.")
            % {"code": p["certification"], "version": p["version"]},
            code="no_version",
        )
    return version


def _apply_programme(cat: _Catalogue, p: dict[str, Any], version: Any) -> None:
    from capitalis.programmes import services
    from capitalis.programmes.models import Programme

    existed = Programme.objects.filter(code=p["code"]).exists()
    cat.programme, changed = services.programme_set(
        code=p["code"],
        title_fr=p["title_fr"],
        title_en=p.get("title_en", ""),
        description_fr=p.get("description_fr", ""),
        description_en=p.get("description_en", ""),
        languages=p.get("languages", ""),
        certification_version=version,
        actor=cat.actor,
    )
    cat.counts.add("programmes.programme", _status(existed, changed))


def _apply_campuses(cat: _Catalogue, campuses: list[dict[str, Any]]) -> None:
    from capitalis.programmes import services
    from capitalis.programmes.models import Campus

    for i, c in enumerate(campuses):
        existed = Campus.objects.filter(code=c["code"]).exists()
        cat.campuses[c["code"]], changed = services.campus_set(
            code=c["code"],
            name=c["name"],
            city=c.get("city", ""),
            address=c.get("address", ""),
            position=i + 1,
            actor=cat.actor,
        )
        cat.counts.add("programmes.campus", _status(existed, changed))


def _apply_years(cat: _Catalogue, years: list[dict[str, Any]]) -> None:
    from capitalis.programmes import services
    from capitalis.programmes.models import ProgrammeYear

    for i, y in enumerate(years):
        existed = ProgrammeYear.objects.filter(programme=cat.programme, code=y["code"]).exists()
        cat.years[y["code"]], changed = services.programme_year_set(
            programme=cat.programme,
            code=y["code"],
            title_fr=y["title_fr"],
            title_en=y.get("title_en", ""),
            position=i + 1,
            ects=y["ects"],
            actor=cat.actor,
        )
        cat.counts.add("programmes.programmeyear", _status(existed, changed))


def _apply_specialisations(cat: _Catalogue, spes: list[dict[str, Any]], version: Any) -> None:
    from capitalis.programmes import services
    from capitalis.programmes.models import Specialisation
    from capitalis.referential.models import Block

    blocks = {b.code: b for b in Block.objects.filter(version=version)}
    for i, s in enumerate(spes):
        block = blocks.get(s["block"])
        if block is None:
            raise DomainError(
                _("Specialisation %(code)s: unknown block %(block)s.")
                % {"code": s["code"], "block": s["block"]},
                code="unknown_block",
            )
        existed = Specialisation.objects.filter(programme=cat.programme, code=s["code"]).exists()
        cat.spes[s["code"]], changed = services.specialisation_set(
            programme=cat.programme,
            code=s["code"],
            title_fr=s["title_fr"],
            title_en=s.get("title_en", ""),
            block=block,
            position=i + 1,
            actor=cat.actor,
        )
        cat.counts.add("programmes.specialisation", _status(existed, changed))


def _index_competencies(cat: _Catalogue, version: Any) -> None:
    """The version's competencies by code and by block (what a course's refs name)."""
    from capitalis.referential.models import Competency

    competencies = list(
        Competency.objects.filter(block__version=version)
        .select_related("block")
        .order_by("block__position", "position", "code")
    )
    cat.by_code = {c.code: c for c in competencies}
    for comp in competencies:
        cat.by_block.setdefault(comp.block.code, []).append(comp)


def _apply_edition(cat: _Catalogue, e: dict[str, Any]) -> Any:
    from capitalis.programmes import services
    from capitalis.programmes.models import Edition

    existed = Edition.objects.filter(programme=cat.programme, code=e["code"]).exists()
    edition, changed = services.edition_set(
        programme=cat.programme,
        code=e["code"],
        label=e["label"],
        start_date=e["start_date"],
        end_date=e["end_date"],
        applications_open_on=e.get("applications_open_on"),
        applications_close_on=e.get("applications_close_on"),
        provenance=e.get("provenance", ""),
        actor=cat.actor,
    )
    cat.counts.add("programmes.edition", _status(existed, changed))
    return edition


def _apply_offerings(cat: _Catalogue, edition: Any, offerings: list[dict[str, Any]]) -> None:
    """Every campus × year × specialisation × track the file offers; the edition's other
    offerings are deleted."""
    from capitalis.programmes import services
    from capitalis.programmes.models import Offering

    wanted_offerings: set[int] = set()
    for o in offerings:
        for year_code in o["years"]:
            for spe_code in o["specialisations"]:
                for track in o["tracks"]:
                    offering, changed = services.offering_set(
                        edition=edition,
                        campus=cat.campuses[o["campus"]],
                        year=cat.years[year_code],
                        specialisation=cat.spes[spe_code],
                        track=track,
                        actor=cat.actor,
                    )
                    wanted_offerings.add(offering.pk)
                    cat.counts.add("programmes.offering", CREATED if changed else UNCHANGED)
    for offering in Offering.objects.filter(edition=edition).exclude(pk__in=wanted_offerings):
        offering.delete()
        cat.counts.add("programmes.offering", DELETED)


def _apply_closures(cat: _Catalogue, edition: Any, closures: list[dict[str, Any]]) -> None:
    from capitalis.programmes import services
    from capitalis.programmes.models import SchoolClosure

    for cl in closures:
        campus = cat.campuses[cl["campus"]] if cl.get("campus") else None
        existed = SchoolClosure.objects.filter(
            edition=edition, campus=campus, start_date=cl["start_date"]
        ).exists()
        _closure, changed = services.school_closure_set(
            edition=edition,
            campus=campus,
            start_date=cl["start_date"],
            end_date=cl["end_date"],
            label_fr=cl["label_fr"],
            label_en=cl.get("label_en", ""),
            actor=cat.actor,
        )
        cat.counts.add("programmes.schoolclosure", _status(existed, changed))


def _apply_rhythms(cat: _Catalogue, edition: Any, rhythms: list[dict[str, Any]]) -> None:
    from capitalis.programmes import services
    from capitalis.programmes.models import CampusRhythm

    for r in rhythms:
        campus = cat.campuses[r["campus"]]
        existed = CampusRhythm.objects.filter(
            edition=edition, campus=campus, track=r["track"]
        ).exists()
        params = {
            k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r["params"].items()
        }
        _rhythm, changed = services.campus_rhythm_set(
            edition=edition,
            campus=campus,
            track=r["track"],
            kind=r["kind"],
            params=params,
            min_company_days=r.get("min_company_days", 110),
            description_fr=r.get("description_fr", ""),
            description_en=r.get("description_en", ""),
            provenance=r.get("provenance", ""),
            actor=cat.actor,
        )
        cat.counts.add("programmes.campusrhythm", _status(existed, changed))


def _apply_courses(cat: _Catalogue, edition: Any, courses: list[dict[str, Any]]) -> None:
    """The edition's courses and the competencies each assesses or develops; the edition's
    courses the file no longer has are deleted."""
    from capitalis.programmes import services
    from capitalis.programmes.models import Course

    codes: set[str] = set()
    for c in courses:
        codes.add(c["code"])
        existed = Course.objects.filter(edition=edition, code=c["code"]).exists()
        course, changed = services.course_set(
            edition=edition,
            code=c["code"],
            year=cat.years[c["year"]],
            specialisation=cat.spes[c["specialisation"]] if c["specialisation"] else None,
            title_fr=c["title_fr"],
            title_en=c.get("title_en", ""),
            ects=c["ects"],
            hours=c.get("hours"),
            language=c["language"],
            teaching_methods=c["teaching_methods"],
            position=c["position"],
            provenance=c["provenance"],
            track=c.get("track", ""),
            actor=cat.actor,
        )
        cat.counts.add("programmes.course", _status(existed, changed))
        changed = services.course_competencies_set(
            course=course, links=_course_links(cat, c), actor=cat.actor
        )
        cat.counts.add("programmes.coursecompetency", UPDATED if changed else UNCHANGED)
    for course in Course.objects.filter(edition=edition).exclude(code__in=codes):
        course.delete()
        cat.counts.add("programmes.course", DELETED)


def _course_links(cat: _Catalogue, c: dict[str, Any]) -> list[tuple[Any, Any]]:
    """The (competency, role) pairs of a course: those it assesses, then those it develops."""
    from capitalis.programmes.models import CourseCompetency

    assesses = _competency_refs(c.get("assesses", []), by_code=cat.by_code, by_block=cat.by_block)
    develops = _competency_refs(c.get("develops", []), by_code=cat.by_code, by_block=cat.by_block)
    return [(comp, CourseCompetency.Role.ASSESSES) for comp in assesses] + [
        (comp, CourseCompetency.Role.DEVELOPS) for comp in develops
    ]


def _ensure_calendars(cat: _Catalogue, edition: Any) -> None:
    """A calendar for every campus and track offered in the edition."""
    from capitalis.programmes import services
    from capitalis.programmes.models import Calendar, Offering

    pairs = set(
        Offering.objects.filter(edition=edition).values_list("campus_id", "track").distinct()
    )
    for campus_id, track in sorted(pairs):
        existed = Calendar.objects.filter(
            edition=edition, campus_id=campus_id, track=track
        ).exists()
        services.calendar_ensure(
            edition=edition,
            campus=next(c for c in cat.campuses.values() if c.pk == campus_id),
            track=track,
            actor=cat.actor,
        )
        cat.counts.add("programmes.calendar", UNCHANGED if existed else CREATED)


data_loaders = [
    DataLoader(name="programmes", directory="programmes", parse=parse_document, apply=_apply)
]
