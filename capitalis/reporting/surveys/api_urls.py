"""API routes for surveys (included by api_urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.core.routers import DefaultRouter
from capitalis.reporting.surveys.api import SurveyAnswerView, SurveyViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("surveys", SurveyViewSet, basename="survey")

urlpatterns: list[URLPattern | URLResolver] = [
    path("surveys/answer/", SurveyAnswerView.as_view(), name="survey-answer"),
    *router.urls,
]
