"""Jury grid benchmark (issue 5, bench (b)): the deliberation grid of a session of 500
learners (4 blocks, every learner deliberated) on PostgreSQL, through the whole Django stack
(test client, middleware, session, template). The grid is paged (50 learners a page, search by
name, filter by status), so what is timed is its FIRST PAGE (50 rows, as a jury member opens
it) and the "needs attention" filter's first page, each against a minimal Django view on the
same server (one query, a tiny template); the whole session is still counted and filtered in
SQL. Its SQL query count must not grow with the learners: measured at 50 and at 500.

Runs in a subprocess of its own (``python -m benchmarks.jury_grid``) against
``$BENCH_JURY_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/capitalis_bench_jury),
dropped and migrated afresh each run."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = 500
SMALL = 50
REPEAT = 15
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/capitalis_bench_jury"


def minimal(request: Any) -> Any:
    """The baseline: one query, a tiny template, through the same middleware."""
    from django.http import HttpResponse
    from django.template import engines

    from capitalis.jury.models import JurySession

    count = JurySession.objects.count()
    template = engines["django"].from_string("<!DOCTYPE html><title>x</title><p>{{ n }}</p>")
    return HttpResponse(template.render({"n": count}, request))


def _urlpatterns() -> list[Any]:
    from django.urls import include, path

    return [path("bench-minimal/", minimal), path("", include("capitalis.urls"))]


def __getattr__(name: str) -> Any:  # the bench's ROOT_URLCONF, built after django.setup()
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


def _measure() -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capitalis.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    settings.ROOT_URLCONF = "benchmarks.jury_grid"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    settings.MFA_REQUIRED_FOR_STAFF = False  # the president has no TOTP device (as in tests)
    call_command("migrate", verbosity=0, skip_checks=True)

    from capitalis.enrolment.models import Enrolment, Learner
    from capitalis.jury import services
    from capitalis.jury.queries import GRID_PAGE_SIZE
    from tests.jury.builders import grade, person, session, world

    w = world(learners=SMALL)
    for e in w.enrolments:
        for blk in w.blocks[:3]:
            grade(w, e, blk, 9 + e.pk % 7)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    client = Client()
    client.force_login(w.president)
    url = f"/jury/sessions/{s.pk}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        return len(ctx)

    small_queries = count()
    first = w.enrolments[0]
    more = []
    for n in range(SMALL, LEARNERS):
        user = person(f"bench{n}@example.org", f"Apprenant {n:03d}")
        more.append(
            Enrolment.objects.create(
                learner=Learner.objects.create(user=user),
                edition=first.edition,
                year=first.year,
                campus=first.campus,
                track=first.track,
                specialisation=first.specialisation,
            )
        )
    for e in more:
        for blk in w.blocks[:3]:
            grade(w, e, blk, 9 + e.pk % 7)
    services.session_learners_add(session=s, enrolments=more, actor=w.president)
    t0 = time.perf_counter()
    services.deliberate(session=s, actor=w.president)
    deliberate_s = time.perf_counter() - t0
    big_queries = count()
    first_page = client.get(url).content.decode()
    rows = first_page.count('id="row-')
    attention_url = f"{url}?status=attention"
    attention_rows = client.get(attention_url).content.decode().count('id="row-')

    # Both pages alternately, so the machine's load weighs on both alike.
    client.get(url)  # warm
    client.get("/bench-minimal/")
    grid_times: list[float] = []
    attention_times: list[float] = []
    minimal_times: list[float] = []
    for _ in range(REPEAT):
        for path, times in (
            (url, grid_times),
            (attention_url, attention_times),
            ("/bench-minimal/", minimal_times),
        ):
            t = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - t)
            assert response.status_code == 200
    grid_s = statistics.median(grid_times)
    attention_s = statistics.median(attention_times)
    minimal_s = statistics.median(minimal_times)

    def spread(times: list[float]) -> str:
        return f"{min(times) * 1000:.1f}–{max(times) * 1000:.1f}"

    print(
        f"jury grid: session of {LEARNERS} learners × {len(w.blocks)} blocks on PostgreSQL; "
        f"first page {rows} rows, {len(first_page.encode()) / 1024:.0f} KiB of HTML; "
        f"'needs attention' first page {attention_rows} rows"
    )
    print(f"{'measure':<44} {'value':>10} {'spread (ms)':>16}")
    print(f"{'grid SQL queries, ' + str(SMALL) + ' learners':<44} {small_queries:>10}")
    print(f"{'grid SQL queries, ' + str(LEARNERS) + ' learners':<44} {big_queries:>10}")
    print(
        f"{'grid first page median (ms, ' + str(REPEAT) + ' runs)':<44} {grid_s * 1000:>10.1f} "
        f"{spread(grid_times):>16}"
    )
    print(
        f"{'needs-attention first page median (ms)':<44} {attention_s * 1000:>10.1f} "
        f"{spread(attention_times):>16}"
    )
    print(
        f"{'minimal Django view median (ms)':<44} {minimal_s * 1000:>10.1f} "
        f"{spread(minimal_times):>16}"
    )
    print(f"{'ratio grid / minimal':<44} {grid_s / minimal_s:>10.1f}")
    print(f"{'deliberate ' + str(LEARNERS) + ' learners (s)':<44} {deliberate_s:>10.2f}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    flat = big_queries == small_queries
    print("query count flat: " + ("yes" if flat else "NO"))
    return 0 if flat and rows == GRID_PAGE_SIZE and attention_rows == GRID_PAGE_SIZE else 1


def run() -> int:
    """Recreate the bench database, then measure in a subprocess; its exit status."""
    import psycopg

    url = os.environ.get("BENCH_JURY_DATABASE_URL", DEFAULT_URL)
    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG",)}
    env["DATABASE_URL"] = url
    env["DJANGO_SETTINGS_MODULE"] = "capitalis.settings"
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.jury_grid", "--measure"], env=env, cwd=ROOT, check=False
    ).returncode


if __name__ == "__main__":
    sys.exit(_measure() if "--measure" in sys.argv else run())
