"""Routes for indicators: the staff pages (``urlpatterns``, included by the app's urls.py,
namespace ``reporting``) and the public results pages (``public_urlpatterns``, included by
urls_public.py, namespace ``results``; no login)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.reporting.indicators import public, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="indicators"),
    path("indicators/<slug:table>.csv", views.table_csv, name="indicators-csv"),
]

public_urlpatterns: list[URLPattern | URLResolver] = [
    path("results/", public.index, name="index"),
    path("results/<str:code>/", public.programme, name="programme"),
]
