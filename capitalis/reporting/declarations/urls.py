"""Page routes for declarations (included by urls.py): /reporting/declarations/…"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.reporting.declarations import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("declarations/", views.declarations, name="declarations"),
    path("declarations/export/", views.export, name="declarations-export"),
    path("declarations/report/", views.report_import, name="declarations-report"),
    path("declarations/awards/<int:pk>/resend/", views.resend, name="declarations-resend"),
    path("declarations/files/<int:pk>/", views.download, name="declarations-download"),
]
