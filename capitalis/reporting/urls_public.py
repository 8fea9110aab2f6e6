"""Routes of the public pages: results per programme (/results/) and survey answering
by personal link (/survey/)
(namespace ``results``).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from capitalis.reporting.indicators import urls as indicators
from capitalis.reporting.surveys import urls as surveys

app_name = "results"

urlpatterns: list[URLPattern | URLResolver] = [
    *indicators.public_urlpatterns,
    *surveys.public_urlpatterns,
]
