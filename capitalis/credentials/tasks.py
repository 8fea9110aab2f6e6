"""Celery tasks of the credentials app: batch issuance after a jury session (issue 6 point 5).

``issue_session_credentials(session_id)`` fans out one sub-task per learner; each calls the
idempotent service, so a worker killed midway and a rerun issue each credential exactly once. In
the embedded default (no broker) the tasks run in-process, eagerly.
"""

from __future__ import annotations

from collections import defaultdict

from celery import shared_task

from capitalis.accounts.models import User
from capitalis.credentials import queries, services

# Imported here so a Celery worker (autodiscover_tasks finds ``tasks`` modules only) registers
# the PDF task too.
from capitalis.credentials.tasks_documents import issue_session_documents


def _items_by_learner(
    session_id: int, learner_ids: list[int] | None = None
) -> dict[int, list[queries.Issuable]]:
    items = queries.block_issuables(
        session_id=session_id, learner_ids=learner_ids
    ) + queries.certification_issuables(session_id=session_id, learner_ids=learner_ids)
    grouped: dict[int, list[queries.Issuable]] = defaultdict(list)
    for item in items:
        if not item.refusals:
            grouped[item.learner_id].append(item)
    return grouped


@shared_task(acks_late=True)
def issue_learner_credentials(session_id: int, learner_id: int, actor_id: int | None = None) -> int:
    """Issue one learner's credentials of the session (blocks, then the certification)."""
    items = _items_by_learner(session_id, [learner_id]).get(learner_id, [])
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return len(services.credentials_issue(items, actor=actor))


@shared_task(acks_late=True)
def issue_session_credentials(session_id: int, actor_id: int | None = None) -> int:
    """Issue every credential a closed session allows: one sub-task per learner; then the PDFs
    when the documents task exists. Returns the number of learners dispatched."""
    learners = sorted(queries.session_learner_ids(session_id=session_id))
    for learner_id in learners:
        issue_learner_credentials.delay(session_id, learner_id, actor_id)
    issue_session_documents.delay(session_id)
    return len(learners)
