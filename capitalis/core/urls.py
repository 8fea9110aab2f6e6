"""Pages of the background jobs, under /jobs/ (namespace ``jobs``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from capitalis.core import views

app_name = "jobs"

urlpatterns: list[URLPattern] = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/file/", views.job_file, name="file"),
]
