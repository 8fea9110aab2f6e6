"""Django admin for fee schedules, with their history (django-simple-history). Amounts are
validated by the model (Decimal, two decimals, not negative, deposit within tuition)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from capitalis.core.admin import HistoryAdmin
from capitalis.finance.models import FeeSchedule, Instalment, Invoice, InvoiceLine, Payment


@admin.register(FeeSchedule)
class FeeScheduleAdmin(HistoryAdmin):  # type: ignore[type-arg]
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


class InvoiceLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = InvoiceLine
    extra = 0
    can_delete = False
    readonly_fields = ("position", "kind", "label", "amount")


class InstalmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Instalment
    extra = 0
    can_delete = False
    readonly_fields = ("position", "due_on", "amount")


class PaymentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Payment
    extra = 0
    can_delete = False
    readonly_fields = ("amount", "paid_on", "method", "reference", "recorded_by")


@admin.register(Invoice)
class InvoiceAdmin(HistoryAdmin):  # type: ignore[type-arg]
    """Read-only: invoices are created, paid and cancelled through the finance services (which
    number them, split the instalments and audit every change), not edited here."""

    list_display = ("number", "kind", "issued_on", "payer_kind", "payer_name", "campus", "status")
    list_filter = ("status", "kind", "payer_kind", "campus", "academic_year")
    list_select_related = ("campus",)
    search_fields = ("number", "payer_name", "customer__email")
    inlines = (InvoiceLineInline, InstalmentInline, PaymentInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
