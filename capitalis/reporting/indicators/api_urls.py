"""API routes for indicators (included by api_urls.py, namespace ``reporting-api``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.reporting.indicators import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "indicators/<str:code>/",
        api.IndicatorsView.as_view(),
        name="indicators",
    ),
    path(
        "public/indicators/<str:code>/",
        api.PublicIndicatorsView.as_view(),
        name="public-indicators",
    ),
]
