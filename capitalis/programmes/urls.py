"""Public pages of the programme catalogue, under /programmes/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.programmes import views, views_calendar

app_name = "programmes"

urlpatterns: list[URLPattern | URLResolver] = [
    # The public catalogue (helper G).
    path("", views.catalogue, name="catalogue"),
    # Calendars (helper F): the public feed, then the page of a campus, track and edition.
    path("calendars/<uuid:token>.ics", views_calendar.calendar_feed, name="calendar-feed"),
    path(
        "calendars/<str:edition>/<str:campus>/<str:track>/",
        views_calendar.calendar_page,
        name="calendar",
    ),
    # The director sets an edition's application window.
    path(
        "editions/<int:pk>/applications/",
        views.application_window,
        name="edition-applications",
    ),
    path("<str:programme>/<str:edition>/", views.catalogue, name="catalogue-edition"),
]
