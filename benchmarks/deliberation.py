"""Deliberation benchmark (issue 5, bench (a)): 20,000 synthetic learners × 25 competencies ×
~6 evidence rows each in a bare PostgreSQL table. The full deliberation (load the rows, then
``capitalis.jury.rules_fast.deliberate``, the fast twin of ``rules.deliberate``: every block
status with its reasons, and the certification decision) against ONE hand-written SQL query
computing the same block statuses. Both must agree on every (learner, block); target: time
ratio ≤ 2.

Besides time (median of 3, with its spread), each side's CPU seconds are printed: every process
involved, PostgreSQL backends included (read from /proc when the server runs on this machine),
the SQL query on one backend (parallel workers off). On a machine shared with other work the
time ratio moves with the load (the parallel SQL plan suffers more from it than the Python
processes); the CPU ratio much less. The SQL query is also timed with a work_mem large enough
that nothing spills to disk, to show the baseline is not handicapped by the default 4 MB.

The database is ``$BENCH_DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432/capitalis_bench_deliberation, created when missing); the
synthetic rows are generated once and reused while their shape is unchanged."""

from __future__ import annotations

import gc
import io
import json
import multiprocessing
import os
import random
import resource
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg

from capitalis.jury.rules import (
    Absence,
    BlockKind,
    BlockSpec,
    BlockStatus,
    CertificationRule,
    Evidence,
    Key,
    Level,
    PriorValidation,
    Session,
    VersionStructure,
)
from capitalis.jury.rules_fast import deliberate

LEARNERS = 20_000
MAX_RATIO = 2.0
SEED = 39853
SHAPE = "v2"  # bump when the generator changes
# 4 common blocks (4, 4, 4, 5 competencies) + 2 optional (4 each): 25 competencies.
BLOCK_SIZES = [(BlockKind.COMMON, 4), (BlockKind.COMMON, 4), (BlockKind.COMMON, 4)]
BLOCK_SIZES += [(BlockKind.COMMON, 5), (BlockKind.OPTIONAL, 4), (BlockKind.OPTIONAL, 4)]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/capitalis_bench_deliberation"

# smallint codes in the bare table
LEVELS: dict[int | None, Level | None] = {None: None, **dict(enumerate(Level))}
SESSIONS = {0: Session.FIRST, 1: Session.RESIT}
ABSENCES = {0: Absence.NONE, 1: Absence.JUSTIFIED, 2: Absence.UNJUSTIFIED}

SCHEMA = """
DROP TABLE IF EXISTS bench_evidence, bench_competency, bench_block, bench_learner,
    bench_validation, bench_meta;
CREATE TABLE bench_block (block int PRIMARY KEY, kind text NOT NULL, size int NOT NULL);
CREATE TABLE bench_competency (competency int PRIMARY KEY, block int NOT NULL);
CREATE TABLE bench_learner (learner int PRIMARY KEY);
CREATE TABLE bench_evidence (
    learner int NOT NULL, competency int NOT NULL, assessment int NOT NULL,
    weight numeric(4, 1) NOT NULL, grade numeric(4, 2), level smallint,
    session smallint NOT NULL, absence smallint NOT NULL, resit_of int
);
CREATE TABLE bench_validation (learner int NOT NULL, block int NOT NULL, validated_on date);
CREATE INDEX ON bench_validation (learner);
CREATE TABLE bench_meta (shape text);
"""

