"""Reads of the shared kernel: a person's background jobs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from capitalis.core.models import JOB_ACTIVE, Job, JobStatus


def job_list_for(*, user: Any) -> QuerySet[Job]:
    """The jobs the person asked for, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(user=user).order_by("-created_at", "-pk")


def job_for(*, user: Any, pk: int) -> Job | None:
    """One job, if the person asked for it (a superuser: any job); None otherwise."""
    if not getattr(user, "is_authenticated", False):
        return None
    jobs = Job.objects.all() if user.is_superuser else Job.objects.filter(user=user)
    return jobs.filter(pk=pk).first()


def job_file_for(*, user: Any, pk: int) -> Job | None:
    """The finished job whose file the person may download: her own only (a superuser too
    gets only hers: an export holds what its requester could read), done, with a file."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Job.objects.filter(pk=pk, user=user, status=JobStatus.DONE).exclude(file="").first()


def has_jobs(*, user: Any) -> bool:
    """Whether the person asked for any background job (the navigation's link)."""
    return job_list_for(user=user).exists()


def job_existing(*, key: str, once: bool = False) -> Job | None:
    """The queued or running job with this idempotency key (with ``once``, or the latest one
    that finished well), if any."""
    if not key:
        return None
    statuses = [*JOB_ACTIVE, JobStatus.DONE] if once else list(JOB_ACTIVE)
    return Job.objects.filter(key=key, status__in=statuses).order_by("-created_at", "-pk").first()
