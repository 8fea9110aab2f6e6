"""Admin for the jury app, read-only: sessions, decisions, capitalised validations, appeals and
VAE dossiers are written through the pages, the API and the services (a frozen session must
never change behind its minutes)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from capitalis.core.admin import HistoryAdmin
from capitalis.jury.models import (
    Appeal,
    BlockDecision,
    BlockValidation,
    CertificationDecision,
    JurySession,
    VaeCandidate,
    VaeDossier,
)


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JurySession)
class JurySessionAdmin(ReadOnly, admin.ModelAdmin[JurySession]):
    list_display = ("title", "date", "version", "president", "status", "minutes_sha256")
    list_filter = ("status",)
    list_select_related = ("version", "president")


@admin.register(BlockDecision)
class BlockDecisionAdmin(ReadOnly, HistoryAdmin):
    list_display = ("session", "enrolment", "block", "computed_status", "override_status")
    list_filter = ("computed_status", "override_status")
    list_select_related = ("session", "enrolment__learner__user", "block")


@admin.register(CertificationDecision)
class CertificationDecisionAdmin(ReadOnly, HistoryAdmin):
    list_display = ("session", "enrolment", "computed_status", "override_status")
    list_select_related = ("session", "enrolment__learner__user")


@admin.register(BlockValidation)
class BlockValidationAdmin(ReadOnly, HistoryAdmin):
    list_display = ("learner", "block", "validated_on", "route", "session")
    list_filter = ("route",)
    list_select_related = ("learner__user", "block", "session")


@admin.register(Appeal)
class AppealAdmin(ReadOnly, admin.ModelAdmin[Appeal]):
    list_display = ("decision", "lodged_on", "status", "decided_in")


@admin.register(VaeCandidate)
class VaeCandidateAdmin(ReadOnly, admin.ModelAdmin[VaeCandidate]):
    list_display = ("learner", "version", "admissibility", "admissibility_on")


@admin.register(VaeDossier)
class VaeDossierAdmin(ReadOnly, admin.ModelAdmin[VaeDossier]):
    list_display = ("candidate", "session", "interview_on")
