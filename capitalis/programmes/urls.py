"""Pages of the programme catalogue, under /programmes/. The catalogue page itself
(``programmes:catalogue``, ``programmes:catalogue-edition``) is composed in web
(``capitalis.web.urls_catalogue``); ``capitalis.urls`` joins both in the ``programmes``
namespace."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.programmes import views, views_calendar

app_name = "programmes"

urlpatterns: list[URLPattern | URLResolver] = [
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
]