# Block statuses in one query: the rows that count (a resit replaces the first session of its
# assessment: an anti-join), per competency (weighted sums, exact comparisons), per block (below
# threshold / without evidence), every learner × block, prior validations first. Same rules as
# the defaults of capitalis.jury.rules.
SQL = """
WITH competency AS (
    SELECT learner, competency,
        sum(weight * grade) FILTER (WHERE absence = 0 AND grade IS NOT NULL) AS gs,
        sum(weight) FILTER (WHERE (absence = 0 AND grade IS NOT NULL) OR absence = 2) AS gw,
        sum(weight * level) FILTER (WHERE absence = 0 AND level IS NOT NULL) AS ls,
        sum(weight) FILTER (WHERE absence = 0 AND level IS NOT NULL) AS lw
    FROM bench_evidence e
    LEFT JOIN (
        SELECT DISTINCT learner AS l, competency AS c, coalesce(resit_of, assessment) AS slot
        FROM bench_evidence WHERE session = 1 AND absence <> 1 AND weight > 0
    ) resit ON e.session = 0 AND resit.l = e.learner AND resit.c = e.competency
        AND resit.slot = coalesce(e.resit_of, e.assessment)
    WHERE e.absence <> 1 AND e.weight > 0 AND resit.l IS NULL
    GROUP BY 1, 2
), block AS (
    SELECT c.learner, k.block,
        count(*) FILTER (WHERE gw > 0 OR lw > 0) AS evidenced,
        count(*) FILTER (WHERE (gw > 0 OR lw > 0)
            AND NOT coalesce(gw > 0 AND gs >= 10 * gw, false)
            AND NOT coalesce(lw > 0 AND ls >= 2 * lw, false)) AS below
    FROM competency c JOIN bench_competency k USING (competency)
    GROUP BY 1, 2
)
SELECT l.learner, b.block,
    CASE WHEN EXISTS (SELECT 1 FROM bench_validation v
                      WHERE v.learner = l.learner AND v.block = b.block) THEN 'validated'
         WHEN coalesce(s.below, 0) > 0 THEN 'not_validated'
         WHEN coalesce(s.evidenced, 0) < b.size THEN 'incomplete'
         ELSE 'validated' END AS status
FROM bench_learner l CROSS JOIN bench_block b
LEFT JOIN block s ON s.learner = l.learner AND s.block = b.block
"""

# Grades (hundredths), weights (tenths) and the three small codes come as integers and are
# decoded through tables built once: exact, and cheaper than a Decimal per numeric value.
LOAD_EVIDENCE = """SELECT learner, competency, assessment, (weight * 10)::int,
    (grade * 100)::int, (session * 3 + absence) * 5 + coalesce(level + 1, 0), resit_of
    FROM bench_evidence WHERE learner >= %s AND learner < %s"""
GRADES: dict[int | None, Decimal | None] = {None: None}
GRADES.update((n, Decimal(n).scaleb(-2)) for n in range(2001))
WEIGHTS = {n: Decimal(n).scaleb(-1) for n in range(10_000)}
CODES = {
    (session * 3 + absence) * 5 + (0 if level is None else level + 1): (
        LEVELS[level],
        SESSIONS[session],
        ABSENCES[absence],
    )
    for session in SESSIONS
    for absence in ABSENCES
    for level in LEVELS
}
LOAD_VALIDATIONS = """SELECT learner, block, validated_on FROM bench_validation
    WHERE learner >= %s AND learner < %s"""
CHUNK = 2_000  # learners per load
TUNED_WORK_MEM = "512MB"


def structure() -> VersionStructure:
    blocks = []
    competency = 0
    for index, (kind, size) in enumerate(BLOCK_SIZES, start=1):
        keys = tuple(range(competency + 1, competency + size + 1))
        competency += size
        blocks.append(BlockSpec(index, f"BC{index:02}", kind, keys))
    return VersionStructure("bench", tuple(blocks), CertificationRule(optional_required=1))


def _rows(learners: int, spec: VersionStructure) -> Iterator[str]:
    """Tab-separated evidence rows (COPY text format), deterministic."""
    rng = random.Random(SEED)
    for learner in range(1, learners + 1):
        skill = rng.gauss(11.5, 2.0)
        optional = rng.choice([b for b in spec.blocks if b.kind is BlockKind.OPTIONAL]).key
        for block in spec.blocks:
            if block.kind is BlockKind.OPTIONAL and block.key != optional:
                continue
            for competency in block.competencies:
                if rng.random() < 0.03:
                    continue  # not assessed yet
                for j in range(rng.randint(5, 7)):
                    assessment = int(competency) * 10 + j
                    weight = rng.choice(("1", "1", "2", "3", "0.5"))
                    roll = rng.random()
                    absence = 1 if roll < 0.02 else 2 if roll < 0.04 else 0
                    grade_value = max(0.0, min(20.0, rng.gauss(skill, 3.5)))
                    grade = f"{grade_value:.2f}" if rng.random() < 0.85 else r"\N"
                    level = (
                        str(rng.randint(0, 3)) if grade == r"\N" or rng.random() < 0.1 else r"\N"
                    )
                    if absence:
                        grade = level = r"\N"
                    yield (
                        f"{learner}\t{competency}\t{assessment}\t{weight}\t{grade}\t{level}"
                        f"\t0\t{absence}\t\\N\n"
                    )
                    if grade != r"\N" and grade_value < 10 and rng.random() < 0.4:
                        resit = max(0.0, min(20.0, rng.gauss(skill + 1, 3.0)))
                        yield (
                            f"{learner}\t{competency}\t{assessment + 5000}\t{weight}\t"
                            f"{resit:.2f}\t\\N\t1\t0\t{assessment}\n"
                        )


