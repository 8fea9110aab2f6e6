"""Settings read from the environment (capitalis/settings.py docstring), each checked in a fresh
interpreter so the environment of the test run does not leak in."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "SECRET_KEY": settings.SECRET_KEY,
    "ENGINE": db["ENGINE"], "NAME": str(db["NAME"]), "HOST": db.get("HOST", ""),
    "PORT": str(db.get("PORT", "")), "USER": db.get("USER", ""),
    "ATOMIC_REQUESTS": db["ATOMIC_REQUESTS"],
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "DEBUG": settings.DEBUG, "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "CACHE_LOCATION": settings.CACHES["default"].get("LOCATION", ""),
}))
"""
CLEARED = (
    "SECRET_KEY",
    "DATABASE_URL",
    "DEBUG",
    "ALLOWED_HOSTS",
    "HTTPS",
    "CELERY_BROKER_URL",
    "REDIS_URL",
)


def probe(var_dir: Path, **env: str) -> dict[str, Any]:
    """Load the settings in a subprocess with only ``env`` set, and report them."""
    full_env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    full_env.update(
        DJANGO_SETTINGS_MODULE="capitalis.settings", CAPITALIS_VAR_DIR=str(var_dir), **env
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_secret_key_generated_once_into_var_and_reused(tmp_path: Path) -> None:
    first = probe(tmp_path)["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert probe(tmp_path)["SECRET_KEY"] == first
    assert probe(tmp_path / "other")["SECRET_KEY"] != first


def test_secret_key_from_environment_is_not_written(tmp_path: Path) -> None:
    assert probe(tmp_path, SECRET_KEY="from-the-environment")["SECRET_KEY"] == (
        "from-the-environment"
    )
    assert not (tmp_path / "secret_key").exists()


def test_default_database_is_sqlite_in_var(tmp_path: Path) -> None:
    s = probe(tmp_path)
    assert s["ENGINE"] == "django.db.backends.sqlite3"
    assert s["NAME"] == str(tmp_path / "capitalis.sqlite3")
    assert s["ATOMIC_REQUESTS"] is False


def test_database_url_is_parsed(tmp_path: Path) -> None:
    s = probe(tmp_path, DATABASE_URL="postgres://capi:secret@db.internal:5433/capitalis")
    assert s["ENGINE"] == "django.db.backends.postgresql"
    assert (s["NAME"], s["HOST"], s["PORT"], s["USER"]) == (
        "capitalis",
        "db.internal",
        "5433",
        "capi",
    )
    assert s["ATOMIC_REQUESTS"] is False


def test_celery_runs_in_process_without_a_broker(tmp_path: Path) -> None:
    assert probe(tmp_path)["CELERY_TASK_ALWAYS_EAGER"] is True
    s = probe(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/1")
    assert s["CELERY_TASK_ALWAYS_EAGER"] is False
    assert s["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/1"


def test_production_switches(tmp_path: Path) -> None:
    default = probe(tmp_path)
    assert default["DEBUG"] is False
    assert default["SESSION_COOKIE_SECURE"] is False
    # Shared by every worker process (throttles count once), not one local memory per process.
    assert default["CACHE"] == "django.core.cache.backends.db.DatabaseCache"
    assert default["CACHE_LOCATION"] == "capitalis_cache"
    prod = probe(
        tmp_path,
        HTTPS="1",
        ALLOWED_HOSTS="capitalis.example.org, www.example.org",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert prod["SESSION_COOKIE_SECURE"] is True
    assert prod["SECURE_SSL_REDIRECT"] is True
    assert prod["ALLOWED_HOSTS"] == ["capitalis.example.org", "www.example.org"]
    assert prod["CACHE"].endswith("RedisCache")
