"""Routes of the reporting API, under /api/reporting/ (namespace ``reporting-api``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "reporting-api"

urlpatterns: list[URLPattern | URLResolver] = []