def ensure_data(conn: psycopg.Connection, learners: int, spec: VersionStructure) -> int:
    """Create and fill the bare tables unless they already hold this shape; rows count."""
    shape = f"{SHAPE}:{learners}:{SEED}"
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
        row = cur.fetchone()
        if row and row[0]:
            cur.execute("SELECT shape FROM bench_meta")
            found = cur.fetchone()
            if found and found[0] == shape:
                cur.execute("SELECT count(*) FROM bench_evidence")
                count = cur.fetchone()
                return int(count[0]) if count else 0
        started = time.perf_counter()
        cur.execute(SCHEMA)
        for block in spec.blocks:
            cur.execute(
                "INSERT INTO bench_block VALUES (%s, %s, %s)",
                (block.key, block.kind.value, len(block.competencies)),
            )
            for competency in block.competencies:
                cur.execute("INSERT INTO bench_competency VALUES (%s, %s)", (competency, block.key))
        cur.execute("INSERT INTO bench_learner SELECT generate_series(1, %s)", (learners,))
        with cur.copy("COPY bench_evidence FROM STDIN") as copy:
            buffer = io.StringIO()
            for n, line in enumerate(_rows(learners, spec)):
                buffer.write(line)
                if n % 50_000 == 49_999:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        # 10% of learners had a block validated at an earlier session (capitalised).
        rng = random.Random(SEED + 1)
        validations = [
            (learner, rng.choice(spec.blocks).key, date(2024, 6, 28))
            for learner in range(1, learners + 1)
            if rng.random() < 0.1
        ]
        with cur.copy("COPY bench_validation FROM STDIN") as copy:
            for item in validations:
                copy.write_row(item)
        # as a real results table would have (the learner's foreign key)
        cur.execute("CREATE INDEX ON bench_evidence (learner)")
        cur.execute("INSERT INTO bench_meta VALUES (%s)", (shape,))
        conn.commit()
        cur.execute("SELECT count(*) FROM bench_evidence")
        count = cur.fetchone()
        print(f"generated the synthetic rows in {time.perf_counter() - started:.1f} s")
        return int(count[0]) if count else 0


Loaded = tuple[dict[Key, list[Evidence]], dict[Key, list[PriorValidation]]]


def _load(cur: psycopg.Cursor[Any], start: int, stop: int, version: Key) -> Loaded:
    """The evidence rows and prior validations of the learners [start, stop), as the rules
    take them. Each Evidence is built with ``tuple.__new__`` (the NamedTuple's own ``__new__``
    is a Python function: a frame per row for the same tuple)."""
    grades, weights, codes = GRADES, WEIGHTS, CODES
    make, evidence_type = tuple.__new__, Evidence
    evidence: dict[Key, list[Evidence]] = {}
    cur.execute(LOAD_EVIDENCE, (start, stop), binary=True)  # integers, no text to parse
    last: int | None = None
    rows: list[Evidence] = []
    for learner, comp, assessment, weight, grade, code, resit_of in cur.fetchall():
        if learner != last:  # a learner's rows mostly come together: one lookup per run
            found = evidence.get(learner)
            if found is None:
                found = evidence[learner] = []
            rows, last = found, learner
        level, session, absence = codes[code]
        rows.append(
            make(
                evidence_type,
                (
                    comp,
                    assessment,
                    weights[weight],
                    grades[grade],
                    level,
                    session,
                    absence,
                    resit_of,
                ),
            )
        )
    prior: dict[Key, list[PriorValidation]] = {}
    cur.execute(LOAD_VALIDATIONS, (start, stop))
    for learner, block, validated_on in cur.fetchall():
        prior.setdefault(learner, []).append(PriorValidation(block, version, validated_on))
    return evidence, prior


