"""API routes of the programme catalogue, under /api/programmes/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from capitalis.core.routers import DefaultRouter
from capitalis.programmes.api import (
    CampusViewSet,
    CourseViewSet,
    EditionViewSet,
    ProgrammeViewSet,
)

app_name = "programmes-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("editions", EditionViewSet, basename="edition")
router.register("campuses", CampusViewSet, basename="campus")
router.register("courses", CourseViewSet, basename="course")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)

# Calendars (helper F): capitalis/programmes/api_calendar.py.
from django.urls import path  # noqa: E402

from capitalis.programmes import api_calendar  # noqa: E402

urlpatterns += [
    path("calendars/", api_calendar.CalendarList.as_view(), name="calendar-list"),
    path(
        "calendars/<str:edition>/<str:campus>/<str:track>/",
        api_calendar.CalendarDetail.as_view(),
        name="calendar-detail",
    ),
    path(
        "calendars/<str:edition>/<str:campus>/<str:track>/ics/",
        api_calendar.CalendarIcs.as_view(),
        name="calendar-ics",
    ),
]
