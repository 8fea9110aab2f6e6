"""Admissions pages, under /admissions/ (the interview and jury routes are added below)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.admissions import views, views_documents

app_name = "admissions"
urlpatterns: list[URLPattern | URLResolver] = [
    path("signup/", views.signup, name="signup"),
    path("", views.application_list, name="application-list"),
    path("apply/", views.application_form, name="application-new"),
    path("<int:pk>/", views.application_detail, name="application-detail"),
    path("<int:pk>/edit/", views.application_form, name="application-edit"),
    path("<int:pk>/move/", views.application_move, name="application-move"),
    path("<int:pk>/fee/", views.application_fee, name="application-fee"),
    path(
        "<int:pk>/documents/<int:document_pk>/",
        views_documents.document_download,
        name="document-download",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/preview/",
        views_documents.document_preview,
        name="document-preview",
    ),
]


# Interviews, admission juries, decision letters: capitalis/admissions/jury/urls.py.
from capitalis.admissions.jury import urls as jury_urls  # noqa: E402

urlpatterns += jury_urls.urlpatterns
