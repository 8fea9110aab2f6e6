"""Closing a session (president): the refusals, the background job, the signed minutes frozen by
their SHA-256, the capitalised blocks; and the verification of the minutes afterwards. Once a
session is closed every write on it is refused (``closed``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import Job, audit_record
from capitalis.core.queries import job_existing
from capitalis.core.services import job_start
from capitalis.jury import queries, rules
from capitalis.jury.models import (
    Appeal,
    BlockDecision,
    BlockStatus,
    BlockValidation,
    JurySession,
    Route,
    SessionStatus,
    VaeDossier,
)
from capitalis.jury.services._common import _closed_error, _lock_open, _refuse, _require_president
from capitalis.jury.services.mails import session_notify


def _close_refusals(
    *,
    session: JurySession,
    actor: User,
    today: date,
    pending: str,
    move_to: JurySession | None,
) -> tuple[rules.PendingChoice | None, queries.Pending]:
    """Raise the ``DomainError`` that refuses closing ``session`` now, if any; else the choice
    for its undecided cases and those cases."""
    _require_president(actor, session)
    if pending not in {"", *(c.value for c in rules.PendingChoice)}:
        raise DomainError(_("Unknown choice for the pending cases."), code="pending")
    choice = rules.PendingChoice(pending) if pending else None
    undecided = queries.session_pending(session=session)
    if (
        choice is rules.PendingChoice.MOVE
        and move_to is not None
        and not queries.later_open_sessions(session=session).filter(pk=move_to.pk).exists()
    ):
        raise DomainError(
            _("The pending cases can only move to a later open session of this version."),
            code="move_to",
        )
    _refuse(
        rules.session_closable(
            session_date=session.date,
            today=today,
            pending_vae=len(undecided.vae_dossiers),
            pending_appeals=len(undecided.appeals),
            choice=choice,
            has_target=move_to is not None,
        )
    )
    if not BlockDecision.objects.filter(session=session).exists():
        raise DomainError(
            _("Deliberate before closing: this session has no decision yet."),
            code="not_deliberated",
        )
    return choice, undecided


def session_close_check(
    *,
    session: JurySession,
    actor: User,
    today: date | None = None,
    pending: str = "",
    move_to: JurySession | None = None,
) -> None:
    """Raise the ``DomainError`` that ``session_close`` would raise now, writing nothing: the
    close page and API check this before starting the background job, so that a refusal is
    shown at the form. ``session_close`` checks again under its lock."""
    if session.is_closed:
        raise _closed_error()
    _close_refusals(
        session=session,
        actor=actor,
        today=today or clock.today(),
        pending=pending,
        move_to=move_to,
    )


def session_close_start(
    *,
    session: JurySession,
    actor: User,
    pending: str = "",
    move_to: JurySession | None = None,
) -> Job:
    """Start closing the session as a background job (``session_close`` in the task; issue 13
    point 10) and return the job to follow. Asked again (a reload, a double click, a second
    tab) while it runs or once it closed the session, the same job is returned and nothing
    else happens. A refusal (not the president, before the date, pending cases without a
    choice…) is raised here, before any job starts."""
    from capitalis.jury.tasks import close_job_key, session_close_job

    _require_president(actor, session)
    key = close_job_key(session.pk)
    existing = job_existing(key=key, once=True)
    if existing is not None:
        return existing
    session_close_check(session=session, actor=actor, pending=pending, move_to=move_to)
    return job_start(
        kind="jury.session_close",
        key=key,
        user=actor,
        task=session_close_job,
        args=[session.pk, pending, move_to.pk if move_to is not None else None],
        title=_("Closing the jury session “%(title)s”") % {"title": session.title},
        total=1,
        once=True,
    )


@transaction.atomic
def session_close(
    *,
    session: JurySession,
    actor: User,
    today: date | None = None,
    pending: str = "",
    move_to: JurySession | None = None,
) -> JurySession:
    """Close the session (president only, not before its date: ``rules.session_closable``):
    the minutes (procès-verbal) are rendered as a PDF listing every decision, signed by the
    president (this recorded action), stored through the storage API and frozen by the SHA-256
    of their bytes. Validated blocks become capitalised ``BlockValidation`` rows (route
    training). Learners are notified after the commit.

    VAE dossiers and appeals the session holds undecided are never dropped silently: closing
    is refused unless ``pending`` says what becomes of them: ``move`` to ``move_to`` (a later
    open session of the version, whose jury then holds the interview or decides the appeal) or
    ``leave`` them pending (a VAE candidate stays visibly pending and can join a new session;
    an appeal waits for one). Either way the list is recorded in the minutes and the audit."""
    from capitalis.jury.minutes import minutes_pdf

    today = today or clock.today()
    session = _lock_open(session)
    choice, undecided = _close_refusals(
        session=session, actor=actor, today=today, pending=pending, move_to=move_to
    )
    left = undecided.as_list()
    if undecided and choice is rules.PendingChoice.MOVE and move_to is not None:
        VaeDossier.objects.filter(pk__in=[d.pk for d in undecided.vae_dossiers]).update(
            session=move_to, interview_on=None, updated_at=clock.now()
        )
        Appeal.objects.filter(pk__in=[a.pk for a in undecided.appeals]).update(
            scheduled_in=move_to, updated_at=clock.now()
        )
        for item in left:
            item["moved_to"] = move_to.pk
    elif undecided:
        # left pending: the VAE dossier keeps this (closed) session as its last one, shown as
        # "closed without a decision"; the appeal waits for a later session
        Appeal.objects.filter(pk__in=[a.pk for a in undecided.appeals]).update(
            scheduled_in=None, updated_at=clock.now()
        )
    session.pending_at_close = left
    now = clock.now()
    session.status = SessionStatus.CLOSED
    session.closed_at = now
    session.signed_by = actor
    pdf = minutes_pdf(session=session, signed_by=actor, signed_at=now)
    digest = hashlib.sha256(pdf).hexdigest()
    session.minutes_pdf.save(
        f"minutes-{session.pk}-{digest[:12]}.pdf", ContentFile(pdf), save=False
    )
    session.minutes_sha256 = digest
    session.version_counter = F("version_counter") + 1
    session.save()
    session.refresh_from_db()
    _capitalise(session)
    audit_record(
        action=Action.JURY_SESSION_SIGN,
        actor=actor,
        target=session,
        summary=_("Minutes signed by the president"),
        data={
            "sha256": digest,
            "signed_at": now.isoformat(),
            "pending": left,
            "pending_choice": pending,
        },
    )
    session_id = session.pk
    transaction.on_commit(lambda: session_notify(session_id=session_id))
    return session


def _capitalise(session: JurySession) -> None:
    """Record every block this session validated that the learner did not hold already."""
    rows = list(
        BlockDecision.objects.filter(session=session).values_list(
            "pk", "enrolment__learner_id", "block_id", "computed_status", "override_status"
        )
    )
    learner_ids = {r[1] for r in rows}
    held = set(
        BlockValidation.objects.filter(learner_id__in=learner_ids).values_list(
            "learner_id", "block_id"
        )
    )
    new = []
    for pk, learner_id, block_id, computed, override in rows:
        if (override or computed) != BlockStatus.VALIDATED or (learner_id, block_id) in held:
            continue
        held.add((learner_id, block_id))
        new.append(
            BlockValidation(
                learner_id=learner_id,
                block_id=block_id,
                version_id=session.version_id,
                validated_on=session.date,
                session=session,
                decision_id=pk,
                route=Route.TRAINING,
            )
        )
    BlockValidation.objects.bulk_create(new)


@dataclass(frozen=True)
class MinutesCheck:
    """The outcome of a minutes verification."""

    ok: bool
    stored: str
    computed: str
    message: str


def minutes_verify(*, session: JurySession) -> MinutesCheck:
    """Recompute the SHA-256 of the stored minutes and compare it with the frozen hash."""
    if not session.is_closed or not session.minutes_sha256 or not session.minutes_pdf:
        return MinutesCheck(False, "", "", _("This session has no frozen minutes yet."))
    try:
        with session.minutes_pdf.open("rb") as handle:
            computed = hashlib.sha256(handle.read()).hexdigest()
    except FileNotFoundError:
        return MinutesCheck(
            False, session.minutes_sha256, "", _("The minutes file is missing from storage.")
        )
    ok = computed == session.minutes_sha256
    message = (
        _("The minutes are intact: their hash matches the one frozen at closing.")
        if ok
        else _(
            "The minutes have been altered: their hash does not match the one frozen at closing."
        )
    )
    return MinutesCheck(ok, session.minutes_sha256, computed, message)
