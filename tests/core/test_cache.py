"""The database cache that rate limits share between worker processes when REDIS_URL is unset
(settings.CACHES; the probe of the settings themselves is in test_settings.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.db import connection


def test_migrate_creates_the_cache_table(db: None) -> None:
    assert settings.CACHE_TABLE in connection.introspection.table_names()


def test_database_cache_counts_across_processes(db: None) -> None:
    """Two cache objects (two worker processes) see the same counter: the throttle history one
    process writes is the one the other reads."""
    first = DatabaseCache(settings.CACHE_TABLE, {})
    second = DatabaseCache(settings.CACHE_TABLE, {})
    first.set("throttle_user_1", [1.0, 2.0], 60)
    assert second.get("throttle_user_1") == [1.0, 2.0]
    assert second.add("counter", 1)
    assert first.incr("counter") == 2
    assert second.get("counter") == 2
