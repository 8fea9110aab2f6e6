"""Routes of the credentials API, under /api/credentials/ (namespace ``credentials-api``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "credentials-api"

urlpatterns: list[URLPattern | URLResolver] = []
