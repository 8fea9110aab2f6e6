"""Writes of the shared kernel.

Sections: shipped data loading (``data_load``); background jobs (``job_start``,
``job_progress``, ``job_finish``, ``job_fail`` and ``job_run``, the wrapper a task runs its work
in; ``job_files_clean`` deletes the old files of export jobs).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePath
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.text import get_valid_filename
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.data import (
    CREATED,
    DELETED,
    UNCHANGED,
    UPDATED,
    LoadCounts,
    data_files,
    default_data_dir,
    discover_loaders,
)
from capitalis.core.exceptions import DomainError
from capitalis.core.models import Job, JobStatus, audit_record, job_file_path
from capitalis.core.queries import job_existing

logger = logging.getLogger(__name__)

# --- shipped data loading ----------------------------------------------------------------


@dataclass
class DataLoadReport:
    """What a load did: the files read and the row counts, per loader."""

    files: list[str] = field(default_factory=list)
    counts: dict[str, LoadCounts] = field(default_factory=dict)

    def total(self, status: str) -> int:
        return sum(c.total(status) for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.counts.values())

    def summary(self) -> dict[str, int]:
        return {s: self.total(s) for s in (CREATED, UPDATED, UNCHANGED, DELETED)}


@transaction.atomic
def data_load(*, data_dir: Path | None = None, actor: Any = None) -> DataLoadReport:
    """Load every shipped data file under ``data_dir`` (default ``data/``), app by app in
    pipeline order, idempotently: rows are upserted by natural key, only differing rows are
    written, rows of a loaded version that the file no longer has are deleted.

    Every file is parsed and validated before anything is written; on any error
    (:class:`~capitalis.core.data.DataFileError`) nothing is written. One audit event records
    a load that changed something; a load that changes nothing writes nothing at all."""
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    loaders = discover_loaders()
    parsed: list[tuple[str, list[Any]]] = []
    report = DataLoadReport()
    for loader in loaders:
        paths = data_files(root / loader.directory)
        parsed.append((loader.name, [loader.parse(p) for p in paths]))
        report.files.extend(str(p) for p in paths)
    for loader, (_name, documents) in zip(loaders, parsed, strict=True):
        report.counts[loader.name] = loader.apply(documents) if documents else LoadCounts()
    if report.changed:
        audit_record(
            action=Action.DATA_LOAD,
            actor=actor,
            target_type="data",
            target_id=str(root.name),
            summary="Shipped data loaded: {created} created, {updated} updated, "
            "{deleted} deleted, {unchanged} unchanged".format(**report.summary()),
            data={
                "files": [Path(f).name for f in report.files],
                "counts": {name: c.as_dict() for name, c in report.counts.items()},
            },
        )
    return report


# --- background jobs ----------------------------------------------------------------------


@dataclass(frozen=True)
class JobOutcome:
    """What a job's work returns: a sentence for the person (in her language), a summary for
    programs, and where to see the result."""

    message: str
    result: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    #: a file the job made (an export): its name and content, kept in the private storage;
    #: the job's ``result_url`` is then its download address unless ``url`` says otherwise
    file_name: str = ""
    file_content: bytes | None = None


def job_start(
    *,
    kind: str,
    key: str,
    user: Any,
    task: Any,
    args: Sequence[Any] = (),
    title: str = "",
    total: int = 0,
    once: bool = False,
    back_url: str = "",
) -> Job:
    """Record a job and hand it to the Celery ``task`` (called as ``task.delay(job.pk,
    *args)``); returns the job to show. Idempotent by ``key``: while a job with the same key is
    queued or running (a reload, a double click, a second tab) that job is returned and
    nothing new starts; with ``once`` a job that finished well is returned too (an action done
    once for good, like closing a session). Call it outside any transaction: the task is handed
    over after the job row is committed, so a worker finds it. Without a broker the task runs
    right here, before this returns. ``back_url`` is the page to go back to should the job
    fail (its ``result_url`` until it is done)."""
    existing = job_existing(key=key, once=once)
    if existing is not None:
        return existing
    person = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                key=key,
                title=title[:300],
                user=person,
                total=max(0, total),
                result_url=back_url[:500],
                language=(get_language() or "fr")[:10],
            )
            audit_record(
                action=Action.JOB_START,
                actor=user,
                target=job,
                summary=title or kind,
                data={"kind": kind, "key": key, "args": [str(a) for a in args]},
            )
    except IntegrityError:  # the same key started by a concurrent request: show that one
        existing = job_existing(key=key, once=once)
        if existing is None:
            raise
        return existing
    try:
        task.delay(job.pk, *args)
    except Exception:  # the broker refused it: the job says so instead of waiting forever
        logger.exception("job %s could not be queued", job.pk)
        job_fail(job_id=job.pk, message=_("The task could not be queued; try again later."))
    job.refresh_from_db()
    return job


def job_progress(*, job_id: int, done: int, total: int | None = None) -> None:
    """Record how far a running job is: ``done`` steps of ``total`` (unchanged when None)."""
    values: dict[str, Any] = {"done": max(0, done)}
    if total is not None:
        values["total"] = max(0, total)
        values["done"] = min(values["done"], values["total"]) if total else values["done"]
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(**values)


def job_step(*, job_id: int, steps: int = 1) -> None:
    """Add ``steps`` to a running job's progress (from parallel sub-tasks: one statement, no
    lost update), never past its total."""
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING, done__lt=F("total")).update(
        done=F("done") + steps
    )


def _job_end(job_id: int, status: str, values: dict[str, Any], summary: str) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        job.status = status
        job.finished_at = clock.now()
        for name, value in values.items():
            setattr(job, name, value)
        if status == JobStatus.DONE and job.total:
            job.done = job.total
        job.save()
        audit_record(
            action=Action.JOB_DONE if status == JobStatus.DONE else Action.JOB_FAILED,
            actor=job.user,
            target=job,
            summary=summary,
            data={"kind": job.kind, "key": job.key, "message": job.message},
        )
    return job


def _job_file_save(job_id: int, name: str, content: bytes) -> str:
    """Store a job's file in the private storage; returns its storage name."""
    job = Job(pk=job_id)
    try:
        safe = get_valid_filename(PurePath(name.replace("\\", "/")).name)[-100:]
    except SuspiciousFileOperation:
        safe = "export"
    return default_storage.save(job_file_path(job, safe), ContentFile(content))


