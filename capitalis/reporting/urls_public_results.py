"""Public routes for results (included by urls_public.py, namespace ``results``): no login."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.reporting import views_public

urlpatterns: list[URLPattern | URLResolver] = [
    path("results/", views_public.index, name="index"),
    path("results/<str:code>/", views_public.programme, name="programme"),
]
