"""Public pages of the référentiel."""

from django.urls import path

from capitalis.referential import views, views_register

app_name = "referential"
urlpatterns = [
    path("", views.certification_list, name="certification-list"),
    path("register-import/", views_register.register_import_page, name="register-import"),
    path("<str:code>/", views.certification_detail, name="certification-detail"),
]
