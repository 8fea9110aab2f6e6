"""API routes of interviews, jury decisions and the admissions dashboard (added to
``admissions/api_urls.py``'s ``urlpatterns``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from capitalis.admissions import api_staff
from capitalis.admissions.jury import api

urlpatterns: list[URLPattern] = [
    path("interviews/<int:pk>/", api.InterviewDetailApi.as_view(), name="api-interview"),
    path(
        "juries/<int:pk>/decisions/",
        api.JuryDecisionsApi.as_view(),
        name="api-jury-decisions",
    ),
    path("dashboard/", api.DashboardApi.as_view(), name="api-dashboard"),
    # the staff's steps between a submitted file and the decision (api_staff.py)
    path(
        "interview-slots/",
        api_staff.InterviewSlotCreateApi.as_view(),
        name="api-interview-slot-create",
    ),
    path(
        "interview-slots/<int:pk>/book/",
        api_staff.InterviewBookApi.as_view(),
        name="api-interview-slot-book",
    ),
    path(
        "interviews/<int:pk>/record/",
        api_staff.InterviewRecordApi.as_view(),
        name="api-interview-record",
    ),
    path("juries/", api_staff.JuryCreateApi.as_view(), name="api-jury-create"),
    path("juries/<int:pk>/present/", api_staff.JuryPresentApi.as_view(), name="api-jury-present"),
]
