"""Django admin for staff to edit the référentiel, with the history of every change
(django-simple-history: the "History" button of each record shows who changed what, when)."""

from __future__ import annotations

from django.contrib import admin

from capitalis.core.admin import HistoryAdmin
from capitalis.referential.models import (
    Activity,
    Block,
    Certification,
    CertificationCertifier,
    CertificationRule,
    CertificationVersion,
    Certifier,
    Competency,
    Crosswalk,
    CrosswalkEntry,
    EvaluationCriterion,
    EvaluationModality,
    RegisterCorrespondence,
    RegisterLink,
)

# ---------------------------------------------------------------------------------------------
# Inlines


class CertificationCertifierInline(admin.TabularInline):
    model = CertificationCertifier
    extra = 0
    autocomplete_fields = ("certifier",)


class RegisterLinkInline(admin.TabularInline):
    model = RegisterLink
    extra = 0


class RegisterCorrespondenceInline(admin.TabularInline):
    model = RegisterCorrespondence
    extra = 0


class VersionInline(admin.TabularInline):
    model = CertificationVersion
    extra = 0
    fields = ("code", "label_fr", "label_en", "status", "valid_from", "valid_until", "position")
    show_change_link = True


class RuleInline(admin.StackedInline):
    model = CertificationRule
    extra = 0
    max_num = 1


class BlockInline(admin.TabularInline):
    model = Block
    extra = 0
    fields = ("code", "kind", "title_fr", "title_en", "position")
    show_change_link = True


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ("code", "title_fr", "title_en", "position", "provenance")


class CompetencyInline(admin.TabularInline):
    model = Competency
    extra = 0
    fields = ("code", "activity", "statement_fr", "statement_en", "position")
    show_change_link = True


class ModalityInline(admin.TabularInline):
    model = EvaluationModality
    extra = 0
    fields = ("code", "label_fr", "label_en", "position", "provenance")


class CriterionInline(admin.TabularInline):
    model = EvaluationCriterion
    extra = 0
    fields = ("code", "text_fr", "text_en", "position", "provenance")


class CrosswalkEntryInline(admin.TabularInline):
    model = CrosswalkEntry
    extra = 0
    autocomplete_fields = ("from_block", "to_block", "covered")


# ---------------------------------------------------------------------------------------------
# Model admins


@admin.register(Certifier)
class CertifierAdmin(HistoryAdmin):
    list_display = ("name", "siret")
    search_fields = ("name", "siret")


@admin.register(Certification)
class CertificationAdmin(HistoryAdmin):
    list_display = ("code", "title_fr", "register", "eqf_level", "active", "registration_end")
    list_filter = ("register", "active", "eqf_level")
    search_fields = ("code", "title_fr", "title_en", "abbreviation_label")
    readonly_fields = ("register_hash", "created_at", "updated_at")
    inlines = (
        VersionInline,
        CertificationCertifierInline,
        RegisterLinkInline,
        RegisterCorrespondenceInline,
    )


@admin.register(CertificationVersion)
class CertificationVersionAdmin(HistoryAdmin):
    list_display = ("__str__", "label_fr", "status", "valid_from", "valid_until")
    list_filter = ("status", "certification")
    search_fields = ("code", "label_fr", "label_en", "certification__code")
    list_select_related = ("certification",)
    autocomplete_fields = ("certification",)
    inlines = (RuleInline, BlockInline)


@admin.register(CertificationRule)
class CertificationRuleAdmin(HistoryAdmin):
    list_display = ("__str__", "all_common_required", "optional_blocks_required")
    list_select_related = ("version__certification",)
    autocomplete_fields = ("version",)


@admin.register(Block)
class BlockAdmin(HistoryAdmin):
    list_display = ("code", "title_fr", "kind", "version")
    list_filter = ("kind", "version__certification", "version__status")
    search_fields = ("code", "title_fr", "title_en")
    list_select_related = ("version__certification",)
    autocomplete_fields = ("version",)
    inlines = (ActivityInline, CompetencyInline, ModalityInline)


@admin.register(Activity)
class ActivityAdmin(HistoryAdmin):
    list_display = ("code", "title_fr", "block")
    list_filter = ("block__version__certification",)
    search_fields = ("code", "title_fr", "title_en", "block__code")
    list_select_related = ("block",)
    autocomplete_fields = ("block",)


@admin.register(Competency)
class CompetencyAdmin(HistoryAdmin):
    list_display = ("code", "statement_fr", "block", "activity")
    list_filter = ("block__version__certification", "block__kind")
    search_fields = ("code", "statement_fr", "statement_en", "block__code")
    list_select_related = ("block", "activity")
    autocomplete_fields = ("block", "activity")
    inlines = (CriterionInline,)


@admin.register(EvaluationCriterion)
class EvaluationCriterionAdmin(HistoryAdmin):
    list_display = ("code", "text_fr", "competency")
    search_fields = ("code", "text_fr", "text_en", "competency__code")
    list_select_related = ("competency",)
    autocomplete_fields = ("competency",)


@admin.register(EvaluationModality)
class EvaluationModalityAdmin(HistoryAdmin):
    list_display = ("code", "label_fr", "block")
    search_fields = ("code", "label_fr", "label_en", "block__code")
    list_select_related = ("block",)
    autocomplete_fields = ("block",)


@admin.register(Crosswalk)
class CrosswalkAdmin(HistoryAdmin):
    list_display = ("__str__", "status")
    list_filter = ("status",)
    search_fields = ("from_version__certification__code", "to_version__certification__code")
    list_select_related = ("from_version__certification", "to_version__certification")
    autocomplete_fields = ("from_version", "to_version")
    inlines = (CrosswalkEntryInline,)


@admin.register(CrosswalkEntry)
class CrosswalkEntryAdmin(HistoryAdmin):
    list_display = ("__str__", "crosswalk", "coverage")
    list_filter = ("coverage",)
    list_select_related = ("crosswalk", "from_block", "to_block")
    autocomplete_fields = ("crosswalk", "from_block", "to_block", "covered")
