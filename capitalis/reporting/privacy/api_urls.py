"""API routes for personal data (included by api_urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.reporting.privacy.api import MyPersonalDataView, PersonalDataExportView

urlpatterns: list[URLPattern | URLResolver] = [
    path("privacy/exports/", PersonalDataExportView.as_view(), name="privacy-export"),
    path("privacy/mine/", MyPersonalDataView.as_view(), name="privacy-mine"),
]
