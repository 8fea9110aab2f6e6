"""Results import benchmark (issue 5, bench (c)): a 100,000-row results CSV (4,000 synthetic
learners × 25 competencies) imported through the service (``results_import``: every row
checked, new results and their history written) against PostgreSQL COPY of the same file into a
bare table (the floor). Target: import / COPY ≤ 3.

A third figure is the least any results table can cost: the same rows, ids resolved, COPYed
into a table with nothing but a primary key and the uniqueness of (assessment, learner,
competency) that lets a file be imported twice (issue 5 point 3): about 4.6 times the bare
COPY by itself, before any row is read or checked. A fourth says where the import's time
goes: the same rows written straight into the real tables with nothing else (ids resolved
beforehand, COPY into ``assessment_result``, one INSERT of their history rows, every foreign
key checked; rolled back). Its seven indexes and four foreign keys, and the history table's
eight indexes and one foreign key, cost about fifty times the bare COPY by themselves; the
import's own work (reading, checking every row, comparing with the stored results) comes on
top of that.

Runs on PostgreSQL only: ``DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432/capitalis_bench, created when missing, migrated)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/capitalis_bench"
LEARNERS = 4_000
COMPETENCIES = 25
RUNS = 3
MAX_RATIO = 3.0


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--skip-checks", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )


def _world() -> Any:
    """The synthetic edition, course, 25 competencies, 4,000 enrolled learners and one
    assessment of all 25 (built once, reused by later runs)."""
    import datetime as dt

    from django.contrib.auth.hashers import make_password

    from capitalis.accounts.models import User
    from capitalis.assessment import services
    from capitalis.assessment.models import Assessment
    from capitalis.enrolment.models import Enrolment, Learner
    from capitalis.programmes.models import Campus, Course, Edition
    from capitalis.referential.models import Block, Competency
    from tests.programmes.builders import build_catalogue

    existing = Assessment.objects.filter(code="BENCH-C").first()
    if existing is not None:
        return existing
    programme = build_catalogue(editions=1, campuses=1, courses=1, code="BENCHC")
    edition = Edition.objects.get(programme=programme)
    course = Course.objects.filter(edition=edition).order_by("year__position", "position").first()
    assert course is not None
    block = Block.objects.filter(version=programme.certification_version, kind="common").first()
    assert block is not None
    have = set(Competency.objects.filter(block=block).values_list("code", flat=True))
    Competency.objects.bulk_create(
        [
            Competency(block=block, code=f"BC{n:02d}", statement_fr=f"Compétence {n}", position=n)
            for n in range(COMPETENCIES)
            if f"BC{n:02d}" not in have
        ]
    )
    competencies = list(Competency.objects.filter(block=block, code__startswith="BC"))
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(email=f"bench{n:05d}@example.org", full_name=f"Learner {n:05d}", password=password)
            for n in range(LEARNERS)
        ]
    )
    learners = Learner.objects.bulk_create(
        [Learner(user=u, national_student_number=f"{n:010d}B") for n, u in enumerate(users)]
    )
    campus = Campus.objects.order_by("position").first()
    assert campus is not None
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                learner=learner,
                edition=edition,
                year_id=course.year_id,
                campus=campus,
                track="initial",
                specialisation=None,
            )
            for learner in learners
        ]
    )
    return services.assessment_create(
        edition=edition,
        course=course,
        code="BENCH-C",
        title_fr="Banc d'essai",
        title_en="Benchmark",
        modality="written_exam",
        date=dt.date(2025, 1, 15),
        competencies=competencies,
        actor=None,
    )


def _csv(assessment: Any) -> bytes:
    """One row per learner × competency: INE, code, a grade with two decimals, a level."""
    from capitalis.assessment.services import concerned_enrolments

    ines = list(
        concerned_enrolments(assessment)
        .order_by("learner__national_student_number")
        .values_list("learner__national_student_number", flat=True)
    )
    codes = list(assessment.competency_links.values_list("competency__code", flat=True))
    levels = ("not_acquired", "in_progress", "acquired", "mastered")
    lines = ["learner,competency,grade,level,absence,comment"]
    n = 0
    for ine in ines:
        for code in codes:
            n += 1
            lines.append(f"{ine},{code},{(n * 37) % 2001 / 100:.2f},{levels[n % 4]},none,")
    return ("\n".join(lines) + "\n").encode()


def _resolved_rows(assessment: Any, content: bytes, actor: Any) -> list[tuple[Any, ...]]:
    """The file's rows with learner and competency ids resolved (not timed)."""
    from django.utils import timezone

    from capitalis.assessment.queries import concerned_enrolments

    enrolments = dict(
        concerned_enrolments(assessment).values_list("learner__national_student_number", "id")
    )
    competencies = dict(
        assessment.competency_links.values_list("competency__code", "competency_id")
    )
    now = timezone.now()
    rows = []
    for line in content.decode().splitlines()[1:]:
        ine, code, grade, level, absence, comment = line.split(",")
        rows.append(
            (
                assessment.pk,
                enrolments[ine],
                competencies[code],
                grade or None,
                level or None,
                absence,
                comment,
                actor.pk,
                now,
            )
        )
    return rows


