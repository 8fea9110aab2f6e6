"""Shared fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _forget_signing_key_checks():
    """Which keys signed the stored credentials is remembered per process; each test has its
    own database, so each starts with nothing remembered."""
    from capitalis.credentials import queries

    queries.forget_signers()


@pytest.fixture
def referential_data(db):
    """The shipped référentiel (data/referential/, RNCP39853) loaded through the service that
    `manage.py load_data` runs; returns its DataLoadReport. Works with `transactional_db` too."""
    from capitalis.core.services import data_load

    return data_load()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(email="user@example.org", password="pw-Secret-123")
