"""Page routes for personal data (included by urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.reporting.privacy import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("privacy/", views.privacy_home, name="privacy"),
    path("privacy/export/<int:user_id>/", views.privacy_export, name="privacy-export"),
    path("privacy/mine/", views.privacy_mine, name="privacy-mine"),
]
