"""Batch issuance of the PDFs after a jury session (SPEC §7; issue 6 point 5): for every learner of
a CLOSED session, the certificate (certified) or the attestation of validated blocks (partially
certified), and the decision letter, in the learner's language.

Idempotent: each learner's documents are issued in one transaction keyed by their
``issuance_key``, so a worker killed in the middle and a rerun give each document exactly once.
With ``CELERY_BROKER_URL`` unset the task runs in-process (eagerly).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.core.exceptions import DomainError
from capitalis.credentials.models import DocumentKind
from capitalis.credentials.services_documents import document_issue, documents_issue_for_decision
from capitalis.jury.models import CertificationDecision, JurySession

logger = logging.getLogger(__name__)


def frozen_session(session_id: int) -> JurySession:
    session = JurySession.objects.filter(pk=session_id).first()
    if session is None:
        raise DomainError(_("This jury session does not exist."), code="not_found")
    if not session.is_closed or not session.minutes_sha256:
        raise DomainError(
            _(
                "Documents are issued only from a frozen jury decision: the session "
                "“%(title)s” is not closed (its minutes are not signed) yet."
            )
            % {"title": session.title},
            code="not_frozen",
        )
    return session


def current_decisions(session_id: int) -> Any:
    """The session's decisions that no later session corrected."""
    return (
        CertificationDecision.objects.filter(session_id=session_id)
        .exclude(corrections__isnull=False)
        .order_by("pk")
    )


def session_documents_issue(*, session_id: int, actor: Any = None) -> int:
    """Issue the documents of every learner of the closed session ``session_id``; returns how
    many documents the session's learners hold afterwards (issued now or before)."""
    frozen_session(session_id)
    total = 0
    for decision in current_decisions(session_id):
        total += len(documents_issue_for_decision(decision, actor=actor))
    return total


def session_transcripts_issue(*, session_id: int, actor: Any = None) -> int:
    """Issue the ECTS transcript of every learner of the closed session ``session_id`` (each
    in her language; idempotent, one transaction per learner). ``actor`` must be a programme
    director or the session's president (None: the system). Returns how many transcripts the
    session's learners hold afterwards (issued now or before)."""
    session = frozen_session(session_id)
    if actor is not None and not permissions.can(actor, "manage", "jury_session", session).ok:
        raise DomainError(
            _("Only a programme director or the president of the jury may issue a transcript."),
            code="not_authorised",
        )
    total = 0
    for decision in current_decisions(session_id).select_related("enrolment"):
        # checked above for the whole session; the actor is recorded in each document's audit
        document_issue(DocumentKind.TRANSCRIPT, enrolment=decision.enrolment, actor=actor)
        total += 1
    return total


@shared_task(name="capitalis.credentials.issue_session_documents")
def issue_session_documents(session_id: int) -> int:
    """Celery entry point: load by id, call the service (see ``session_documents_issue``)."""
    count = session_documents_issue(session_id=session_id)
    logger.info("jury session %s: %s documents", session_id, count)
    return count


@shared_task(name="capitalis.credentials.issue_session_transcripts")
def issue_session_transcripts(session_id: int, actor_id: int | None = None) -> int:
    """Celery entry point: the ECTS transcripts of a closed session (see
    ``session_transcripts_issue``)."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    count = session_transcripts_issue(session_id=session_id, actor=actor)
    logger.info("jury session %s: %s transcripts", session_id, count)
    return count
