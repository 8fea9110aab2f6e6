"""Celery tasks of the référentiel (issue 13 point 10): a national register import runs as a
background job, its progress counted in fiches. The job reads the upload kept privately by
``services.register_upload_keep`` and deletes it once read, whatever the outcome; the import
itself is the one-transaction ``services.register_import``: either every fiche is written, or
the job fails with the reason (element and line) and nothing changed. With
``CELERY_BROKER_URL`` unset the task runs in-process (eagerly)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import IO

from celery import shared_task
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError
from capitalis.core.models import Job
from capitalis.core.services import JobOutcome, job_progress, job_run
from capitalis.referential import services

PROGRESS_EVERY = 2.0  # seconds between two progress reports at most
_CHUNK = 1 << 20


def import_job_key(name: str) -> str:
    """The idempotency key of importing one kept upload: one job per upload."""
    return f"register-import:{name}"


def count_fiches(handle: IO[bytes]) -> int:
    """How many ``FICHE`` elements a register file holds (its opening tags counted in the
    bytes, a fraction of a parse's time): the job's total. The handle is left at the start."""
    count = 0
    tail = b""
    while chunk := handle.read(_CHUNK):
        data = tail + chunk
        count += data.count(b"<FICHE>") + data.count(b"<FICHE ")
        tail = data[-6:]  # a tag cut by the chunk's end, never counted twice (7 bytes long)
    handle.seek(0)
    return count


def _progress_reporter(job_id: int) -> Callable[[int], None] | None:
    """What tells the job how many fiches are written, while the import's transaction is
    open: a short-lived connection of another thread (what the import's own connection writes
    is seen only when it commits). None on SQLite, whose one writer is then the import: its
    job shows the total when it starts and all done when it ends."""
    if connection.vendor == "sqlite":
        return None
    last = 0.0

    def write(done: int) -> None:
        try:
            job_progress(job_id=job_id, done=done)
        finally:
            connection.close()  # this thread's connection

    def report(done: int) -> None:
        nonlocal last
        if time.monotonic() - last < PROGRESS_EVERY:
            return
        last = time.monotonic()
        thread = threading.Thread(target=write, args=(done,), name="register-import-progress")
        thread.start()
        thread.join()

    return report


@shared_task(acks_late=True)
def register_import_job(job_id: int, name: str) -> None:
    """Import the kept upload ``name`` as the job's requester (``services.register_import``)."""

    def work(job: Job) -> JobOutcome:
        if not default_storage.exists(name):
            raise DomainError(
                _("The uploaded register file is no longer available: upload it again."),
                code="not_found",
            )
        try:
            with default_storage.open(name, "rb") as handle:
                job_progress(job_id=job.pk, done=0, total=count_fiches(handle))
                report = services.register_import(
                    path=handle, actor=job.user, progress=_progress_reporter(job.pk)
                )
        finally:
            default_storage.delete(name)
        return JobOutcome(
            message=_(
                "%(fiches)s fiches read: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged; %(blocks)s blocks; %(crosswalks)s crosswalks."
            )
            % {
                "fiches": report.fiches,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "blocks": report.blocks,
                "crosswalks": report.crosswalks,
            },
            result={
                "fiches": report.fiches,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "blocks": report.blocks,
                "crosswalks": report.crosswalks,
                "created_codes": report.created_codes,
                "updated_codes": report.updated_codes,
            },
            url=reverse("referential:certification-list"),
        )

    job_run(job_id, work)
