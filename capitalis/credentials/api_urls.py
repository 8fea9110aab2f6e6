"""Routes of the credentials API, under /api/credentials/ (namespace ``credentials-api``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.core.routers import DefaultRouter
from capitalis.credentials.api import CredentialViewSet, DocumentViewSet, SessionIssueView

app_name = "credentials-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# before the credentials: their detail route would take "documents" for an id
router.register("documents", DocumentViewSet, basename="document")
router.register("", CredentialViewSet, basename="credential")

urlpatterns: list[URLPattern | URLResolver] = [
    path("sessions/<int:pk>/issue/", SessionIssueView.as_view(), name="session-issue"),
    *router.urls,
]
