"""Routes of the accounts API, under /api/accounts/ (namespace ``accounts-api``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.accounts.api import (
    AccountDetailView,
    AccountInviteView,
    AccountListView,
    AccountRoleGrantView,
    AccountRoleRevokeView,
    ApiTokenListView,
    ApiTokenRevokeView,
    MeView,
)

app_name = "accounts-api"

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/", MeView.as_view(), name="me"),
    path("tokens/", ApiTokenListView.as_view(), name="token-list"),
    path("tokens/<int:pk>/revoke/", ApiTokenRevokeView.as_view(), name="token-revoke"),
    path("users/", AccountListView.as_view(), name="user-list"),
    path("users/<int:user_id>/", AccountDetailView.as_view(), name="user-detail"),
    path("users/<int:user_id>/roles/", AccountRoleGrantView.as_view(), name="user-role-grant"),
    path(
        "users/<int:user_id>/roles/revoke/",
        AccountRoleRevokeView.as_view(),
        name="user-role-revoke",
    ),
    path("users/<int:user_id>/invite/", AccountInviteView.as_view(), name="user-invite"),
]
