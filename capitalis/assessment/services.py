"""Writes on assessments and results (SPEC §5). Every write is here, atomic, audited, and raises
a translated :class:`DomainError` on bad input (nothing is saved).

Sections: assessments (and their calendar events); groups; results (``result_check_author``
and ``result_values`` are the checks shared with the bulk import)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.assessment.models import (
    Absence,
    Assessment,
    AssessmentCompetency,
    AssessmentGroup,
    Level,
    Modality,
    Result,
    Session,
)
from capitalis.assessment.queries import concerned_enrolments
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.imports import UPLOADS_DIR
from capitalis.core.models import Job, audit_record
from capitalis.core.services import job_start
from capitalis.enrolment.models import Enrolment
from capitalis.programmes import services as programme_services
from capitalis.programmes.models import CalendarEvent, Course, Edition
from capitalis.referential.models import Block, Competency, EvaluationCriterion

GRADE_MIN = Decimal(0)
GRADE_MAX = Decimal(20)

# --- assessments ------------------------------------------------------------------------------


def _can_manage(actor: User | None, course_id: int | None) -> bool:
    """A programme director, or the course's lecturer; None = the system (commands, demo)."""
    if actor is None:
        return True
    return permissions.can(actor, "manage", "assessment", course=course_id).ok


def _clean_assessment(
    *,
    edition: Edition,
    course: Course | None,
    block: Block | None,
    code: str,
    title_fr: str,
    modality: str,
    weight: Decimal | int | str,
    session: str,
) -> Decimal:
    if course is None and block is None:
        raise DomainError(_("An assessment belongs to a course, a block, or both."), code="scope")
    if course is not None and course.edition_id != edition.pk:
        raise DomainError(_("The course is not part of this edition."), code="course")
    if block is not None and block.version_id != edition.programme.certification_version_id:
        raise DomainError(
            _("The block is not part of this edition's certification version."), code="block"
        )
    if not code.strip():
        raise DomainError(_("Give the assessment a code."), code="code")
    if not title_fr.strip():
        raise DomainError(_("Give the assessment a French title."), code="title")
    if modality not in Modality.values:
        raise DomainError(_("Unknown assessment modality."), code="modality")
    if session not in Session.values:
        raise DomainError(
            _("The session is either the first session or the resit."), code="session"
        )
    try:
        value = Decimal(str(weight))
    except InvalidOperation:
        raise DomainError(_("The weight must be a number."), code="weight") from None
    if not value.is_finite() or value <= 0 or value >= Decimal(10000):
        raise DomainError(_("The weight must be greater than 0."), code="weight")
    return value


def _set_competencies(
    assessment: Assessment,
    competencies: Sequence[Competency],
    criteria: Mapping[int, Sequence[EvaluationCriterion]] | None,
) -> None:
    version_id = assessment.edition.programme.certification_version_id
    for competency in competencies:
        if competency.block.version_id != version_id:
            raise DomainError(
                _("Competency %(code)s is not part of this edition's certification version.")
                % {"code": competency.code},
                code="competency",
            )
        if assessment.block_id is not None and competency.block_id != assessment.block_id:
            raise DomainError(
                _("Competency %(code)s is not part of the assessment's block.")
                % {"code": competency.code},
                code="competency",
            )
    wanted = {c.pk for c in competencies}
    assessment.competency_links.exclude(competency_id__in=wanted).delete()
    existing = set(assessment.competency_links.values_list("competency_id", flat=True))
    AssessmentCompetency.objects.bulk_create(
        [AssessmentCompetency(assessment=assessment, competency_id=pk) for pk in wanted - existing]
    )
    for link in assessment.competency_links.all():
        chosen = list((criteria or {}).get(link.competency_id, ()))
        if any(c.competency_id != link.competency_id for c in chosen):
            raise DomainError(
                _("A criterion does not belong to the competency it is attached to."),
                code="criterion",
            )
        if criteria is not None:
            link.criteria.set(chosen)