_COLUMNS = (
    "assessment_id, enrolment_id, competency_id, grade, level, absence, comment, author_id, "
    "entered_at"
)


def _keyed_floor(rows: list[tuple[Any, ...]]) -> float:
    """Seconds to COPY the resolved rows into a table holding just what any import that can be
    run twice needs: a primary key and the uniqueness of (assessment, learner, competency); no
    other index, no foreign key, no history, nothing read or checked. The least a results
    table can cost, whatever the import."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_keyed_results; CREATE TABLE bench_keyed_results "
            "(id bigserial PRIMARY KEY, assessment_id bigint NOT NULL, enrolment_id bigint NOT "
            "NULL, competency_id bigint, grade numeric(4, 2), level varchar(20), absence "
            "varchar(20) NOT NULL, comment text NOT NULL, author_id bigint, entered_at "
            "timestamptz NOT NULL, UNIQUE (assessment_id, enrolment_id, competency_id))"
        )
    start = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY bench_keyed_results ({_COLUMNS}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_keyed_results")
    return seconds


def _tables_floor(rows: list[tuple[Any, ...]], assessment: Any, actor: Any) -> float:
    """Seconds to write the resolved rows into the real tables with nothing else: COPY into
    ``assessment_result`` (its indexes and foreign keys), one INSERT … SELECT of their history
    rows, the deferred foreign keys checked; then rolled back."""
    from django.db import connection, transaction
    from django.utils import timezone

    from capitalis.assessment.models import Result

    now = timezone.now()
    history = Result.history.model._meta.db_table  # type: ignore[attr-defined]
    fields = (
        "id, assessment_id, enrolment_id, competency_id, grade, level, absence, comment, "
        "author_id, entered_at"
    )

    class _Rollback(Exception):
        pass

    start = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY assessment_result ({_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {history} ({fields}, history_date, history_change_reason, "
                f"history_type, history_user_id) SELECT {fields}, %s, 'import', '+', %s "
                "FROM assessment_result WHERE assessment_id = %s",
                [now, actor.pk, assessment.pk],
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return seconds


def run(url: str | None = None) -> int:
    """Build the data (once), time the import and the COPY floor (median of 3 each), print
    them and the ratio; 0 when the ratio is within the target."""
    url = (
        url or os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    )
    if not url.startswith(("postgres://", "postgresql://")):
        print("results bench: PostgreSQL only (DATABASE_URL)")
        return 1
    _ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capitalis.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from capitalis.assessment.imports import results_import
    from capitalis.assessment.models import Result

    started = time.perf_counter()
    assessment = _world()
    content = _csv(assessment)
    rows = content.count(b"\n") - 1
    print(
        f"results file: {rows} rows, {len(content) / 1e6:.1f} MB "
        f"(data built/reused in {time.perf_counter() - started:.1f} s)"
    )
    history = Result.history.model  # type: ignore[attr-defined]
    from capitalis.accounts.models import User

    actor, _created = User.objects.get_or_create(
        email="bench-director@example.org", defaults={"is_superuser": True, "is_staff": True}
    )

    def clear() -> None:
        with connection.cursor() as cursor:  # no ORM delete: no per-row history signal
            cursor.execute(
                "DELETE FROM assessment_result WHERE assessment_id = %s", [assessment.pk]
            )
            cursor.execute(
                f"DELETE FROM {history._meta.db_table} WHERE assessment_id = %s", [assessment.pk]
            )
            cursor.execute("VACUUM ANALYZE assessment_result")
            cursor.execute(f"VACUUM ANALYZE {history._meta.db_table}")

    imports, reimports, copies = [], [], []
    report = None
    for _ in range(RUNS):
        clear()
        start = time.perf_counter()
        report = results_import(
            assessment=assessment, content=content, filename="bench.csv", actor=actor
        )
        imports.append(time.perf_counter() - start)
        assert report.created == rows and not report.errors, report.as_dict()
        start = time.perf_counter()
        again = results_import(
            assessment=assessment, content=content, filename="bench.csv", actor=actor
        )
        reimports.append(time.perf_counter() - start)
        assert again.unchanged == rows and not again.imported
    clear()
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_bare_results; CREATE TABLE bench_bare_results "
            "(learner text, competency text, grade numeric(4, 2), level text, absence text, "
            "comment text)"
        )
    for _ in range(RUNS):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_bare_results")
        start = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY bench_bare_results FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            copy.write(content)
        copies.append(time.perf_counter() - start)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare_results")
    resolved = _resolved_rows(assessment, content, actor)
    keyed = [_keyed_floor(resolved) for _ in range(RUNS)]
    tables = [_tables_floor(resolved, assessment, actor) for _ in range(RUNS)]
    imported, floor, keyed_s, tables_s = (
        statistics.median(x) for x in (imports, copies, keyed, tables)
    )
    ratio = imported / floor
    print(f"{'run (median of ' + str(RUNS) + ')':<48} {'time (s)':>10} {'spread':>15}")
    for label, times in (
        ("COPY into a bare table (floor)", copies),
        ("results_import, 100% new rows", imports),
        ("results_import again (all unchanged)", reimports),
        ("COPY into a table with only its keys (see below)", keyed),
        ("the tables' own write cost (see below)", tables),
    ):
        spread = f"{min(times):.3f}–{max(times):.3f}"
        print(f"{label:<48} {statistics.median(times):>10.3f} {spread:>15}")
    print(f"{'ratio import / COPY':<48} {ratio:>10.2f}")
    print(f"{'ratio keys-only table / COPY':<48} {keyed_s / floor:>10.2f}")
    print(f"{'ratio tables own write cost / COPY':<48} {tables_s / floor:>10.2f}")
    print(f"{'ratio import / tables own write cost':<48} {imported / tables_s:>10.2f}")
    print(
        "(keys-only table: the same rows, ids already resolved, COPYed into a table with just a "
        "primary key and the uniqueness of (assessment, learner, competency) that lets the same "
        "file be imported twice; no other index, no foreign key, no history, nothing checked: "
        "the least any results table can cost, whatever the import)"
    )
    print(
        "(the tables' own write cost: the same rows, ids already resolved, no checks, COPYed "
        "straight into assessment_result, their history rows INSERTed, every foreign key "
        "checked, rolled back: the least any import keeping these tables, their indexes, "
        "foreign keys and history can spend)"
    )
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if ratio > MAX_RATIO:
        print(f"FAIL: ratio {ratio:.2f} > {MAX_RATIO}")
        return 1
    print(f"OK: ratio ≤ {MAX_RATIO}")
    return 0


if __name__ == "__main__":
    sys.exit(run())
