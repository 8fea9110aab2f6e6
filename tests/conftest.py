"""Shared fixtures."""

from collections.abc import Iterator

import pytest
from django.test import override_settings

# The site hashes passwords with Argon2 (settings.PASSWORD_HASHERS): about a quarter of a CPU
# second and 100 MB per hash, by design. Tests create many users: they hash with MD5
# (unsafe, instant) instead. tests/accounts/test_pages.py checks the site's own hashers.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Long tests, started first: pytest-xdist hands tests out in collection order (shuffled by
# pytest-randomly), and one of these drawn last would leave a worker running it alone at the end.
# The seeded demo's module comes first as a whole, so one worker seeds it (once) for all its tests.
LONG_TESTS = (
    "tests/core/test_api_fuzz.py::",
    "tests/core/test_hostile_routes.py::",
    "tests/demo/",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_TESTS))


@pytest.fixture(autouse=True, scope="session")
def _local_memory_cache() -> Iterator[None]:
    """Tests keep a local-memory cache: the site's database cache (settings.CACHES, shared by
    every worker) would add its own queries to each API request's counted ones. The database
    cache itself is checked in tests/core/test_cache.py. Passwords are hashed with
    FAST_HASHERS."""
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        PASSWORD_HASHERS=FAST_HASHERS,
    ):
        yield


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


@pytest.fixture(scope="module")
def referential_data_once(django_db_setup, django_db_blocker):
    """The shipped référentiel loaded once for a whole module (tests.shared_db): a module whose
    tests only read it, all with ``db``, overrides ``referential_data`` with this one."""
    from capitalis.core.services import data_load
    from tests.shared_db import built_once

    with built_once(django_db_blocker, data_load) as report:
        yield report


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(email="user@example.org", password="pw-Secret-123")


@pytest.fixture(autouse=True)
def _staff_second_factor_not_required(settings):
    """Tests log staff in without a TOTP device; tests/accounts/test_mfa.py turns the
    requirement back on (settings.MFA_REQUIRED_FOR_STAFF) to check it."""
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth's rate limits live in the default cache: each test starts with none used (a
    database cache is rolled back with the test already; clearing it would need the database)."""
    from django.core.cache import cache
    from django.core.cache.backends.db import DatabaseCache

    if not isinstance(cache, DatabaseCache):
        cache.clear()
