"""API routes on assessments and results, under /api/assessment/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.assessment.api import AssessmentViewSet, ResultViewSet
from capitalis.assessment.api_assessments import AssessmentCreateView, AssessmentEditView
from capitalis.assessment.api_groups import GroupResultsView
from capitalis.assessment.api_imports import ResultsImportView
from capitalis.core.routers import DefaultRouter

app_name = "assessment-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("results", ResultViewSet, basename="result")

urlpatterns: list[URLPattern | URLResolver] = [
    path("assessments/<int:pk>/import/", ResultsImportView.as_view(), name="results-import"),
    path("assessments/new/", AssessmentCreateView.as_view(), name="assessment-create"),
    path("assessments/<int:pk>/edit/", AssessmentEditView.as_view(), name="assessment-edit"),
    path("groups/<int:pk>/results/", GroupResultsView.as_view(), name="group-results"),
    *router.urls,
]
