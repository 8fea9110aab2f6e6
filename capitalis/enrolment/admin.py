"""Admin for enrolment: reading and correcting records; business writes go through the pages,
the API and the services (the admin is read-mostly: contracts and enrolments are shown, not
created here)."""

from __future__ import annotations

from django.contrib import admin

from capitalis.core.admin import HistoryAdmin
from capitalis.enrolment.models import (
    Contract,
    CvecProof,
    Enrolment,
    EnrolmentTransition,
    Internship,
    Learner,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class EnrolmentTransitionInline(ReadOnlyMixin, admin.TabularInline[EnrolmentTransition, Enrolment]):
    model = EnrolmentTransition
    extra = 0
    fields = ("from_status", "to_status", "by", "at", "note")
    readonly_fields = fields


@admin.register(Learner)
class LearnerAdmin(ReadOnlyMixin, HistoryAdmin):
    """Read-only except the civil-status identity the holders' declaration needs (birth and
    usage names, first names, sex, place of birth), which staff may correct here too."""

    list_display = ("__str__", "national_student_number", "date_of_birth", "birth_name", "sex")
    search_fields = ("user__email", "user__full_name", "national_student_number", "birth_name")
    fields = (
        "user",
        "national_student_number",
        "date_of_birth",
        "birth_name",
        "usage_name",
        "first_names",
        "sex",
        "birth_place_code",
        "birth_place_name",
        "birth_country",
    )
    readonly_fields = ("user", "national_student_number", "date_of_birth")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Django's own check (superuser or the enrolment.change_learner permission).
        return HistoryAdmin.has_change_permission(self, request, obj)


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyMixin, HistoryAdmin):
    list_display = ("learner", "edition", "year", "campus", "track", "status")
    list_filter = ("edition", "campus", "year", "track", "status")
    list_select_related = ("learner__user", "edition__programme", "year", "campus")
    search_fields = ("learner__user__email", "learner__user__full_name")
    inlines = [EnrolmentTransitionInline]


@admin.register(Contract)
class ContractAdmin(ReadOnlyMixin, HistoryAdmin):
    list_display = (
        "enrolment",
        "kind",
        "employer_name",
        "tutor",
        "start_date",
        "end_date",
        "terminated_on",
    )
    # the contracts recorded before the employer tutor was required, to complete
    list_filter = ("kind", "recorded_without_tutor")
    list_select_related = (
        "enrolment__learner__user",
        "enrolment__edition",
        "enrolment__year",
        "tutor",
    )


@admin.register(Internship)
class InternshipAdmin(ReadOnlyMixin, HistoryAdmin):
    list_display = ("enrolment", "host_name", "start_date", "end_date", "agreement_signed_on")
    list_select_related = ("enrolment__learner__user", "enrolment__edition", "enrolment__year")


@admin.register(CvecProof)
class CvecProofAdmin(ReadOnlyMixin, admin.ModelAdmin[CvecProof]):
    list_display = ("learner", "academic_year", "certificate_number", "recorded_on")