Statuses = list[tuple[int, int, str]]


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process of this machine has used (a PostgreSQL backend,
    when the server runs here); 0 when /proc does not tell."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _chunks(url: str, starts: list[int], reasons: bool) -> tuple[Statuses, float, float]:
    """Some chunks of learners, each [start, start + CHUNK): load its rows, deliberate with
    the pure rules; (learner, block, status). A thread loads the next chunk while the rules
    run on this one, so the database works while Python does (as PostgreSQL's own workers
    overlap theirs). With ``reasons``, every block's reasons are also spelled out as JSON
    (what a jury session stores beside each decision). The cyclic GC is paused: many small
    immutable tuples, no cycles. Also returns the CPU seconds this process and its database
    backend spent."""
    spec = structure()
    out: Statuses = []
    own = _own_cpu()
    server = 0.0
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with (
            psycopg.connect(url) as conn,
            conn.cursor() as cur,
            ThreadPoolExecutor(max_workers=1) as loader,
        ):
            pending = [
                loader.submit(_load, cur, start, start + CHUNK, spec.version)
                for start in starts[:1]
            ]
            for index, _start in enumerate(starts):
                evidence, prior = pending.pop().result()
                if index + 1 < len(starts):
                    begin = starts[index + 1]
                    pending.append(loader.submit(_load, cur, begin, begin + CHUNK, spec.version))
                result = deliberate(evidence, prior, spec)
                for learner, item in result.items():
                    for b in item.blocks:
                        out.append((int(learner), int(b.block.key), b.status.value))
                        if reasons:
                            json.dumps(b.reasons_json(), default=str)
                del evidence, prior, result
            server = _process_cpu(conn.info.backend_pid)
    finally:
        if gc_was_enabled:
            gc.enable()
    return out, _own_cpu() - own, server


def python_deliberation(
    url: str, learners: int, workers: int = 1, reasons: bool = False
) -> tuple[dict[tuple[int, int], str], float]:
    """The full deliberation: chunks of learners (memory stays bounded, as a service persisting
    each chunk's decisions would), shared among ``workers`` processes (as PostgreSQL runs its
    query with parallel workers); ((learner, block) → status, CPU seconds of every process
    involved: this one, the workers, their database backends)."""
    own = _own_cpu()
    starts = list(range(1, learners + 1, CHUNK))
    tasks = [(url, starts[worker::workers], reasons) for worker in range(workers)]
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.starmap(_chunks, tasks)
        cpu = sum(worker_cpu + server for _out, worker_cpu, server in parts)
    else:
        parts = [_chunks(*task) for task in tasks]
        cpu = sum(server for _out, _worker_cpu, server in parts)
    statuses = {
        (learner, block): status for part, _cpu, _server in parts for learner, block, status in part
    }
    return statuses, cpu + _own_cpu() - own


def sql_deliberation(conn: psycopg.Connection) -> dict[tuple[int, int], str]:
    with conn.cursor() as cur:
        cur.execute(SQL)
        return {(learner, block): status for learner, block, status in cur.fetchall()}


def sql_deliberation_tuned(conn: psycopg.Connection) -> dict[tuple[int, int], str]:
    """The same query with work_mem large enough that none of its sorts and hashes spill to
    disk (with the default 4 MB they do): the SQL at its best, for reference."""
    conn.execute(f"SET work_mem = '{TUNED_WORK_MEM}'")
    try:
        return sql_deliberation(conn)
    finally:
        conn.execute("RESET work_mem")


def sql_cpu(conn: psycopg.Connection) -> float:
    """CPU seconds of the SQL query run on one backend (parallel workers off, so that every
    second it costs is counted: a parallel plan spends as much or more) plus this process
    taking its rows."""
    conn.execute("SET max_parallel_workers_per_gather = 0")
    try:
        server, own = _process_cpu(conn.info.backend_pid), _own_cpu()
        sql_deliberation(conn)
        return _process_cpu(conn.info.backend_pid) - server + _own_cpu() - own
    finally:
        conn.execute("RESET max_parallel_workers_per_gather")


