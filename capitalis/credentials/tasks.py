"""Celery tasks of the credentials app: batch issuance after a jury session (issue 6 point 5).

``issue_session_credentials(session_id)`` fans out one sub-task per learner; each calls the
idempotent service, so a worker killed midway and a rerun issue each credential exactly once. In
the embedded default (no broker) the tasks run in-process, eagerly.

``session_issue_job`` and ``session_transcripts_job`` do the same for a person on the session's
page, as background jobs (issue 13 point 10): learner by learner, with their progress on the
job's page, then its outcome.
"""

from __future__ import annotations

from collections import defaultdict

from celery import shared_task
from django.urls import reverse
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.core.models import Job
from capitalis.core.services import JobOutcome, job_progress, job_run
from capitalis.credentials import queries, services
from capitalis.credentials.models import Credential, DocumentKind
from capitalis.credentials.services_documents import document_issue, documents_issue_for_decision

# Imported here so a Celery worker (autodiscover_tasks finds ``tasks`` modules only) registers
# the PDF task too.
from capitalis.credentials.tasks_documents import (
    current_decisions,
    frozen_session,
    issue_session_documents,
)


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


def issue_job_key(session_id: int) -> str:
    """The idempotency key of issuing a session's credentials and PDFs."""
    return f"issue-credentials:{session_id}"


def transcripts_job_key(session_id: int) -> str:
    """The idempotency key of issuing a session's ECTS transcripts."""
    return f"issue-transcripts:{session_id}"


@shared_task(acks_late=True)
def session_issue_job(job_id: int, session_id: int) -> None:
    """Issue every credential and PDF a closed session allows, as the job's requester: one
    step per learner's credentials, then one per learner's documents (each idempotent, in its
    own transaction: a rerun after a failure issues only what is missing)."""

    def work(job: Job) -> JobOutcome:
        frozen_session(session_id)
        learners = sorted(queries.session_learner_ids(session_id=session_id))
        decisions = list(current_decisions(session_id))
        total = len(learners) + len(decisions)
        job_progress(job_id=job.pk, done=0, total=total)
        before = Credential.objects.filter(session_id=session_id).count()
        done = 0
        for learner_id in learners:
            items = _items_by_learner(session_id, [learner_id]).get(learner_id, [])
            services.credentials_issue(items, actor=job.user)
            done += 1
            job_progress(job_id=job.pk, done=done)
        documents = 0
        for decision in decisions:
            documents += len(documents_issue_for_decision(decision, actor=job.user))
            done += 1
            job_progress(job_id=job.pk, done=done)
        after = Credential.objects.filter(session_id=session_id).count()
        message = _("%(count)s credential(s) issued; %(total)s in all for this session.") % {
            "count": after - before,
            "total": after,
        }
        message += " " + _("%(count)s document(s) held by the session's learners.") % {
            "count": documents
        }
        return JobOutcome(
            message=message,
            result={
                "credentials_issued": after - before,
                "credentials": after,
                "documents": documents,
                "learners": len(learners),
            },
            url=reverse("credentials:session", args=[session_id]),
        )

    job_run(job_id, work)


@shared_task(acks_late=True)
def session_transcripts_job(job_id: int, session_id: int) -> None:
    """Issue the ECTS transcript of every learner of a closed session, as the job's requester
    (one step per learner; idempotent)."""

    def work(job: Job) -> JobOutcome:
        frozen_session(session_id)
        decisions = list(current_decisions(session_id).select_related("enrolment"))
        job_progress(job_id=job.pk, done=0, total=len(decisions))
        for done, decision in enumerate(decisions, start=1):
            document_issue(DocumentKind.TRANSCRIPT, enrolment=decision.enrolment, actor=job.user)
            job_progress(job_id=job.pk, done=done)
        return JobOutcome(
            message=_("%(count)s transcript(s) held by the session's learners.")
            % {"count": len(decisions)},
            result={"transcripts": len(decisions)},
            url=reverse("credentials:session", args=[session_id]) + "#transcripts",
        )

    job_run(job_id, work)
