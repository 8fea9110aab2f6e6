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

# Interviews, jury decisions, the admissions dashboard (helper J): api_urls_jury.py.
from capitalis.admissions import api_urls_jury  # noqa: E402

urlpatterns += api_urls_jury.urlpatterns
