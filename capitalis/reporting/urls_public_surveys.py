"""Public routes for surveys (included by urls_public.py): the answer page of a personal link."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.reporting import views_surveys as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("survey/<str:token>/", views.survey_answer, name="survey-answer"),
]
