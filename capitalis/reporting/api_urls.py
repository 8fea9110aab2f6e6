"""Routes of the reporting API, under /api/reporting/ (namespace ``reporting-api``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from capitalis.reporting import (
    api_urls_declarations,
    api_urls_indicators,
    api_urls_privacy,
    api_urls_surveys,
)

app_name = "reporting-api"

urlpatterns: list[URLPattern | URLResolver] = [
    *api_urls_indicators.urlpatterns,
    *api_urls_surveys.urlpatterns,
    *api_urls_declarations.urlpatterns,
    *api_urls_privacy.urlpatterns,
]
