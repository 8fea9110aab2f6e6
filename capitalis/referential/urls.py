"""Public pages of the référentiel."""

from django.urls import path

from capitalis.referential import views

app_name = "referential"
urlpatterns = [
    path("", views.certification_list, name="certification-list"),
    path("<str:code>/", views.certification_detail, name="certification-detail"),
]
