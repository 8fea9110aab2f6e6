"""Routes of the public verification (/verify/<id>/), status lists, the DID document and the
achievement pages (/achievements/…) (no login)
(namespace ``verify``).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.credentials import views, views_achievements

app_name = "verify"

urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/", views.verify_form, name="form"),
    path("verify/<str:public_id>/", views.verify_page, name="page"),
    path("credentials/status/<slug:slug>/", views.status_list, name="status-list"),
    path(".well-known/did.json", views.did_document, name="did"),
    path(
        "achievements/<str:cert>/<str:version>/",
        views_achievements.version_page,
        name="achievement",
    ),
    path(
        "achievements/<str:cert>/<str:version>/<str:block>/",
        views_achievements.block_page,
        name="achievement-block",
    ),
]
