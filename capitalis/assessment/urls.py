"""Assessment pages, under /assessment/."""

from __future__ import annotations

from django.urls import path

from capitalis.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("<int:pk>/results/", views.results_entry, name="results"),
    path("my-results/", views.my_results, name="my-results"),
]
