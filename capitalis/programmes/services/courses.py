"""Writes on courses (ECTS not negative, two decimals at most) and the competencies each
course works on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.programmes.models import (
    Course,
    CourseCompetency,
    Edition,
    ProgrammeYear,
    Specialisation,
    TeachingMethod,
)
from capitalis.programmes.services.common import _ects, _track
from capitalis.referential.models import Competency


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
