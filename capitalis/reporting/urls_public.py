"""Routes of the public pages: results per programme (/results/) and survey answering
by personal link (/survey/)
(namespace ``results``).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from capitalis.reporting import urls_public_results, urls_public_surveys

app_name = "results"

urlpatterns: list[URLPattern | URLResolver] = [
    *urls_public_results.urlpatterns,
    *urls_public_surveys.urlpatterns,
]