def _sync_calendar(assessment: Assessment, actor: User | None) -> None:
    """Mirror the assessment's date on the calendar of every (edition, campus, track) with
    learners concerned: one event each, its UID stable, moved when the date changes (written
    by the programmes app, which owns the calendars)."""
    pairs = concerned_enrolments(assessment).values_list("campus_id", "track").distinct()
    programme_services.calendar_events_sync(
        prefix=f"assessment-{assessment.pk}-",
        edition_id=assessment.edition_id,
        places=set(pairs),
        event=programme_services.DatedEvent(
            kind=CalendarEvent.Kind.ASSESSMENT,
            start_date=assessment.date,
            end_date=assessment.date,
            title_fr=f"Évaluation : {assessment.title_fr}",
            title_en=f"Assessment: {assessment.title_en or assessment.title_fr}",
        ),
        actor=actor,
    )


@transaction.atomic
def assessment_create(
    *,
    edition: Edition,
    code: str,
    title_fr: str,
    modality: str,
    date: date,
    course: Course | None = None,
    block: Block | None = None,
    title_en: str = "",
    weight: Decimal | int | str = Decimal(1),
    session: str = Session.FIRST,
    competencies: Sequence[Competency] = (),
    criteria: Mapping[int, Sequence[EvaluationCriterion]] | None = None,
    actor: User | None = None,
) -> Assessment:
    """A new assessment with the competencies it evaluates (and their criteria, keyed by
    competency id); its date goes onto the learners' calendars."""
    if not _can_manage(actor, course.pk if course else None):
        raise DomainError(
            _("Only the course's lecturer or a programme director can create its assessments."),
            code="not_authorised",
        )
    value = _clean_assessment(
        edition=edition,
        course=course,
        block=block,
        code=code,
        title_fr=title_fr,
        modality=modality,
        weight=weight,
        session=session,
    )
    if Assessment.objects.filter(edition=edition, code=code.strip()).exists():
        raise DomainError(
            _("An assessment with the code %(code)s already exists in this edition.")
            % {"code": code.strip()},
            code="duplicate",
        )
    assessment = Assessment.objects.create(
        edition=edition,
        course=course,
        block=block,
        code=code.strip(),
        title_fr=title_fr.strip(),
        title_en=title_en.strip(),
        modality=modality,
        date=date,
        weight=value,
        session=session,
    )
    _set_competencies(assessment, competencies, criteria)
    _sync_calendar(assessment, actor)
    audit_record(
        action=Action.ASSESSMENT_CREATE, actor=actor, target=assessment, summary=str(assessment)
    )
    return assessment


_UPDATABLE = ("title_fr", "title_en", "modality", "date", "weight", "session", "code")


@transaction.atomic
def assessment_update(
    *,
    assessment: Assessment,
    actor: User | None = None,
    competencies: Sequence[Competency] | None = None,
    criteria: Mapping[int, Sequence[EvaluationCriterion]] | None = None,
    **changes: Any,
) -> Assessment:
    """Change an assessment (title, modality, date, weight, session, code, competencies); a new
    date moves its calendar events (same UIDs)."""
    unknown = set(changes) - set(_UPDATABLE)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))},
            code="fields",
        )
    if not _can_manage(actor, assessment.course_id):
        raise DomainError(
            _("Only the course's lecturer or a programme director can change its assessments."),
            code="not_authorised",
        )
    values = {name: changes.get(name, getattr(assessment, name)) for name in _UPDATABLE}
    weight = _clean_assessment(
        edition=assessment.edition,
        course=assessment.course,
        block=assessment.block,
        code=str(values["code"]),
        title_fr=str(values["title_fr"]),
        modality=str(values["modality"]),
        weight=values["weight"],
        session=str(values["session"]),
    )
    values["weight"] = weight
    if (
        values["code"] != assessment.code
        and Assessment.objects.filter(edition_id=assessment.edition_id, code=values["code"])
        .exclude(pk=assessment.pk)
        .exists()
    ):
        raise DomainError(
            _("An assessment with the code %(code)s already exists in this edition.")
            % {"code": values["code"]},
            code="duplicate",
        )
    before = {name: str(getattr(assessment, name)) for name in _UPDATABLE}
    for name, value in values.items():
        setattr(assessment, name, value)
    assessment._history_user = actor  # type: ignore[attr-defined]
    assessment.save()
    if competencies is not None:
        _set_competencies(assessment, competencies, criteria)
    _sync_calendar(assessment, actor)
    audit_record(
        action=Action.ASSESSMENT_UPDATE,
        actor=actor,
        target=assessment,
        summary=str(assessment),
        data={"before": before},
    )
    return assessment


