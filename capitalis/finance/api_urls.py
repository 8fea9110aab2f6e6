"""API routes on fees, under /api/finance/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.core.routers import DefaultRouter
from capitalis.finance.api import (
    FeeQuoteView,
    FeeScheduleViewSet,
    InvoiceViewSet,
    PaymentViewSet,
)
from capitalis.finance.api_export import ExportJobView

app_name = "finance-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("fee-schedules", FeeScheduleViewSet, basename="fee-schedule")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")

urlpatterns: list[URLPattern | URLResolver] = [
    path("fee-quote/", FeeQuoteView.as_view(), name="fee-quote"),
    path("export/", ExportJobView.as_view(), name="export"),
    *router.urls,
]
