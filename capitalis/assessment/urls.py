"""Assessment pages, under /assessment/."""

from __future__ import annotations

from django.urls import path

from capitalis.assessment import views, views_groups, views_imports

app_name = "assessment"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.assessment_create, name="create"),
    path("<int:pk>/edit/", views.assessment_edit, name="edit"),
    path("<int:pk>/results/", views.results_entry, name="results"),
    path("<int:pk>/groups/", views_groups.group_results, name="groups"),
    path("my-results/", views.my_results, name="my-results"),
    path("<int:pk>/import/", views_imports.results_import_page, name="import"),
    path(
        "<int:pk>/import/template.csv",
        views_imports.template_download_csv,
        name="import-template-csv",
    ),
    path(
        "<int:pk>/import/template.xlsx",
        views_imports.template_download_xlsx,
        name="import-template-xlsx",
    ),
]
