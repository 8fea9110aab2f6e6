"""Shared kernel: base model mixins and the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from capitalis.core.audit import Action


class TimeStampedModel(models.Model):
    """Adds creation and modification timestamps."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def pick_language(fr: str, en: str, language: str | None = None) -> str:
    """Return the text in the active language, falling back to the official French text."""
    lang = (language or get_language() or "fr")[:2]
    if lang == "en" and en:
        return en
    return fr or en


class AuditEvent(models.Model):
    """One recorded action: who did what to which record, when, with what data.

    PII note: ``actor`` points to a person and ``data`` may hold personal data of the target.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=100, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"


def audit_record(
    *,
    action: Action,
    actor: Any = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit record; call it inside the service's transaction."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        action=action,
        actor=user,
        target_type=target_type,
        target_id=target_id,
        summary=summary[:500],
        data=data or {},
    )


def audit_record_many(
    *,
    action: Action,
    actor: Any = None,
    targets: Iterable[tuple[models.Model, str, dict[str, Any] | None]],
) -> list[AuditEvent]:
    """Write one audit record per ``(target, summary, data)`` in one statement (a batch
    service's rows); call it inside the service's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action=action,
                actor=user,
                target_type=target._meta.label_lower,
                target_id=str(target.pk),
                summary=summary[:500],
                data=data or {},
            )
            for target, summary, data in targets
        ]
    )


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


#: the statuses of a job that is not finished: at most one job per idempotency key among them
JOB_ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


def job_file_path(job: Job, filename: str) -> str:
    """Where a job's file is kept: under ``jobs/`` in the default storage (``MEDIA_URL`` is
    not served), in a folder of its own per job."""
    return f"jobs/{job.pk}/{filename}"


class Job(models.Model):
    """A long action run in the background (closing a jury session, issuing a session's
    credentials…): its progress, and once finished its result or the reason it failed, for the
    person who asked (issue 13 point 10).

    ``key`` names what the job does to which record (``close-session:12``): while a job with
    that key is queued or running, asking again returns it instead of starting a second.
    ``title`` and ``message`` are in the requester's language (``language``), the one active
    when she asked. ``file`` is what an export job made, downloaded by its requester only.

    PII note: ``user`` points to a person; ``result`` may name records about learners.
    """

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=300, blank=True)
    key = models.CharField(_("idempotency key"), max_length=200, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps in all"), default=0)
    message = models.CharField(_("message"), max_length=1000, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    result_url = models.CharField(_("result address"), max_length=500, blank=True)
    file = models.FileField(
        _("file made"),
        upload_to=job_file_path,
        max_length=300,
        blank=True,
        help_text=_(
            "A file the job made (an export), kept in the private storage: only its requester "
            "downloads it, through the job's file page."
        ),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(key=""),
                name="core_job_one_active_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(total=0) | models.Q(done__lte=models.F("total")),
                name="core_job_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        """How far along, 0–100; None while the total is unknown."""
        if not self.total:
            return 100 if self.status == JobStatus.DONE else None
        return min(100, self.done * 100 // self.total)
