"""Staff create users in the admin with their e-mail address as login."""

from __future__ import annotations

import pytest
from django.test import Client

from capitalis.accounts.models import User

pytestmark = pytest.mark.django_db

# The add page carries the (empty) role assignments inline.
NO_ROLES = {
    "role_assignments-TOTAL_FORMS": "0",
    "role_assignments-INITIAL_FORMS": "0",
    "role_assignments-MIN_NUM_FORMS": "0",
    "role_assignments-MAX_NUM_FORMS": "1000",
}


def test_admin_creates_user_with_email(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.Person@Example.org",
            "password1": "a-Long-unusual-pw-4821",
            "password2": "a-Long-unusual-pw-4821",
            **NO_ROLES,
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email__iexact="new.person@example.org")
    assert user.check_password("a-Long-unusual-pw-4821")
    assert not user.is_staff


def test_admin_refuses_duplicate_email(admin_client: Client) -> None:
    User.objects.create_user(email="taken@example.org", password="pw-Secret-123")
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "taken@example.org",
            "password1": "a-Long-unusual-pw-4821",
            "password2": "a-Long-unusual-pw-4821",
            **NO_ROLES,
        },
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1


def test_admin_user_list_searches_by_email(admin_client: Client) -> None:
    User.objects.create_user(email="findme@example.org", password="pw-Secret-123")
    response = admin_client.get("/admin/accounts/user/?q=findme")
    assert response.status_code == 200
    assert "findme@example.org" in response.content.decode()
