"""Celery tasks of the jury app (issue 13 point 10): closing a session runs as a background job
(the minutes PDF takes a few seconds). The job wraps the one-transaction ``session_close``:
either the session is closed with its signed minutes, or the job fails with the reason and
nothing changed. With ``CELERY_BROKER_URL`` unset the task runs in-process (eagerly)."""

from __future__ import annotations

from celery import shared_task
from django.urls import reverse
from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError
from capitalis.core.models import Job
from capitalis.core.services import JobOutcome, job_progress, job_run
from capitalis.jury import services
from capitalis.jury.models import JurySession


def close_job_key(session_id: int) -> str:
    """The idempotency key of closing the session: one close job per session."""
    return f"close-session:{session_id}"


@shared_task(acks_late=True)
def session_close_job(
    job_id: int, session_id: int, pending: str = "", move_to_id: int | None = None
) -> None:
    """Close the session as the job's requester (see ``services.session_close``)."""

    def work(job: Job) -> JobOutcome:
        session = JurySession.objects.filter(pk=session_id).first()
        if session is None or job.user is None:
            raise DomainError(_("This jury session does not exist."), code="not_found")
        move_to = JurySession.objects.filter(pk=move_to_id).first() if move_to_id else None
        job_progress(job_id=job.pk, done=0, total=1)
        if (
            session.is_closed
            and job.started_at
            and session.closed_at
            and (session.closed_at >= job.started_at)
        ):  # delivered again after a worker closed it and died before recording the outcome
            closed = session
        else:
            closed = services.session_close(
                session=session, actor=job.user, pending=pending, move_to=move_to
            )
        return JobOutcome(
            message=_("The session is closed; the minutes are signed and frozen."),
            result={"session": closed.pk, "minutes_sha256": closed.minutes_sha256},
            url=reverse("jury:verify", args=[closed.pk]),
        )

    job_run(job_id, work)