def job_finish(*, job_id: int, outcome: JobOutcome) -> Job | None:
    """Mark the job done with its outcome (a job already finished is left as it is). A file in
    the outcome is stored first, privately; the job's result address is then its download
    page (``jobs:file``), unless the outcome names another."""
    values: dict[str, Any] = {
        "message": outcome.message[:1000],
        "result": outcome.result,
        "result_url": outcome.url,
    }
    if outcome.file_content is not None:
        values["file"] = _job_file_save(job_id, outcome.file_name, outcome.file_content)
        values["result_url"] = outcome.url or reverse("jobs:file", args=[job_id])
    return _job_end(job_id, JobStatus.DONE, values, "done")


def job_fail(*, job_id: int, message: str) -> Job | None:
    """Mark the job failed with the reason to show (translated; a job already finished is
    left as it is)."""
    return _job_end(job_id, JobStatus.FAILED, {"message": message[:1000]}, "failed")


def _job_begin(job_id: int) -> Job | None:
    """The job, now running; None when it does not exist or already finished (a task delivered
    twice does its work once)."""
    now = clock.now()
    Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now
    )
    return Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).select_related("user").first()


def job_run(job_id: int, work: Callable[[Job], JobOutcome]) -> Job | None:
    """Run a task's ``work`` for the job ``job_id``, in the requester's language: the job is
    running meanwhile, then done with the work's outcome, or failed with the message of the
    ``DomainError`` it raised (its service wrote nothing: one transaction). Any other error is
    logged and the job failed with a general message; it is not raised again (the job holds
    the outcome). Returns the finished job (None if there was nothing to do)."""
    job = _job_begin(job_id)
    if job is None:
        return None
    with translation.override(job.language or None):
        try:
            outcome = work(job)
        except DomainError as error:
            return job_fail(job_id=job.pk, message=error.message)
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            return job_fail(
                job_id=job.pk,
                message=_(
                    "An unexpected error stopped the task. What it had finished stays done; "
                    "you can start it again."
                ),
            )
        return job_finish(job_id=job.pk, outcome=outcome)


def job_files_clean(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete the files of jobs finished more than ``older_than`` ago (exports are made to be
    downloaded soon; they hold personal data), and forget them on the jobs; returns how many.
    The job itself stays, with its outcome."""
    cutoff = (now or clock.now()) - older_than
    old = list(Job.objects.filter(finished_at__lt=cutoff).exclude(file="").only("pk", "file"))
    for job in old:
        job.file.delete(save=False)
    if old:
        Job.objects.filter(pk__in=[job.pk for job in old]).update(file="")
        audit_record(
            action=Action.JOB_FILES_CLEAN,
            summary=f"{len(old)} job file(s) deleted",
            data={"jobs": [job.pk for job in old]},
        )
    return len(old)
