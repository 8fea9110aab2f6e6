"""API routes of admissions, under /api/admissions/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.admissions.api import ApplicationViewSet, SignupApi
from capitalis.core.routers import DefaultRouter

app_name = "admissions-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("applications", ApplicationViewSet, basename="application")

urlpatterns: list[URLPattern | URLResolver] = [
    path("signup/", SignupApi.as_view(), name="signup"),
    *router.urls,
]

# Interviews, jury decisions, the admissions dashboard: capitalis/admissions/jury/api_urls.py.
from capitalis.admissions.jury import api_urls as jury_api_urls  # noqa: E402

urlpatterns += jury_api_urls.urlpatterns
