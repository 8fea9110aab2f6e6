"""Credentials benchmark (issue 6 point 8), issuance part: issuing N block credentials end to end
(load the frozen validations set-based, build, sign, store with one status-list allocation pass
per chunk, audit) against canonicalise-and-sign alone for the same documents (the floor).
Prints credentials per second for both and the ratio (target ≤ 1.5).

Runs in a subprocess (``python -m benchmarks.credentials --measure [--count N]``) on a fresh
SQLite file in a temporary directory (the embedded default), with a test-only signing key.
The data: one closed jury session (deliberated and signed through the services), then N/4
synthetic learners each holding the version's four blocks, validated by that session.
The PDF part is ``bench_pdfs`` (benchmarks/credentials_pdf.py: 1,000 certificate PDFs end to end
against bare WeasyPrint on the same HTML)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT = 10_000
CHUNK = 500
# TEST-ONLY seed (sha256(b"capitalis-demo"), public); never for real credentials.
BENCH_KEY = "58818354ad344c2baec453c74786831bc4cffd156944c27f388935846b098073"


def _setup(count: int) -> int:
    """The closed session and ``count`` block validations; returns the session id."""
    from capitalis.accounts.models import User
    from capitalis.enrolment.models import Learner
    from capitalis.jury import services as jury_services
    from capitalis.jury.models import BlockValidation, Route
    from tests.jury.builders import grade, session, world

    w = world(learners=1)
    for blk in w.blocks[:3]:
        grade(w, w.enrolments[0], blk, 14)
    s = session(w)
    jury_services.deliberate(session=s, actor=w.president)
    s = jury_services.session_close(session=s, actor=w.president)
    per = len(w.blocks)
    learners = (count + per - 1) // per
    users = User.objects.bulk_create(
        [
            User(email=f"bench{n}@example.org", full_name=f"Apprenant Banc {n:05d}", password="!")
            for n in range(learners)
        ]
    )
    rows = Learner.objects.bulk_create([Learner(user=u) for u in users])
    validations = [
        BlockValidation(
            learner=learner,
            block=block,
            version=w.version,
            validated_on=s.date,
            session=s,
            route=Route.VAE,
        )
        for learner in rows
        for block in w.blocks
    ][:count]
    BlockValidation.objects.bulk_create(validations)
    return s.pk


def issuance(count: int) -> int:
    """End to end against the floor, on the same documents; prints the figures."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, skip_checks=True)
    from capitalis.credentials import keys, queries, services, signing
    from capitalis.credentials.models import Credential
    from capitalis.jury.models import BlockValidation

    session_id = _setup(count)
    ids = list(
        BlockValidation.objects.filter(session_id=session_id, decision__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )[:count]
    services.credentials_issue(queries.block_issuables(validation_ids=ids[:1]))  # warm
    Credential.objects.all().delete()

    # Chunk by chunk, each issued chunk is followed by the floor on the same documents, so both
    # run under the same load of the shared machine (measured one after the other, the second
    # pass met a different load and the ratio moved with it).
    key = keys.issuer_key()
    end_to_end = end_to_end_cpu = floor = floor_cpu = 0.0
    for start in range(0, len(ids), CHUNK):
        t0, c0 = time.perf_counter(), time.process_time()
        items = queries.block_issuables(validation_ids=ids[start : start + CHUNK])
        issued_rows = services.credentials_issue(items)
        end_to_end += time.perf_counter() - t0
        end_to_end_cpu += time.process_time() - c0
        unsigned = [{k: v for k, v in c.document.items() if k != "proof"} for c in issued_rows]
        now = timezone.now()
        t0, c0 = time.perf_counter(), time.process_time()
        for doc in unsigned:
            signing.sign(doc, key, now)
        floor += time.perf_counter() - t0
        floor_cpu += time.process_time() - c0
    issued = Credential.objects.count()

    sample = Credential.objects.order_by("?").first()
    assert sample is not None and signing.verify(sample.document) == []
    load = os.getloadavg()[0]
    print(f"credentials issuance: {issued} block credentials on SQLite (load average {load:.1f})")
    print(f"{'measure':<46} {'value':>10}")
    print(f"{'end to end (s)':<46} {end_to_end:>10.2f}")
    print(f"{'end to end (credentials/s)':<46} {issued / end_to_end:>10.1f}")
    print(f"{'canonicalise + sign alone (s)':<46} {floor:>10.2f}")
    print(f"{'canonicalise + sign alone (credentials/s)':<46} {issued / floor:>10.1f}")
    print(f"{'ratio end to end / floor, wall clock':<46} {end_to_end / floor:>10.2f}")
    print(f"{'end to end, CPU of this process (s)':<46} {end_to_end_cpu:>10.2f}")
    print(f"{'canonicalise + sign alone, CPU (s)':<46} {floor_cpu:>10.2f}")
    ratio = end_to_end_cpu / floor_cpu
    # CPU time is the target's measure: the machine is shared, so wall clock moves with the
    # load of other processes (printed above); the database work is in-process (SQLite).
    print(f"{'ratio end to end / floor, CPU (target <= 1.5)':<46} {ratio:>10.2f}")
    return 0 if issued == count and ratio <= 1.5 else 1


def run(count: int = COUNT) -> int:
    """Measure in a subprocess on a fresh SQLite database; its exit status."""
    with tempfile.TemporaryDirectory(prefix="capitalis-bench-cred-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
        env["CAPITALIS_VAR_DIR"] = tmp
        env["DJANGO_SETTINGS_MODULE"] = "capitalis.settings"
        env["CREDENTIALS_SIGNING_KEY"] = BENCH_KEY
        env["CREDENTIALS_DID_WEB_DOMAIN"] = ""
        env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        return subprocess.run(
            [sys.executable, "-m", "benchmarks.credentials", "--measure", "--count", str(count)],
            env=env,
            cwd=ROOT,
            check=False,
        ).returncode


def bench_pdfs(count: int = 1_000) -> int:
    """The PDF part (``--only credentials_pdf``): see benchmarks/credentials_pdf.py."""
    from benchmarks import credentials_pdf

    return credentials_pdf.run(count)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.credentials")
    parser.add_argument("--count", type=int, default=COUNT)
    parser.add_argument("--measure", action="store_true")
    args = parser.parse_args()
    sys.exit(issuance(args.count) if args.measure else run(args.count))
