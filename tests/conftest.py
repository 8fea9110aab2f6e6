"""Shared fixtures."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# the served schema, for every module
from tests.openapi_checks import openapi, served_schema  # noqa: F401

# Property tests judge results, not speed: on a loaded machine (xdist workers, CI) Hypothesis's
# deadline and "input generation is slow" health check fail tests that are right.
hypothesis_settings.register_profile(
    "capitalis", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("capitalis")

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
    FAST_HASHERS.

    Staff need no second factor: tests log staff in without a TOTP device; the tests of the
    second factor (tests/accounts/test_allauth.py, tests/browser/test_staff_second_factor.py)
    turn the requirement back on (settings.MFA_REQUIRED_FOR_STAFF) to check it. Set once for
    the session, not in each test: a changed setting makes the site forget what it caches (the
    generated API schema, a CPU-second or more, among them)."""
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        PASSWORD_HASHERS=FAST_HASHERS,
        MFA_REQUIRED_FOR_STAFF=False,
    ):
        yield


@pytest.fixture(autouse=True)
def _forget_signing_key_checks():
    """Which keys signed the stored credentials is remembered per process; each test has its
    own database, so each starts with nothing remembered."""
    from capitalis.credentials import queries

    queries.forget_signers()


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Each test starts in the site's language (French). A request through the test client
    leaves the language it negotiated active in the thread (LocaleMiddleware activates, nothing
    deactivates), so a test run after an English request would otherwise read English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


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
def _fresh_rate_limits():
    """allauth's rate limits live in the default cache: each test starts with none used (a
    database cache is rolled back with the test already; clearing it would need the database)."""
    from django.core.cache import cache
    from django.core.cache.backends.db import DatabaseCache

    if not isinstance(cache, DatabaseCache):
        cache.clear()


def _migrations_key() -> str:
    """A digest of every migration file on disk (the project's and the installed packages') and
    of the Django version: any change to a migration gives another key, so another template."""
    import hashlib
    import sys

    import django
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256(django.get_version().encode())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key in sorted(loader.disk_migrations):
        digest.update(repr(key).encode())
        module = sys.modules[type(loader.disk_migrations[key]).__module__]
        with open(module.__file__ or "", "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def _sqlite_migrated_template(request: pytest.FixtureRequest) -> Iterator[Callable[[], None]]:
    """On SQLite, the migrated test database is kept as a template file in pytest's cache
    (.pytest_cache, keyed by the migration files): each xdist worker (and each later run)
    copies it into its own in-memory test database instead of running every migration again
    (about twenty seconds per worker). The first worker to need it migrates while holding a
    file lock, the others wait and copy. PostgreSQL migrates as before."""
    import fcntl
    import sqlite3

    from django.core.management.commands import migrate
    from django.db import connections

    if connections["default"].vendor != "sqlite" or getattr(request.config, "cache", None) is None:
        yield lambda: None
        return
    folder = request.config.cache.mkdir("capitalis-migrated-db")
    template = folder / f"{_migrations_key()}.sqlite3"
    original = migrate.Command.handle

    def handle(self: Any, *args: Any, **options: Any) -> Any:
        connection = connections[options.get("database") or "default"]
        if connection.vendor != "sqlite":
            return original(self, *args, **options)
        with open(folder / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            connection.ensure_connection()
            if template.exists():
                source = sqlite3.connect(template)
                try:
                    source.backup(connection.connection)
                finally:
                    source.close()
                return None
            result = original(self, *args, **options)
            partial = template.with_suffix(".partial")
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            partial.replace(template)
            for stale in folder.glob("*.sqlite3"):  # templates of earlier migration files
                if stale != template:
                    stale.unlink(missing_ok=True)
            return result

    def restore() -> None:
        migrate.Command.handle = original  # type: ignore[method-assign]

    migrate.Command.handle = handle  # type: ignore[method-assign]
    try:
        yield restore
    finally:
        restore()


@pytest.fixture(scope="session")
def django_db_setup(_sqlite_migrated_template: Callable[[], None], django_db_setup: None) -> None:
    """pytest-django's own set-up, with the migrated template above in place on SQLite while it
    runs only: a test that calls ``migrate`` itself runs the real command."""
    _sqlite_migrated_template()
