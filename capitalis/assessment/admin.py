"""Django admin for assessments and results, with their history (django-simple-history).
Results are read-only here: they are entered through the lecturer's grid, the API or the import
(services.result_set and its checks)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from capitalis.assessment.models import Assessment, AssessmentCompetency, AssessmentGroup, Result
from capitalis.core.admin import HistoryAdmin


class AssessmentCompetencyInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AssessmentCompetency
    extra = 0
    autocomplete_fields = ("competency",)
    filter_horizontal = ("criteria",)


class AssessmentGroupInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AssessmentGroup
    extra = 0
    filter_horizontal = ("members",)


@admin.register(Assessment)
class AssessmentAdmin(HistoryAdmin):  # type: ignore[type-arg]
    list_display = ("code", "title_fr", "edition", "course", "block", "modality", "date", "session")
    list_filter = ("edition", "modality", "session")
    list_select_related = ("edition", "course", "block")
    search_fields = ("code", "title_fr", "title_en")
    inlines = (AssessmentCompetencyInline, AssessmentGroupInline)


@admin.register(Result)
class ResultAdmin(HistoryAdmin):  # type: ignore[type-arg]
    list_display = ("assessment", "enrolment", "competency", "grade", "level", "absence", "author")
    list_filter = ("assessment__edition", "absence", "level")
    list_select_related = ("assessment", "enrolment__learner__user", "competency", "author")
    search_fields = ("assessment__code", "enrolment__learner__user__email")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
