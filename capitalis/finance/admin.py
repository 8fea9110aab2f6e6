"""Django admin for fee schedules, with their history (django-simple-history). Amounts are
validated by the model (Decimal, two decimals, not negative, deposit within tuition)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from capitalis.finance.models import FeeSchedule


@admin.register(FeeSchedule)
class FeeScheduleAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = (
        "programme",
        "academic_year",
        "track",
        "tuition",
        "deposit",
        "application_fee",
        "cvec",
        "third_party_pays",
    )
    list_filter = ("programme", "academic_year", "track", "third_party_pays")
    list_select_related = ("programme",)
    search_fields = ("academic_year", "programme__code")
