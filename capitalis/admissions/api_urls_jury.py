"""API routes of interviews, jury decisions and the admissions dashboard (added to
``admissions/api_urls.py``'s ``urlpatterns``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from capitalis.admissions import api_jury

urlpatterns: list[URLPattern] = [
    path("interviews/<int:pk>/", api_jury.InterviewDetailApi.as_view(), name="api-interview"),
    path(
        "juries/<int:pk>/decisions/",
        api_jury.JuryDecisionsApi.as_view(),
        name="api-jury-decisions",
    ),
    path("dashboard/", api_jury.DashboardApi.as_view(), name="api-dashboard"),
]
