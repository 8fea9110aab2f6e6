"""Django admin for staff to edit the programme catalogue, with the history of every change
(django-simple-history). Admin forms run the same checks as the services: editions of a
programme never overlap, a course's ECTS are not negative (model validation), a campus rhythm
must reach its minimum company days on the edition's year (rhythm engine, French holidays)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from capitalis.core.admin import HistoryAdmin
from capitalis.core.exceptions import DomainError
from capitalis.programmes import services
from capitalis.programmes.models import (
    Calendar,
    CalendarEvent,
    Campus,
    CampusRhythm,
    Course,
    CourseCompetency,
    Edition,
    Offering,
    Programme,
    ProgrammeYear,
    SchoolClosure,
    Specialisation,
    TeachingMethod,
)

# --- forms ------------------------------------------------------------------------------------


class EditionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Edition
        fields = ("programme", "code", "label", "start_date", "end_date", "provenance")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        programme, start, end = data.get("programme"), data.get("start_date"), data.get("end_date")
        if programme and start and end:
            try:
                services._check_edition(
                    programme=programme,
                    code=data.get("code", ""),
                    start_date=start,
                    end_date=end,
                    exclude=self.instance.pk,
                )
            except DomainError as exc:
                raise ValidationError(exc.message, code=exc.code) from exc
        return data


class CourseForm(forms.ModelForm):  # type: ignore[type-arg]
    teaching_methods = forms.MultipleChoiceField(
        label=_("teaching methods"),
        choices=TeachingMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Course
        fields = (
            "edition",
            "year",
            "specialisation",
            "track",
            "code",
            "title_fr",
            "title_en",
            "ects",
            "hours",
            "language",
            "teaching_methods",
            "position",
            "provenance",
        )


class CampusRhythmForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CampusRhythm
        fields = (
            "edition",
            "campus",
            "track",
            "kind",
            "params",
            "min_company_days",
            "description_fr",
            "description_en",
            "provenance",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = ("edition", "campus", "track", "kind", "params", "min_company_days")
        if all(data.get(k) is not None for k in needed):
            try:
                result = services.rhythm_check(
                    edition=data["edition"],
                    campus=data["campus"],
                    track=data["track"],
                    kind=data["kind"],
                    params=data["params"],
                    min_company_days=data["min_company_days"],
                )
            except DomainError as exc:
                raise ValidationError(exc.message, code=exc.code) from exc
            if not result.ok:
                raise ValidationError(
                    [services._reason_message(r) for r in result.failures], code="rhythm"
                )
        return data


# --- inlines ----------------------------------------------------------------------------------


class ProgrammeYearInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ProgrammeYear
    extra = 0


class SpecialisationInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Specialisation
    extra = 0
    autocomplete_fields = ("block",)


class OfferingInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Offering
    extra = 0


class CourseInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Course
    extra = 0
    fields = ("code", "title_fr", "title_en", "year", "specialisation", "ects", "hours", "language")
    show_change_link = True


class SchoolClosureInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SchoolClosure
    extra = 0


class CourseCompetencyInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CourseCompetency
    extra = 0
    autocomplete_fields = ("competency",)


class CalendarEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CalendarEvent
    extra = 0


# --- model admins -----------------------------------------------------------------------------


@admin.register(Campus)
class CampusAdmin(HistoryAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "city", "position")
    search_fields = ("code", "name", "city")


@admin.register(Programme)
class ProgrammeAdmin(HistoryAdmin):  # type: ignore[type-arg]
    list_display = ("code", "title_fr", "title_en", "certification_version")
    search_fields = ("code", "title_fr", "title_en")
    inlines = (ProgrammeYearInline, SpecialisationInline)


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(HistoryAdmin):  # type: ignore[type-arg]
    list_display = ("code", "programme", "title_fr", "ects", "position")
    list_filter = ("programme",)
    search_fields = ("code", "title_fr", "title_en")


@admin.register(Specialisation)
class SpecialisationAdmin(HistoryAdmin):  # type: ignore[type-arg]
    list_display = ("code", "programme", "title_fr", "block")
    list_filter = ("programme",)
    search_fields = ("code", "title_fr", "title_en")
    autocomplete_fields = ("block",)


@admin.register(Edition)
class EditionAdmin(HistoryAdmin):  # type: ignore[type-arg]
    form = EditionForm
    list_display = ("code", "programme", "label", "start_date", "end_date")
    list_filter = ("programme",)
    search_fields = ("code", "label")
    inlines = (OfferingInline, SchoolClosureInline, CourseInline)


@admin.register(Offering)
class OfferingAdmin(HistoryAdmin):  # type: ignore[type-arg]
    list_display = ("edition", "campus", "year", "specialisation", "track")
    list_filter = ("edition", "campus", "year", "specialisation", "track")
    list_select_related = ("edition__programme", "campus", "year", "specialisation")


@admin.register(Course)
class CourseAdmin(HistoryAdmin):  # type: ignore[type-arg]
    form = CourseForm
    list_display = (
        "code",
        "title_fr",
        "edition",
        "year",
        "specialisation",
        "track",
        "ects",
        "hours",
    )
    list_filter = ("edition", "year", "specialisation", "track", "language")
    list_select_related = ("edition__programme", "year", "specialisation")
    search_fields = ("code", "title_fr", "title_en")
    inlines = (CourseCompetencyInline,)


@admin.register(CourseCompetency)
class CourseCompetencyAdmin(HistoryAdmin):  # type: ignore[type-arg]
    list_display = ("course", "competency", "role")
    list_filter = ("role", "course__edition")
    list_select_related = ("course", "competency")
    autocomplete_fields = ("course", "competency")


@admin.register(CampusRhythm)
class CampusRhythmAdmin(HistoryAdmin):  # type: ignore[type-arg]
    form = CampusRhythmForm
    list_display = ("edition", "campus", "track", "kind", "min_company_days")
    list_filter = ("edition", "campus", "track", "kind")
    list_select_related = ("edition__programme", "campus")


@admin.register(SchoolClosure)
class SchoolClosureAdmin(HistoryAdmin):  # type: ignore[type-arg]
    list_display = ("label_fr", "edition", "campus", "start_date", "end_date")
    list_filter = ("edition", "campus")
    list_select_related = ("edition__programme", "campus")


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("edition", "campus", "track", "token")
    list_filter = ("edition", "campus", "track")
    list_select_related = ("edition__programme", "campus")
    readonly_fields = ("token",)
    inlines = (CalendarEventInline,)
