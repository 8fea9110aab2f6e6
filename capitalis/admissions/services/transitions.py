"""The status machine: ``application_transition``, the single service that moves an
application (the transition table, the authorised roles, the version check), used by every
other part, the jury's and enrolment's included."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.admissions import rules
from capitalis.admissions.models import STATUS_LABELS, Application, ApplicationTransition
from capitalis.admissions.queries import actors_for
from capitalis.core import clock, events
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.core.text import clean_text


def _status_label(status: rules.Status) -> str:
    return str(STATUS_LABELS[status])


def _checked_move(
    *,
    application: Application,
    target: rules.Status | str,
    actor_user: User | None,
    expected_version: int,
    also_as: frozenset[rules.Actor],
) -> tuple[rules.Status, rules.Status]:
    """The move (current status, target status) once it is known to be allowed: the target
    exists, the file was not changed meanwhile, the table has the move, and one of the roles
    ``actor_user`` holds on the file (or ``also_as``) may make it."""
    try:
        target_status = rules.Status(target)
    except ValueError:
        raise DomainError(_("Unknown status."), code="not_in_table") from None
    row = Application.objects.filter(pk=application.pk).values_list("status", "version").first()
    if row is None:
        raise DomainError(_("This application no longer exists."), code="missing")
    current, version = rules.Status(row[0]), row[1]
    if version != expected_version:
        raise _conflict()
    labels = {"current": _status_label(current), "target": _status_label(target_status)}
    if (current, target_status) not in rules.TRANSITIONS:
        raise DomainError(
            _("An application cannot go from “%(current)s” to “%(target)s”.") % labels,
            code="not_in_table",
        )
    actors = actors_for(user=actor_user, application=application) | also_as
    if not any(rules.can_transition(current, target_status, a).ok for a in actors):
        raise DomainError(
            _("You are not allowed to move this application from “%(current)s” to “%(target)s”.")
            % labels,
            code="not_authorised",
        )
    return current, target_status


def _changes(target_status: rules.Status, note: str) -> dict[str, Any]:
    """The columns the move sets: the status, the next version and the dates and notes that
    go with the target."""
    today = clock.today()
    changes: dict[str, Any] = {
        "status": target_status.value,
        "version": F("version") + 1,
        "updated_at": clock.now(),
    }
    if target_status is rules.Status.SUBMITTED:
        changes["submitted_at"] = clock.now()
    if target_status is rules.Status.PRESENTED:
        changes["presented_on"] = today
    if target_status in rules.DECISIONS:
        changes["decided_on"] = Coalesce(F("decided_on"), Value(today))
        if note:
            changes["decision_note"] = note
    if target_status is rules.Status.MANUAL_REVIEW:
        changes["manual_review_note"] = note
    return changes


# The fields a move may change, copied back onto the caller's object.
_MOVED_FIELDS = (
    "status",
    "version",
    "submitted_at",
    "presented_on",
    "decided_on",
    "manual_review_note",
    "decision_note",
    "updated_at",
)


@transaction.atomic
def application_transition(
    *,
    application: Application,
    target: rules.Status | str,
    actor_user: User | None,
    expected_version: int,
    note: str = "",
    also_as: frozenset[rules.Actor] = frozenset(),
) -> Application:
    """Move ``application`` to ``target`` if the transition table allows it for the roles
    ``actor_user`` holds on it (None: the system), or for ``also_as``: a role the calling
    service has established for this one move (an interviewer of the file's slot records the
    interview as the jury would). The update is conditional on
    ``expected_version``: when someone else changed the file meanwhile, nothing is saved and a
    :class:`DomainError` (code ``conflict``) says so. Writes the transition (who, when, note) and
    an audit record; sets ``presented_on`` / ``decided_on``. Returns the fresh application."""
    current, target_status = _checked_move(
        application=application,
        target=target,
        actor_user=actor_user,
        expected_version=expected_version,
        also_as=also_as,
    )
    updated = Application.objects.filter(
        pk=application.pk, version=expected_version, status=current.value
    ).update(**_changes(target_status, note))
    if updated == 0:
        raise _conflict()
    fresh = Application.objects.get(pk=application.pk)
    Application.history.bulk_history_create(  # type: ignore[attr-defined]
        [fresh], update=True, default_user=actor_user, default_change_reason=note[:100]
    )
    ApplicationTransition.objects.create(
        application=fresh,
        from_status=current.value,
        to_status=target_status.value,
        by=actor_user,
        note=note,
    )
    audit_record(
        action=Action.APPLICATION_TRANSITION,
        actor=actor_user,
        target=fresh,
        summary=f"{current.value} → {target_status.value}",
        data={"from": current.value, "to": target_status.value, "note": note},
    )
    if target_status is rules.Status.SUBMITTED:
        # followers (finance: the application-fee invoice) run once this is committed
        events.publish(events.APPLICATION_SUBMITTED, application_id=fresh.pk)
    for name in _MOVED_FIELDS:  # keep the caller's object in step
        setattr(application, name, getattr(fresh, name))
    return fresh


def _conflict() -> DomainError:
    return DomainError(
        _(
            "This application was changed by someone else meanwhile; nothing was saved. "
            "Reload it and decide again."
        ),
        code="conflict",
    )


@transaction.atomic
def application_send_to_manual_review(
    *, application: Application, actor_user: User, expected_version: int, note: str
) -> Application:
    """Admissions staff send a file (submitted or ineligible) to manual review, with a note
    (e.g. a foreign degree's equivalence to check)."""
    note = clean_text(note)
    if not note:
        raise DomainError(_("Say why the file needs a manual review."), code="note_required")
    return application_transition(
        application=application,
        target=rules.Status.MANUAL_REVIEW,
        actor_user=actor_user,
        expected_version=expected_version,
        note=note.strip(),
    )
