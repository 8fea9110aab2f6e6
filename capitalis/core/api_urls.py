"""Routes of the background jobs API, under /api/jobs/ (namespace ``jobs-api``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from capitalis.core.api_jobs import JobViewSet
from capitalis.core.routers import DefaultRouter

app_name = "jobs-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("", JobViewSet, basename="job")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
