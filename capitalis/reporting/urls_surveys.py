"""Page routes for surveys (included by urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.reporting import views_surveys as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("surveys/", views.survey_list, name="survey-list"),
    path("surveys/new/", views.survey_create, name="survey-create"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/invite/", views.survey_invite, name="survey-invite"),
    path("surveys/<int:pk>/remind/", views.survey_remind, name="survey-remind"),
    path("surveys/mine/<int:pk>/", views.survey_open_mine, name="survey-open-mine"),
]