def _timed(function, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - started, value


def run(learners: int = LEARNERS, repeat: int = 3, workers: int | None = None) -> int:
    """Generate (once), time both ``repeat`` times (median), check they agree; 0 when the
    ratio is within the target."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    workers = workers or min(os.cpu_count() or 1, 4)
    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    spec = structure()
    with psycopg.connect(url) as conn:
        count = ensure_data(conn, learners, spec)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        print(
            f"deliberation: {learners} learners × {sum(len(b.competencies) for b in spec.blocks)}"
            f" competencies in {len(spec.blocks)} blocks, {count} evidence rows "
            f"({count / learners:.0f} per learner) on PostgreSQL"
        )
        sql_times: list[float] = []
        py_times: dict[int, list[float]] = {w: [] for w in sorted({1, workers})}
        py_cpu: dict[int, list[float]] = {w: [] for w in py_times}
        sql_cpus: list[float] = []
        tuned_times: list[float] = []
        sql_result: dict[tuple[int, int], str] = {}
        py_result: dict[tuple[int, int], str] = {}
        for _ in range(repeat):
            seconds, sql_result = _timed(sql_deliberation, conn)
            sql_times.append(seconds)
            sql_cpus.append(sql_cpu(conn))
            seconds, tuned_result = _timed(sql_deliberation_tuned, conn)
            tuned_times.append(seconds)
            if tuned_result != sql_result:
                print("FAIL: the tuned SQL query disagrees")
            for count_workers, times in py_times.items():
                seconds, (result, cpu) = _timed(python_deliberation, url, learners, count_workers)
                times.append(seconds)
                py_cpu[count_workers].append(cpu)
                if py_result and result != py_result:
                    print("FAIL: sequential and parallel deliberations differ")
                py_result = result
        reasons_s, _ = _timed(python_deliberation, url, learners, workers, True)
    sql_s = statistics.median(sql_times)
    ratios = {w: statistics.median(t) / sql_s for w, t in py_times.items()}
    ratio = min(ratios.values())
    counts = {s.value: 0 for s in BlockStatus}
    for status in py_result.values():
        counts[status] += 1
    disagree = [
        k for k in py_result.keys() | sql_result.keys() if py_result.get(k) != sql_result.get(k)
    ]
    sql_cpu_s = statistics.median(sql_cpus)
    print(
        f"{'run (median of ' + str(repeat) + ')':<48} {'time (s)':>9} {'ratio':>7} "
        f"{'spread (s)':>13} {'CPU (s)':>8} {'CPU ratio':>9}"
    )

    def spread(times: list[float]) -> str:
        return f"{min(times):.2f}–{max(times):.2f}"

    print(
        f"{'one hand-written SQL query (block statuses)':<48} {sql_s:>9.2f} {1:>7.2f} "
        f"{spread(sql_times):>13} {sql_cpu_s:>8.2f} {1:>9.2f}"
    )
    for w, times in py_times.items():
        label = f"load rows + rules_fast.deliberate, {w} process(es)"
        cpu = statistics.median(py_cpu[w])
        print(
            f"{label:<48} {statistics.median(times):>9.2f} {ratios[w]:>7.2f} "
            f"{spread(times):>13} {cpu:>8.2f} {cpu / sql_cpu_s:>9.2f}"
        )
    tuned_s = statistics.median(tuned_times)
    label = f"SQL with work_mem = {TUNED_WORK_MEM} (no spill)"
    print(f"{label:<48} {tuned_s:>9.2f} {tuned_s / sql_s:>7.2f} {spread(tuned_times):>13}")
    label = f"ratio best Python / SQL with work_mem {TUNED_WORK_MEM}"
    best_python = min(statistics.median(t) for t in py_times.values())
    print(f"{label:<48} {'':>9} {best_python / tuned_s:>7.2f}")
    label = f"… + every block reason as JSON, {workers} proc. (1 run)"
    print(f"{label:<48} {reasons_s:>9.2f} {reasons_s / sql_s:>7.2f}")
    print(
        "(CPU: every process involved, database backends included — the SQL query's on one "
        "backend, parallel workers off; less sensitive than time to the machine's other load)"
    )
    print(f"block statuses: {counts}; (learner, block) pairs: {len(py_result)}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    failures = []
    if disagree:
        failures.append(f"{len(disagree)} (learner, block) statuses differ, e.g. {disagree[:3]}")
    if ratio > MAX_RATIO:
        failures.append(f"ratio {ratio:.2f} > {MAX_RATIO}")
    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures:
        print(f"OK: both agree on every status; ratio ≤ {MAX_RATIO}")
    return 1 if failures else 0


if __name__ == "__main__":
    import sys

    sys.exit(run(int(sys.argv[1]) if len(sys.argv) > 1 else LEARNERS))
