"""Staff routes for indicators (included by urls.py, namespace ``reporting``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.reporting import views_indicators

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_indicators.dashboard, name="indicators"),
    path("indicators/<slug:table>.csv", views_indicators.table_csv, name="indicators-csv"),
]
