"""Routes for surveys: the staff pages (``urlpatterns``, included by the app's urls.py) and the
answer page of a personal link (``public_urlpatterns``, included by urls_public.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.reporting.surveys import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("surveys/", views.survey_list, name="survey-list"),
    path("surveys/new/", views.survey_create, name="survey-create"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/invite/", views.survey_invite, name="survey-invite"),
    path("surveys/<int:pk>/remind/", views.survey_remind, name="survey-remind"),
    path("surveys/mine/<int:pk>/", views.survey_open_mine, name="survey-open-mine"),
]

public_urlpatterns: list[URLPattern | URLResolver] = [
    path("survey/<str:token>/", views.survey_answer, name="survey-answer"),
]
