"""API routes for declarations (included by api_urls.py): /api/reporting/declarations/…"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.reporting.declarations import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("declarations/", api.AwardListView.as_view(), name="declarations"),
    path("declarations/export/", api.ExportView.as_view(), name="declaration-export"),
    path("declarations/report/", api.ReportImportView.as_view(), name="declaration-report"),
    path(
        "declarations/awards/<int:pk>/resend/",
        api.ResendView.as_view(),
        name="declaration-resend",
    ),
    path("declarations/files/", api.FluxListView.as_view(), name="declaration-files"),
    path(
        "declarations/files/<int:pk>/download/",
        api.FluxDownloadView.as_view(),
        name="declaration-file",
    ),
]
