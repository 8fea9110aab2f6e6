"""API routes of the référentiel, under /api/referential/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.core.routers import DefaultRouter
from capitalis.referential.api import CertificationViewSet, RegisterImportView

app_name = "referential-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("certifications", CertificationViewSet, basename="certification")

urlpatterns: list[URLPattern | URLResolver] = [
    path("register-imports/", RegisterImportView.as_view(), name="register-import"),
    *router.urls,
]