# --- groups -----------------------------------------------------------------------------------


@transaction.atomic
def assessment_group_set(
    *,
    assessment: Assessment,
    name: str,
    members: Iterable[Enrolment],
    actor: User | None = None,
) -> AssessmentGroup:
    """Create or replace a group of learners assessed together."""
    if not _can_manage(actor, assessment.course_id):
        raise DomainError(
            _("Only the course's lecturer or a programme director can form its groups."),
            code="not_authorised",
        )
    if not name.strip():
        raise DomainError(_("Give the group a name."), code="name")
    people = list(members)
    allowed = set(concerned_enrolments(assessment).values_list("pk", flat=True))
    if any(m.pk not in allowed for m in people):
        raise DomainError(_("A member is not concerned by this assessment."), code="member")
    group, _created = AssessmentGroup.objects.get_or_create(
        assessment=assessment, name=name.strip()
    )
    group.members.set(people)
    audit_record(
        action=Action.ASSESSMENT_GROUP_SET,
        actor=actor,
        target=group,
        summary=str(group),
        data={"members": [m.pk for m in people]},
    )
    return group


# --- results ----------------------------------------------------------------------------------


def can_enter_results(actor: User | None, assessment: Assessment) -> bool:
    """Only the course's lecturer (LECTURER scoped to that course) or a programme director; an
    assessment of a block alone: a programme director."""
    if actor is None:
        return False
    return permissions.can(actor, "manage", "assessment", assessment).ok


def result_check_author(*, assessment: Assessment, actor: User | None) -> None:
    """Raise a translated DomainError unless ``actor`` may enter this assessment's results."""
    if not can_enter_results(actor, assessment):
        raise DomainError(
            _("Only the course's lecturer or a programme director can enter these results."),
            code="not_authorised",
        )


def parse_grade(grade: Decimal | float | int | str | None) -> Decimal | None:
    """A grade on 20 (two decimals, comma or point), or None; a translated DomainError when it
    is not a number or lies outside 0–20."""
    if grade is None or (isinstance(grade, str) and not grade.strip()):
        return None
    try:
        value = Decimal(str(grade).strip().replace(",", "."))
    except InvalidOperation:
        raise DomainError(
            _("The grade “%(grade)s” is not a number.") % {"grade": grade}, code="grade"
        ) from None
    if not value.is_finite() or value < GRADE_MIN or value > GRADE_MAX:
        raise DomainError(
            _("The grade must lie between 0 and 20 (got %(grade)s).") % {"grade": grade},
            code="grade",
        )
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(_("A grade has at most two decimals."), code="grade")
    return value.quantize(Decimal("0.01"))


def result_values(
    *,
    grade: Decimal | float | int | str | None,
    level: str | None,
    absence: str | None,
    comment: str = "",
) -> dict[str, Any]:
    """The checked values of a result (grade, level, absence, comment), or a translated
    DomainError. A result has a grade, a level or an absence."""
    value = parse_grade(grade)
    level_value = (level or "").strip() or None
    if level_value is not None and level_value not in Level.values:
        raise DomainError(
            _("Unknown level “%(level)s”: not_acquired, in_progress, acquired or mastered.")
            % {"level": level_value},
            code="level",
        )
    absence_value = (absence or "").strip() or Absence.NONE
    if absence_value not in Absence.values:
        raise DomainError(
            _("Unknown absence “%(absence)s”: none, justified or unjustified.")
            % {"absence": absence_value},
            code="absence",
        )
    if value is None and level_value is None and absence_value == Absence.NONE:
        raise DomainError(_("Give a grade, a level or an absence."), code="empty")
    return {
        "grade": value,
        "level": level_value,
        "absence": absence_value,
        "comment": (comment or "").strip(),
    }


def _check_target(
    assessment: Assessment, enrolments: Sequence[Enrolment], competency: Competency | None
) -> None:
    if any(e.edition_id != assessment.edition_id for e in enrolments):
        raise DomainError(
            _("This learner is not enrolled in the assessment's edition."), code="enrolment"
        )
    if (
        competency is not None
        and not assessment.competency_links.filter(competency_id=competency.pk).exists()
    ):
        raise DomainError(
            _("Competency %(code)s is not evaluated by this assessment.")
            % {"code": competency.code},
            code="competency",
        )


