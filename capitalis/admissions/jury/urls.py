"""Routes of the interview, admission jury and decision letter pages (added to
``admissions/urls.py``'s ``urlpatterns``, namespace ``admissions``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from capitalis.admissions.jury import views

urlpatterns: list[URLPattern] = [
    path("interviews/", views.interview_slots, name="interview-slots"),
    path(
        "interviews/slots/<int:pk>/book/",
        views.interview_slot_book,
        name="interview-slot-book",
    ),
    path("interviews/<int:pk>/", views.interview_detail, name="interview"),
    path("juries/", views.jury_list, name="juries"),
    path("juries/<int:pk>/", views.jury_detail, name="jury"),
    path("letters/<int:pk>/", views.decision_letter, name="decision-letter"),
    path(
        "letters/<int:pk>/pdf/",
        views.decision_letter,
        {"fmt": "pdf"},
        name="decision-letter-pdf",
    ),
]
