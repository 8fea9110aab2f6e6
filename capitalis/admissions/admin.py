"""Django admin for the admissions models, with history where the model keeps it. The status of
an application is read-only here: it moves only through ``services.application_transition``
(the pages and the API), so every move is checked against the table and recorded."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from capitalis.admissions.models import (
    AdmissionJury,
    Application,
    ApplicationDocument,
    ApplicationTransition,
    EligibilityRule,
    Interview,
    InterviewCriterion,
    InterviewSlot,
    PriorDegree,
)
from capitalis.core.admin import HistoryAdmin


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(HistoryAdmin):
    list_display = ("edition", "year", "code", "kind", "label_fr", "position")
    list_filter = ("edition", "year", "kind")
    search_fields = ("code", "label_fr", "label_en")


class PriorDegreeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PriorDegree
    extra = 0


class DocumentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ApplicationDocument
    extra = 0
    fields = ("kind", "original_name", "content_type", "size", "sha256", "document")
    readonly_fields = ("original_name", "content_type", "size", "sha256", "document")

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # uploads go through the checked service (content type, size)

    @admin.display(description=_("file"))
    def document(self, obj: ApplicationDocument) -> str:
        """The permission-checked preview (media files are never served at /media/)."""
        if not obj.pk or not obj.file:
            return "—"
        url = reverse("admissions:document-preview", args=[obj.application_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open"))


class TransitionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ApplicationTransition
    extra = 0
    fields = ("from_status", "to_status", "by", "at", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Application)
class ApplicationAdmin(HistoryAdmin):
    list_display = ("id", "candidate", "edition", "year", "campus", "track", "status")
    list_filter = ("status", "edition", "campus", "track", "year")
    search_fields = ("candidate__email", "candidate__full_name")
    readonly_fields = (
        "status",
        "version",
        "eligibility",
        "submitted_at",
        "presented_on",
        "decided_on",
    )
    raw_id_fields = ("candidate",)
    inlines = (PriorDegreeInline, DocumentInline, TransitionInline)


@admin.register(ApplicationTransition)
class ApplicationTransitionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("application", "from_status", "to_status", "by", "at")
    list_filter = ("to_status",)
    readonly_fields = ("application", "from_status", "to_status", "by", "at", "note")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(InterviewCriterion)
class InterviewCriterionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("edition", "code", "label_fr", "max_score", "position")
    list_filter = ("edition",)


@admin.register(InterviewSlot)
class InterviewSlotAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("edition", "campus", "starts_at", "ends_at", "location")
    list_filter = ("edition", "campus")
    filter_horizontal = ("interviewers",)


@admin.register(Interview)
class InterviewAdmin(HistoryAdmin):
    list_display = ("application", "slot", "interviewed_at")
    raw_id_fields = ("application", "slot")


@admin.register(AdmissionJury)
class AdmissionJuryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("edition", "campus", "sits_on", "president")
    list_filter = ("edition", "campus")
    filter_horizontal = ("members",)
