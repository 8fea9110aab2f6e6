"""Routes of the public pages: results per programme (/results/) and survey answering
by personal link (/survey/)
(namespace ``results``).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "results"

urlpatterns: list[URLPattern | URLResolver] = []
