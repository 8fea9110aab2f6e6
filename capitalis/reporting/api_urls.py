"""Routes of the reporting API, under /api/reporting/ (namespace ``reporting-api``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from capitalis.reporting.declarations import api_urls as declarations
from capitalis.reporting.indicators import api_urls as indicators
from capitalis.reporting.privacy import api_urls as privacy
from capitalis.reporting.surveys import api_urls as surveys

app_name = "reporting-api"

urlpatterns: list[URLPattern | URLResolver] = [
    *indicators.urlpatterns,
    *surveys.urlpatterns,
    *declarations.urlpatterns,
    *privacy.urlpatterns,
]
