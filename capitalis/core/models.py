"""Shared kernel: base model mixins and the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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
    action: str,
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
    action: str,
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
