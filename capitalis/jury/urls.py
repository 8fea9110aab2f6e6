"""Routes of the jury pages (namespace ``jury``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from capitalis.jury import views, views_prior, views_sessions, views_vae

app_name = "jury"

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("my-blocks/", views.my_blocks, name="my-blocks"),
    path("sessions/new/", views_sessions.session_new, name="session-new"),
    path("sessions/<int:pk>/", views.grid, name="grid"),
    path("sessions/<int:pk>/edit/", views_sessions.session_edit, name="session-edit"),
    path("sessions/<int:pk>/deliberate/", views.deliberate, name="deliberate"),
    path(
        "sessions/<int:pk>/override/<str:kind>/<int:decision_pk>/",
        views.override,
        name="override",
    ),
    path(
        "sessions/<int:pk>/reasons/<str:kind>/<int:decision_pk>/",
        views.reasons,
        name="reasons",
    ),
    path("sessions/<int:pk>/what-if/<int:enrolment_pk>/", views.what_if, name="what-if"),
    path("sessions/<int:pk>/close/", views.close, name="close"),
    path("sessions/<int:pk>/verify/", views.verify, name="verify"),
    path("sessions/<int:pk>/minutes.pdf", views.minutes, name="minutes"),
    path(
        "sessions/<int:pk>/appeals/<int:appeal_pk>/",
        views.appeal_decide,
        name="appeal-decide",
    ),
    path("sessions/<int:pk>/corrections/", views.corrections, name="corrections"),
    path(
        "sessions/<int:pk>/corrections/<int:decision_pk>/",
        views.correct,
        name="correct",
    ),
    path("vae/", views_vae.vae_list, name="vae-list"),
    path("vae/<int:pk>/", views_vae.vae_detail, name="vae-detail"),
    path(
        "vae/<int:pk>/documents/<int:document_pk>/",
        views_vae.vae_document_download,
        name="vae-document-download",
    ),
    path(
        "vae/<int:pk>/documents/<int:document_pk>/preview/",
        views_vae.vae_document_preview,
        name="vae-document-preview",
    ),
    path("my-vae/", views_vae.my_vae, name="my-vae"),
    path("prior-validations/", views_prior.prior_list, name="prior-list"),
    path("prior-validations/new/", views_prior.prior_new, name="prior-new"),
    path("prior-validations/import/", views_prior.prior_import, name="prior-import"),
    path("prior-validations/template.csv", views_prior.prior_template, name="prior-template"),
    path(
        "prior-validations/<int:pk>/document/",
        views_prior.prior_document,
        name="prior-document",
    ),
]
