"""Enrolment pages, under /enrolment/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.enrolment import views

app_name = "enrolment"

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("me/", views.my_record, name="me"),
    path("learners/<int:pk>/", views.learner_detail, name="learner"),
    path("learners/<int:pk>/update/", views.learner_update, name="learner-update"),
    path("learners/<int:pk>/cvec/", views.cvec_add, name="cvec-add"),
    path("admitted/", views.admitted_list, name="admitted"),
    path("admitted/<int:application_pk>/enrol/", views.enrol, name="enrol"),
    path(
        "applications/<int:application_pk>/",
        views.application_redirect,
        name="application-learner",
    ),
    path("enrolments/<int:pk>/contract/", views.contract_add, name="contract-add"),
    path("enrolments/<int:pk>/internship/", views.internship_add, name="internship-add"),
    path("enrolments/<int:pk>/move/", views.enrolment_move, name="move"),
    path("enrolments/<int:pk>/reenrol/", views.reenrol, name="reenrol"),
    path("contracts/<int:pk>/terminate/", views.contract_terminate, name="contract-terminate"),
    path("contracts/<int:pk>/tutor/", views.contract_tutor, name="contract-tutor"),
]
