"""Finance pages, under /finance/."""

from __future__ import annotations

from django.urls import path

from capitalis.finance import views

app_name = "finance"
urlpatterns = [
    path("invoices/", views.invoice_list, name="invoice-list"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice-detail"),
    path("export.csv", views.export_csv, name="export"),
    path("export/job/", views.export_job_start, name="export-job"),
]
