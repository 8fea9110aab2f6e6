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


# --- holders' declaration (helper B3) -----------------------------------------------------------

from capitalis.reporting.models import AwardDeclaration, DeclarationFlux  # noqa: E402


class DeclarationReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Viewing only: files and award statuses change through the declaration services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DeclarationFlux)
class DeclarationFluxAdmin(DeclarationReadOnly):
    list_display = (
        "filename",
        "certification",
        "period_from",
        "period_to",
        "generated_at",
        "status",
    )
    list_filter = ("status", "certification")
    list_select_related = ("certification",)
    search_fields = ("filename", "flux_id", "sha256")


@admin.register(AwardDeclaration)
class AwardDeclarationAdmin(DeclarationReadOnly):
    list_display = ("id_technique", "decision", "awarded_on", "due_on", "status", "attempts")
    list_filter = ("status",)
    list_select_related = ("decision",)
    search_fields = ("id_technique", "decision__enrolment__learner__user__full_name")


# --- indicators (helper B1) -----------------------------------------------------------------

from capitalis.reporting.models import DeclaredFigure  # noqa: E402


@admin.register(DeclaredFigure)
class DeclaredFigureAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Declared history is shipped as data (data/reporting/declared_history.yaml, loaded by
    ``manage.py load_data``): viewing only here, so the file stays the one source."""

    list_display = ("indicator", "period", "programme", "campus", "value", "unit", "as_of")
    list_filter = ("indicator", "programme")
    list_select_related = ("programme", "campus")
    search_fields = ("indicator", "period", "source")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
