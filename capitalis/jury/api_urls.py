"""API routes on jury sessions, under /api/jury/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.core.routers import DefaultRouter
from capitalis.jury.api import MyAppealView, MyBlocksView, SessionViewSet
from capitalis.jury.api_prior import PriorValidationImportView, PriorValidationListView
from capitalis.jury.api_year import MyYearsView

app_name = "jury-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sessions", SessionViewSet, basename="session")

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/blocks/", MyBlocksView.as_view(), name="my-blocks"),
    path("me/appeals/", MyAppealView.as_view(), name="my-appeals"),
    path("me/years/", MyYearsView.as_view(), name="my-years"),
    path("prior-validations/", PriorValidationListView.as_view(), name="prior-validations"),
    path(
        "prior-validations/import/",
        PriorValidationImportView.as_view(),
        name="prior-validations-import",
    ),
    *router.urls,
]
