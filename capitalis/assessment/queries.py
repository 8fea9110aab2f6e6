"""Reads on assessments and results: scoped lists for lecturers and learners, the results grid
of one assessment, and the jury's evidence (``evidence_for``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import F, QuerySet

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.assessment.models import Assessment, AssessmentGroup, Result
from capitalis.enrolment.models import Enrolment
from capitalis.referential.models import CertificationVersion


class EvidenceRow(NamedTuple):
    """One piece of evidence for the jury: a learner's result on one competency."""

    enrolment_id: int
    learner_id: int
    competency_id: int
    block_id: int
    grade: Decimal | None
    level: str | None
    absence: str
    weight: Decimal
    session: str
    date: date
    assessment_id: int


_EVIDENCE_FIELDS = (
    "enrolment_id",
    "learner_id",
    "competency_id",
    "block_id",
    "grade",
    "level",
    "absence",
    "weight",
    "session",
    "date",
    "assessment_id",
)


def _ids(items: Iterable[Any]) -> list[int]:
    return [item if isinstance(item, int) else item.pk for item in items]


def evidence_for(
    *,
    enrolments: QuerySet[Enrolment] | Iterable[Enrolment | int],
    version: CertificationVersion | int,
) -> list[EvidenceRow]:
    """Every result of these enrolments that bears on a competency of ``version``, as plain
    rows, in ONE SQL query (whatever the number of enrolments, assessments or competencies).

    ``enrolments``: a QuerySet of Enrolment (used as a sub-query: pass one for thousands of
    learners) or an iterable of Enrolment objects or ids. ``version``: a CertificationVersion or
    its id; only competencies of that version's blocks are returned (evidence under an earlier
    version is reached through the jury's crosswalk, not here).

    One row per (result, competency):
    - a result entered for a competency (``Result.competency`` set) gives one row for it;
    - a result for the assessment as a whole (``Result.competency`` empty) gives one row for
      EVERY competency the assessment evaluates (AssessmentCompetency), with the same grade,
      level and absence.

    Fields (EvidenceRow, a NamedTuple): ``enrolment_id``, ``learner_id``, ``competency_id``,
    ``block_id`` (the competency's block), ``grade`` (Decimal 0–20 or None), ``level``
    (``not_acquired|in_progress|acquired|mastered`` or None), ``absence``
    (``none|justified|unjustified``; an absent learner usually has no grade nor level),
    ``weight`` (the assessment's weight, Decimal > 0), ``session`` (``first|resit``), ``date``
    (the assessment's date), ``assessment_id``. Rows are NOT deduplicated across sessions: a
    resit and the first session of the same competency both appear; the deliberation rules
    decide how they combine. Rows are ordered by enrolment, competency, date, assessment.
    """
    version_id = version if isinstance(version, int) else version.pk
    enrolment_filter: Any = enrolments if isinstance(enrolments, QuerySet) else _ids(enrolments)
    if isinstance(enrolment_filter, QuerySet):
        enrolment_filter = enrolment_filter.values("pk")
    base = Result.objects.filter(enrolment_id__in=enrolment_filter).order_by()
    per_competency = (
        base.filter(competency__isnull=False, competency__block__version_id=version_id)
        .annotate(
            learner_id=F("enrolment__learner_id"),
            block_id=F("competency__block_id"),
            weight=F("assessment__weight"),
            session=F("assessment__session"),
            date=F("assessment__date"),
        )
        .values_list(*_EVIDENCE_FIELDS)
    )
    whole = (
        base.filter(
            competency__isnull=True,
            assessment__competency_links__competency__block__version_id=version_id,
        )
        .annotate(
            learner_id=F("enrolment__learner_id"),
            competency_id_=F("assessment__competency_links__competency_id"),
            block_id=F("assessment__competency_links__competency__block_id"),
            weight=F("assessment__weight"),
            session=F("assessment__session"),
            date=F("assessment__date"),
        )
        .values_list(
            "enrolment_id",
            "learner_id",
            "competency_id_",
            *_EVIDENCE_FIELDS[3:],
        )
    )
    query = per_competency.union(whole, all=True).order_by(
        "enrolment_id", "competency_id", "date", "assessment_id"
    )
    return [EvidenceRow(*row) for row in query]


# --- scoping ---------------------------------------------------------------------------------


def assessments_for(*, user: User) -> QuerySet[Assessment]:
    """The assessments a user may see as staff: a lecturer those of his courses, a programme
    director every one; nobody else any (accounts.permissions.TABLE, "assessment")."""
    qs = Assessment.objects.select_related("edition", "course", "block").order_by("-date", "code")
    return permissions.restrict(qs, user, "assessment")


def results_for_staff(*, user: User) -> QuerySet[Result]:
    """The results a user may see as staff (same scope as ``assessments_for``)."""
    return Result.objects.filter(assessment__in=assessments_for(user=user).values("pk"))


def results_for_learner(*, user: User) -> QuerySet[Result]:
    """A learner's own results, every enrolment (nothing for a user who is not a learner)."""
    return (
        Result.objects.filter(enrolment__learner__user_id=user.pk)
        .select_related("assessment", "assessment__course", "competency", "enrolment__edition")
        .order_by("-assessment__date", "assessment__code", "competency__code")
    )


# --- the results grid of one assessment ------------------------------------------------------


def concerned_enrolments(assessment: Assessment) -> QuerySet[Enrolment]:
    """The enrolments an assessment concerns: its course's year (and specialisation, and track
    for a course of one track) or, for a block alone, the whole edition (an optional block: the
    learners of its specialisation)."""
    qs = Enrolment.objects.filter(edition_id=assessment.edition_id).exclude(status="withdrawn")
    if assessment.course_id is not None:
        course = assessment.course
        assert course is not None
        qs = qs.filter(year_id=course.year_id)
        if course.specialisation_id is not None:
            qs = qs.filter(specialisation_id=course.specialisation_id)
        if course.track:
            qs = qs.filter(track=course.track)
    elif assessment.block is not None and assessment.block.kind == "optional":
        qs = qs.filter(specialisation__block_id=assessment.block.pk)
    return qs


class GridCell(NamedTuple):
    competency_id: int | None
    result: Result | None


class GridRow(NamedTuple):
    enrolment: Enrolment
    cells: list[GridCell]


def results_grid(*, assessment: Assessment) -> tuple[list[Any], list[GridRow]]:
    """The learners concerned × the competencies assessed (or one column for the assessment as
    a whole when it lists none), with each cell's current result. Three queries, whatever the
    number of learners."""
    competencies = [
        link.competency
        for link in assessment.competency_links.select_related("competency").order_by(
            "competency__block__position", "competency__position", "competency__code"
        )
    ]
    columns: list[Any] = competencies or [None]
    enrolments = list(
        concerned_enrolments(assessment)
        .select_related("learner__user", "campus")
        .order_by("learner__user__full_name", "learner__user__email")
    )
    by_key = {
        (r.enrolment_id, r.competency_id): r
        for r in Result.objects.filter(assessment=assessment).order_by()
    }
    rows = [
        GridRow(
            e,
            [
                GridCell(c.pk if c else None, by_key.get((e.pk, c.pk if c else None)))
                for c in columns
            ],
        )
        for e in enrolments
    ]
    return columns, rows


def groups_for(*, user: User) -> QuerySet[AssessmentGroup]:
    """The assessment groups of the assessments ``user`` may see as staff."""
    return (
        permissions.restrict(AssessmentGroup.objects.all(), user, "assessment_group")
        .select_related("assessment__course")
        .prefetch_related("members__learner__user")
        .order_by("name")
    )
