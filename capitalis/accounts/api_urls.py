"""Routes of the accounts API, under /api/accounts/ (namespace ``accounts-api``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.accounts.api import ApiTokenListView, ApiTokenRevokeView, MeView

app_name = "accounts-api"

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/", MeView.as_view(), name="me"),
    path("tokens/", ApiTokenListView.as_view(), name="token-list"),
    path("tokens/<int:pk>/revoke/", ApiTokenRevokeView.as_view(), name="token-revoke"),
]