def _write(
    assessment: Assessment,
    enrolment: Enrolment,
    competency: Competency | None,
    values: dict[str, Any],
    actor: User,
) -> tuple[Result, bool]:
    result = (
        Result.objects.select_for_update()
        .order_by()
        .filter(
            assessment=assessment,
            enrolment=enrolment,
            competency=competency,
        )
        .first()
    )
    if result is not None and all(getattr(result, k) == v for k, v in values.items()):
        return result, False
    if result is None:
        result = Result(assessment=assessment, enrolment=enrolment, competency=competency)
    for name, value in values.items():
        setattr(result, name, value)
    result.author = actor
    result._history_user = actor  # type: ignore[attr-defined]
    result.save()
    return result, True


@transaction.atomic
def result_set(
    *,
    assessment: Assessment,
    enrolment: Enrolment,
    competency: Competency | None = None,
    grade: Decimal | float | int | str | None = None,
    level: str | None = None,
    absence: str | None = Absence.NONE,
    comment: str = "",
    actor: User,
) -> tuple[Result, bool]:
    """Enter or change a learner's result (``competency`` None: the assessment as a whole).
    Only the course's lecturer or a programme director. Returns (result, changed): an
    unchanged result is not written again (no history row). Every change is kept in history
    with its author and the previous value."""
    result_check_author(assessment=assessment, actor=actor)
    values = result_values(grade=grade, level=level, absence=absence, comment=comment)
    _check_target(assessment, [enrolment], competency)
    result, changed = _write(assessment, enrolment, competency, values, actor)
    if changed:
        audit_record(
            action=Action.RESULT_SET,
            actor=actor,
            target=result,
            summary=str(result),
            data={k: str(v) if v is not None else None for k, v in values.items()},
        )
    return result, changed


@dataclass(frozen=True)
class ResultEntry:
    """One filled cell of the results grid, as posted: the key the page shows it under, the
    learner, the competency (None: the assessment as a whole) and the values typed."""

    key: str
    enrolment: Enrolment
    competency: Competency | None
    grade: str | None
    level: str | None
    absence: str
    comment: str


