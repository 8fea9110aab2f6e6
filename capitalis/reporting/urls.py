"""Routes of the staff reporting pages (dashboard, surveys, declarations, personal data),
under /reporting/
(namespace ``reporting``).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from capitalis.reporting import urls_declarations, urls_indicators, urls_privacy, urls_surveys

app_name = "reporting"

urlpatterns: list[URLPattern | URLResolver] = [
    *urls_indicators.urlpatterns,
    *urls_surveys.urlpatterns,
    *urls_declarations.urlpatterns,
    *urls_privacy.urlpatterns,
]
