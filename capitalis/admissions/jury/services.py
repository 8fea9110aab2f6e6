"""Writes for interviews, the admission jury and its decisions (SPEC §3; issue 4 points 4, 5).

Sections: interview slots and bookings, interview scoring and adapted arrangements, the
admission jury (sittings, presentation, decisions one by one and in batch), decision letters
sent by e-mail. Every status move goes through
:func:`capitalis.admissions.services.application_transition` (the transition table, the
authorised roles, the version check: two staff deciding at once, the second is told).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.accounts.queries import grants_for
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.accounts.services import role_grant
from capitalis.admissions.jury import letters
from capitalis.admissions.jury.queries import can_see_arrangements, is_admissions_staff
from capitalis.admissions.models import (
    AdmissionJury,
    Application,
    Interview,
    InterviewCriterion,
    InterviewSlot,
)
from capitalis.admissions.rules import DECISIONS, Actor, Status
from capitalis.admissions.services import application_transition
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.data import CREATED, DELETED, UNCHANGED, UPDATED, LoadCounts
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.programmes.models import Campus, Edition

logger = logging.getLogger(__name__)


def _require_staff(actor: User, campus_id: int | None) -> None:
    if not is_admissions_staff(grants_for(user=actor), campus_id):
        raise DomainError(
            _("Only the admissions staff of this campus may do this."), code="forbidden"
        )


def _reload(application: Application) -> Application:
    application.refresh_from_db()
    return application


# --- interview slots and bookings ----------------------------------------------------------


@transaction.atomic
def interview_slot_create(
    *,
    edition: Edition,
    campus: Campus,
    starts_at: datetime,
    ends_at: datetime,
    location: str = "",
    interviewers: Iterable[User] = (),
    actor: User,
) -> InterviewSlot:
    """A time when interviewers meet one candidate, on a campus, for an edition."""
    _require_staff(actor, campus.pk)
    if ends_at <= starts_at:
        raise DomainError(_("An interview slot must end after it starts."), code="slot_times")
    slot = InterviewSlot.objects.create(
        edition=edition, campus=campus, starts_at=starts_at, ends_at=ends_at, location=location
    )
    people = list(interviewers)
    if people:
        slot.interviewers.set(people)
    audit_record(
        action=Action.INTERVIEW_SLOT_CREATE,
        actor=actor,
        target=slot,
        summary=f"{campus.code} {starts_at:%Y-%m-%d %H:%M}",
        data={"interviewers": [u.pk for u in people]},
    )
    return slot


@transaction.atomic
def interview_book(
    *, application: Application, slot: InterviewSlot, actor: User, expected_version: int
) -> Interview:
    """Book an eligible application into a free slot of its edition and campus
    (→ interview scheduled)."""
    _require_staff(actor, application.campus_id)
    if slot.edition_id != application.edition_id or slot.campus_id != application.campus_id:
        raise DomainError(
            _("This slot is for another edition or campus than the application."),
            code="slot_mismatch",
        )
    if Interview.objects.filter(slot=slot).exists():
        raise DomainError(_("This slot is already booked."), code="slot_taken")
    if Interview.objects.filter(application=application).exists():
        raise DomainError(_("This application already has an interview."), code="booked")
    application_transition(
        application=application,
        target=Status.INTERVIEW_SCHEDULED,
        actor_user=actor,
        expected_version=expected_version,
        note=_("Interview on %(when)s") % {"when": f"{slot.starts_at:%Y-%m-%d %H:%M}"},
    )
    interview = Interview.objects.create(application=application, slot=slot)
    audit_record(
        action=Action.INTERVIEW_BOOK,
        actor=actor,
        target=interview,
        summary=f"application {application.pk} slot {slot.pk}",
    )
    return interview


# --- scoring and adapted arrangements ------------------------------------------------------


@transaction.atomic
def interview_grid_set(
    *, edition: Edition, criteria: Sequence[Mapping[str, Any]], actor: User | None = None
) -> LoadCounts:
    """An edition's interview scoring grid, upserted by code (only differing rows written);
    lines the grid no longer has are deleted. Used by the shipped-data loader."""
    counts = LoadCounts()
    label = "admissions.interviewcriterion"
    existing = {c.code: c for c in InterviewCriterion.objects.filter(edition=edition)}
    for position, item in enumerate(criteria):
        values = {
            "label_fr": str(item["label_fr"]),
            "label_en": str(item.get("label_en") or ""),
            "max_score": int(item["max_score"]),
            "position": position,
        }
        row = existing.pop(str(item["code"]), None)
        if row is None:
            InterviewCriterion.objects.create(edition=edition, code=str(item["code"]), **values)
            counts.add(label, CREATED)
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
            counts.add(label, UPDATED)
        else:
            counts.add(label, UNCHANGED)
    for row in existing.values():
        row.delete()
        counts.add(label, DELETED)
    if counts.changed:
        audit_record(
            action=Action.INTERVIEW_GRID_SET,
            actor=actor,
            target=edition,
            summary=f"{edition}: {len(criteria)} line(s)",
        )
    return counts


def _check_scores(
    criteria: Sequence[InterviewCriterion], scores: Mapping[str, Any]
) -> dict[str, int]:
    by_code = {c.code: c for c in criteria}
    unknown = sorted(set(scores) - set(by_code))
    if unknown:
        raise DomainError(
            _("Unknown criteria in the scoring grid: %(codes)s.") % {"codes": ", ".join(unknown)},
            code="unknown_criterion",
        )
    clean: dict[str, int] = {}
    for criterion in criteria:
        raw = scores.get(criterion.code)
        if raw is None or raw == "":
            raise DomainError(
                _("Score every line of the grid: “%(label)s” has no score.")
                % {"label": criterion.label},
                code="score_missing",
            )
        try:
            value = int(str(raw))
        except ValueError:
            raise DomainError(
                _("The score of “%(label)s” must be a whole number.") % {"label": criterion.label},
                code="score_invalid",
            ) from None
        if not 0 <= value <= criterion.max_score:
            raise DomainError(
                _("The score of “%(label)s” must be between 0 and %(max)s.")
                % {"label": criterion.label, "max": criterion.max_score},
                code="score_range",
            )
        clean[criterion.code] = value
    return clean


@transaction.atomic
def interview_record(
    *,
    interview: Interview,
    scores: Mapping[str, Any],
    comment: str,
    actor: User,
    expected_version: int,
) -> Interview:
    """The interviewers' scores on the edition's grid and their comment (→ interviewed).
    Every line of the grid is scored, within 0 … its maximum; a comment is required."""
    application = interview.application
    is_interviewer = interview.slot.interviewers.filter(pk=actor.pk).exists()
    if not is_interviewer and not is_admissions_staff(
        grants_for(user=actor), application.campus_id
    ):
        raise DomainError(
            _("Only the interviewers or the admissions staff may score this interview."),
            code="forbidden",
        )
    criteria = list(InterviewCriterion.objects.filter(edition_id=application.edition_id))
    if not criteria:
        raise DomainError(_("This edition has no interview scoring grid."), code="no_grid")
    clean = _check_scores(criteria, scores)
    if not comment.strip():
        raise DomainError(_("Write a comment on the interview."), code="comment_missing")
    application_transition(
        application=application,
        target=Status.INTERVIEWED,
        actor_user=actor,
        expected_version=expected_version,
        # an interviewer holds no admissions or jury role on the file: the slot makes him one
        also_as=frozenset({Actor.JURY}) if is_interviewer else frozenset(),
    )
    interview.scores = clean
    interview.comment = comment.strip()
    interview.interviewed_at = clock.now()
    interview.save(update_fields=["scores", "comment", "interviewed_at", "updated_at"])
    audit_record(
        action=Action.INTERVIEW_RECORD,
        actor=actor,
        target=interview,
        summary=f"application {application.pk}: {sum(clean.values())} points",
        data={"scores": clean},
    )
    return interview


@transaction.atomic
def interview_arrangements_set(*, interview: Interview, text: str, actor: User) -> Interview:
    """Record the adapted arrangements of a candidate with an accommodation. Only those who
    may see them (the campus disability referent, the admission jury, the programme
    director) may write them."""
    application = interview.application
    if not can_see_arrangements(grants_for(user=actor), application):
        raise DomainError(
            _(
                "Only the disability referent or the admission jury may record adapted "
                "arrangements."
            ),
            code="forbidden",
        )
    if text.strip() and not application.accommodation_requested:
        raise DomainError(
            _("The candidate did not ask for an accommodation."), code="no_accommodation"
        )
    interview.adapted_arrangements = text.strip()
    interview.save(update_fields=["adapted_arrangements", "updated_at"])
    # The audit trail says that they changed, not what they say (health-related data).
    audit_record(
        action=Action.INTERVIEW_ARRANGEMENTS_SET,
        actor=actor,
        target=interview,
        summary=f"application {application.pk}",
    )
    return interview


# --- the admission jury --------------------------------------------------------------------


@transaction.atomic
def admission_jury_create(
    *,
    edition: Edition,
    campus: Campus | None,
    sits_on: date,
    president: User,
    members: Iterable[User] = (),
    actor: User,
) -> AdmissionJury:
    """An admission jury sitting; its president and members get JURY_PRESIDENT / JURY_MEMBER
    scoped to the jury (``ScopeKind.ADMISSION_JURY``: they decide the files presented to it,
    and nothing of a certification jury session with the same id)."""
    _require_staff(actor, campus.pk if campus is not None else None)
    if campus is None and not is_admissions_staff(grants_for(user=actor), None):
        raise DomainError(_("Only the admissions staff may do this."), code="forbidden")
    people = [m for m in members if m.pk != president.pk]
    jury = AdmissionJury.objects.create(
        edition=edition, campus=campus, sits_on=sits_on, president=president
    )
    jury.members.set(people)
    role_grant(
        user=president,
        role=Role.JURY_PRESIDENT,
        scope=ScopeKind.ADMISSION_JURY,
        scope_id=jury.pk,
        actor=actor,
    )
    for member in people:
        role_grant(
            user=member,
            role=Role.JURY_MEMBER,
            scope=ScopeKind.ADMISSION_JURY,
            scope_id=jury.pk,
            actor=actor,
        )
    audit_record(
        action=Action.ADMISSION_JURY_CREATE,
        actor=actor,
        target=jury,
        summary=str(jury),
        data={"president": president.pk, "members": [m.pk for m in people]},
    )
    return jury


@transaction.atomic
def application_present(
    *,
    application: Application,
    jury: AdmissionJury,
    actor: User,
    expected_version: int,
    presented_on: date | None = None,
) -> Application:
    """Present an interviewed application to an admission jury (→ presented). It is presented
    on the sitting date (or ``presented_on``); the decision is due 4 weeks later."""
    if jury.edition_id != application.edition_id or (
        jury.campus_id is not None and jury.campus_id != application.campus_id
    ):
        raise DomainError(
            _("This jury sits for another edition or campus than the application."),
            code="jury_mismatch",
        )
    _require_staff(actor, application.campus_id)
    Application.objects.filter(pk=application.pk).update(jury=jury)
    application.jury = jury
    application_transition(
        application=application,
        target=Status.PRESENTED,
        actor_user=actor,
        expected_version=expected_version,
        note=_("Presented to the admission jury of %(date)s") % {"date": jury.sits_on},
    )
    on = presented_on or jury.sits_on
    Application.objects.filter(pk=application.pk).update(presented_on=on)
    return _reload(application)


@transaction.atomic
def application_decide(
    *,
    application: Application,
    decision: Status,
    actor: User,
    expected_version: int,
    note: str = "",
    decided_on: date | None = None,
) -> Application:
    """The admission jury's decision on a presented (or waitlisted) file: admitted,
    waitlisted or refused. The candidate gets the decision letter by e-mail once the
    decision is saved."""
    if decision not in DECISIONS:
        raise DomainError(
            _("A decision is admitted, waitlisted or refused."), code="not_a_decision"
        )
    application_transition(
        application=application,
        target=decision,
        actor_user=actor,
        expected_version=expected_version,
        note=note,
    )
    changes: dict[str, Any] = {"decision_note": note.strip()}
    if decided_on is not None:
        changes["decided_on"] = decided_on
    Application.objects.filter(pk=application.pk).update(**changes)
    application = _reload(application)
    application_id = application.pk
    transaction.on_commit(lambda: decision_notify(application_id=application_id))
    return application


@dataclass(frozen=True)
class DecisionRow:
    """One row of a batch decision: the file, the decision, the version the decider saw."""

    application_id: int
    decision: str
    version: int
    note: str = ""


@dataclass(frozen=True)
class DecisionResult:
    application_id: int
    ok: bool
    message: str
    status: str = ""


def applications_decide_batch(
    *, jury: AdmissionJury, rows: Sequence[DecisionRow], actor: User
) -> list[DecisionResult]:
    """Decide several files of a jury at once. Each file is decided in its own transaction,
    so one conflict (another decider was faster) or one refused move does not lose the
    others: the result says, row by row, what was saved and what failed and why. Rows with no
    decision are left alone."""
    wanted = [r for r in rows if r.decision]
    found = {
        a.pk: a
        for a in Application.objects.filter(
            jury=jury, pk__in=[r.application_id for r in wanted]
        ).select_related("candidate")
    }
    results: list[DecisionResult] = []
    for row in wanted:
        application = found.get(row.application_id)
        if application is None:
            results.append(
                DecisionResult(
                    row.application_id, False, _("This file is not presented to this jury.")
                )
            )
            continue
        try:
            decision = Status(row.decision)
        except ValueError:
            decision = None
        try:
            if decision is None:
                raise DomainError(
                    _("A decision is admitted, waitlisted or refused."), code="not_a_decision"
                )
            decided = application_decide(
                application=application,
                decision=decision,
                actor=actor,
                expected_version=row.version,
                note=row.note,
            )
        except DomainError as error:
            results.append(DecisionResult(row.application_id, False, error.message))
        else:
            results.append(
                DecisionResult(row.application_id, True, _("Saved."), status=decided.status)
            )
    return results


# --- decision letters by e-mail ------------------------------------------------------------


def decision_notify(*, application_id: int) -> bool:
    """E-mail the candidate her decision letter (PDF attached), in her language. Called once
    the decision is committed; a mail failure is logged, it does not undo the decision."""
    application = (
        Application.objects.select_related(
            "candidate", "edition__programme", "year", "campus", "specialisation"
        )
        .filter(pk=application_id)
        .first()
    )
    if application is None or not application.candidate.email:
        return False
    language = letters.letter_language(application)
    with translation.override(language):
        subject = _("Your application: the admission jury's decision")
        body = letters.letter_text(application)
    pdf = letters.letter_pdf(application)
    message = EmailMessage(subject=subject, body=body, to=[application.candidate.email])
    message.attach(letters.letter_filename(application), pdf, "application/pdf")
    try:
        message.send()
    except Exception:  # the decision stands; the mail can be sent again
        logger.exception("decision letter for application %s not sent", application_id)
        return False
    audit_record(
        action=Action.DECISION_NOTIFY,
        target_type="admissions.application",
        target_id=str(application_id),
        summary=f"decision letter sent ({language})",
    )
    return True