class ResultsRefused(DomainError):
    """Cells of a results grid refused, nothing written: one translated reason per cell key
    (``errors``)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Nothing was saved: correct the marked cells."), code="invalid")
        self.errors = errors

    def as_body(self) -> dict[str, Any]:
        return {**super().as_body(), "errors": self.errors}


@transaction.atomic
def results_enter(*, assessment: Assessment, entries: Iterable[ResultEntry], actor: User) -> int:
    """Enter a grid of results all or nothing, in one transaction: each cell through
    ``result_set`` (its checks, history and audit record); when a cell is refused, every
    reason is collected, nothing is written and ``ResultsRefused`` says which cells. Returns
    the number of results changed."""
    changed = 0
    errors: dict[str, str] = {}
    for entry in entries:
        try:
            _result, was_changed = result_set(
                assessment=assessment,
                enrolment=entry.enrolment,
                competency=entry.competency,
                grade=entry.grade,
                level=entry.level,
                absence=entry.absence,
                comment=entry.comment,
                actor=actor,
            )
        except DomainError as error:
            errors[entry.key] = error.message
        else:
            changed += was_changed
    if errors:
        raise ResultsRefused(errors)
    return changed


@transaction.atomic
def group_result_set(
    *,
    group: AssessmentGroup,
    competency: Competency | None = None,
    grade: Decimal | float | int | str | None = None,
    level: str | None = None,
    absence: str | None = Absence.NONE,
    comment: str = "",
    actor: User,
) -> list[Result]:
    """One result for a whole group: the same grade/level reaches every member."""
    assessment = group.assessment
    result_check_author(assessment=assessment, actor=actor)
    values = result_values(grade=grade, level=level, absence=absence, comment=comment)
    members = list(group.members.all())
    if not members:
        raise DomainError(_("This group has no member."), code="empty_group")
    _check_target(assessment, members, competency)
    results = [_write(assessment, m, competency, values, actor)[0] for m in members]
    audit_record(
        action=Action.GROUP_RESULT_SET,
        actor=actor,
        target=group,
        summary=str(group),
        data={"members": [m.pk for m in members], "grade": str(values["grade"])},
    )
    return results


@transaction.atomic
def group_results_enter(
    *,
    group: AssessmentGroup,
    grade: Decimal | float | int | str | None = None,
    absence: str | None = Absence.NONE,
    levels: Mapping[int, str] | None = None,
    comment: str = "",
    actor: User,
) -> list[Result]:
    """A group's result as one entry: a grade (or an absence) for the whole assessment and/or
    a level per competency the assessment evaluates (``levels``: competency id → level), the
    same comment on each. Every member receives it (``group_result_set``). All or nothing: a
    bad value, an unknown competency or an author who is not the course's lecturer or a
    programme director raise a translated DomainError and nothing is written."""
    result_check_author(assessment=group.assessment, actor=actor)
    wanted = {int(k): (v or "").strip() for k, v in (levels or {}).items() if (v or "").strip()}
    has_whole = parse_grade(grade) is not None or (absence or Absence.NONE) != Absence.NONE
    if not has_whole and not wanted:
        raise DomainError(_("Give a grade, a level or an absence."), code="empty")
    competencies = {
        c.pk: c
        for c in Competency.objects.filter(pk__in=list(wanted), assessments=group.assessment)
    }
    unknown = sorted(set(wanted) - set(competencies))
    if unknown:
        raise DomainError(
            _("Competency %(code)s is not evaluated by this assessment.") % {"code": unknown[0]},
            code="competency",
        )
    results: list[Result] = []
    if has_whole:
        results += group_result_set(
            group=group, grade=grade, absence=absence, comment=comment, actor=actor
        )
    for pk, level in sorted(wanted.items()):
        results += group_result_set(
            group=group, competency=competencies[pk], level=level, comment=comment, actor=actor
        )
    return results


# --- the results import, as a background job -------------------------------------------------


def results_import_job_key(token: str) -> str:
    """The idempotency key of importing a kept upload: one import per upload token."""
    return f"results-import:{token}"


def results_import_start(
    *, assessment: Assessment, token: str, filename: str, valid_only: bool, actor: User
) -> Job:
    """Start importing the kept upload ``token`` (see ``core.imports``) into the assessment's
    results, as a background job (issue 13 point 10; who may enter its results only). Posting
    the same upload again returns its job, running or done: an upload is imported once. A job
    that failed (rows refused without ``valid_only``) may be asked again."""
    from capitalis.assessment.tasks import results_import_job

    result_check_author(assessment=assessment, actor=actor)
    return job_start(
        kind="assessment.results_import",
        key=results_import_job_key(token),
        user=actor,
        task=results_import_job,
        args=[assessment.pk, token, filename[:200], valid_only],
        title=_("Importing “%(file)s” into the results of %(code)s")
        % {"file": filename[:200], "code": assessment.code},
        once=True,
        back_url=reverse("assessment:import", args=[assessment.pk]),
    )


# --- kept uploads -----------------------------------------------------------------------------

IMPORT_UPLOADS_DIR = UPLOADS_DIR


def import_uploads_clean(*, older_than: timedelta, now: datetime | None = None) -> list[str]:
    """Delete the results-import uploads kept between preview and import (``imports/<uuid>`` in
    the default storage, so every app server sees them) that are older than ``older_than``;
    returns the names deleted. Only UUID-named files are touched."""
    now = now or clock.now()
    try:
        _dirs, files = default_storage.listdir(IMPORT_UPLOADS_DIR)
    except FileNotFoundError:
        return []
    deleted = []
    for name in sorted(files):
        try:
            uuid.UUID(name)
        except ValueError:
            continue
        path = f"{IMPORT_UPLOADS_DIR}/{name}"
        try:
            modified = default_storage.get_modified_time(path)
        except FileNotFoundError:
            continue
        if now - modified > older_than:
            default_storage.delete(path)
            deleted.append(name)
    if deleted:
        audit_record(
            action=Action.IMPORT_UPLOADS_CLEAN,
            summary=f"{len(deleted)} upload(s) deleted",
            data={"deleted": deleted},
        )
    return deleted
