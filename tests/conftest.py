"""Shared fixtures."""

from collections.abc import Iterator

import pytest
from django.test import override_settings


@pytest.fixture(autouse=True, scope="session")
def _local_memory_cache() -> Iterator[None]:
    """Tests keep a local-memory cache: the site's database cache (settings.CACHES, shared by
    every worker) would add its own queries to each API request's counted ones. The database
    cache itself is checked in tests/core/test_cache.py."""
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ):
        yield


@pytest.fixture
def referential_data(db):
    """The shipped référentiel (data/referential/, RNCP39853) loaded through the service that
    `manage.py load_data` runs; returns its DataLoadReport. Works with `transactional_db` too."""
    from capitalis.core.services import data_load

    return data_load()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(email="user@example.org", password="pw-Secret-123")
