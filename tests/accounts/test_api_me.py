"""GET /api/accounts/me/: who the caller is (session or token), with her role grants."""

from __future__ import annotations

import pytest
from django.test import Client

from capitalis.accounts import services
from capitalis.accounts.rules import Role, ScopeKind, TokenScope
from tests.openapi_checks import answer_validated
from tests.referential.test_api import openapi  # noqa: F401

pytestmark = pytest.mark.django_db
ME = "/api/accounts/me/"


def test_me_by_token_with_roles(client: Client, openapi) -> None:  # noqa: F811
    user = services.user_create(email="ada@example.org", full_name="Ada", password="pw-Secret-123")
    services.role_grant(user=user, role=Role.PROGRAMME_DIRECTOR)
    services.role_grant(user=user, role=Role.LECTURER, scope=ScopeKind.COURSE, scope_id=7)
    _token, text = services.api_token_create(user=user, name="ci", scope=TokenScope.READ)
    response = answer_validated(
        openapi, ME, client.get(ME, HTTP_AUTHORIZATION=f"Bearer {text}"), "get"
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": "ada@example.org",
        "full_name": "Ada",
        "preferred_language": "fr",
        "roles": [
            {"role": "lecturer", "scope": "course", "scope_id": 7},
            {"role": "programme_director", "scope": "global", "scope_id": None},
        ],
    }


def test_me_needs_someone(client: Client) -> None:
    assert client.get(ME).status_code in (401, 403)
