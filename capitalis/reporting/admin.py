"""Admin of the reporting app: one clearly separated section per capability (indicators,
surveys and personal data, declarations). Read-mostly: writes go through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from capitalis.reporting.models import (
    PersonalDataRequest,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
)

# --- surveys and personal data (helper B2) ------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Viewing only: surveys are created, sent and answered through the services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("title_fr", "kind", "edition", "opens_on", "closes_on")
    list_filter = ("kind",)
    search_fields = ("title_fr", "title_en", "edition__code")


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = ("survey", "learner", "sent_at", "reminders", "answered_at")
    list_filter = ("survey__kind",)
    exclude = ("token_hash",)
    list_select_related = ("survey", "learner__user")


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(ReadOnlyAdmin):
    list_display = ("invitation", "question", "number")
    list_filter = ("question",)


@admin.register(PersonalDataRequest)
class PersonalDataRequestAdmin(ReadOnlyAdmin):
    list_display = ("kind", "subject", "requested_by", "created_at", "completed_at")
    list_filter = ("kind",)
