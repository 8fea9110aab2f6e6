"""Shared fixtures."""

import pytest


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(email="user@example.org", password="pw-Secret-123")
