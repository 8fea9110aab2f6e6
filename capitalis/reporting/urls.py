"""Routes of the staff reporting pages (dashboard, surveys, declarations, personal data),
under /reporting/
(namespace ``reporting``).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from capitalis.reporting.declarations import urls as declarations
from capitalis.reporting.indicators import urls as indicators
from capitalis.reporting.privacy import urls as privacy
from capitalis.reporting.surveys import urls as surveys

app_name = "reporting"

urlpatterns: list[URLPattern | URLResolver] = [
    *indicators.urlpatterns,
    *surveys.urlpatterns,
    *declarations.urlpatterns,
    *privacy.urlpatterns,
]
