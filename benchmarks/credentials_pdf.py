"""Credentials benchmark (issue 6 point 8), PDF part: issuing N certificate PDFs end to end (load
the frozen decision, build the context, render the template, QR code, WeasyPrint, SHA-256, store
the file and the row, audit) against bare WeasyPrint rendering of the same HTML (the strings the
end-to-end run rendered, recorded) — the floor. Prints PDFs per second for both and the ratio
(target ≤ 1.3), in wall-clock and in CPU time (the machine is shared: CPU is the measure).

Profiled first: parsing the print stylesheet and registering the @font-face fonts per document
cost about as much as the rendering itself, so ``credentials.pdfs.engine()`` does both once per
process and every rendering reuses them (one FontConfiguration); a third line shows the naive
way (stylesheet and fonts per document) on a sample, for comparison. Font subsetting is the
other big cost: with the system's HarfBuzz-Subset library (Debian ``libharfbuzz-subset0``)
WeasyPrint subsets in C, else in fontTools (several times slower; both sides pay it alike).

Runs in a subprocess (``python -m benchmarks.credentials_pdf --measure [--count N]``) on a fresh
SQLite file and media directory in a temporary directory (the embedded default). The data: one
jury session deliberated and closed through the services (frozen minutes), then N synthetic
certified learners' decisions of that session (bulk-created)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT = 1_000
NAIVE_SAMPLE = 20


def _setup(count: int) -> list[int]:
    """The closed session and ``count`` certified decisions; returns their ids."""
    from capitalis.accounts.models import User
    from capitalis.enrolment.models import Enrolment, Learner
    from capitalis.jury import services as jury_services
    from capitalis.jury.models import (
        BlockValidation,
        CertificationDecision,
        JurySessionLearner,
        Route,
    )
    from tests.jury.builders import grade, session, world

    w = world(learners=1)
    for blk in w.blocks[:3]:
        grade(w, w.enrolments[0], blk, 14)
    s = session(w)
    jury_services.deliberate(session=s, actor=w.president)
    s = jury_services.session_close(session=s, actor=w.president)
    model = w.enrolments[0]
    users = User.objects.bulk_create(
        [
            User(
                email=f"bench-pdf{n}@example.org",
                full_name=f"Apprenante Banc-d'Essai {n:05d} Éloïse",
                password="!",
            )
            for n in range(count)
        ]
    )
    learners = Learner.objects.bulk_create([Learner(user=u) for u in users])
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                learner=learner,
                edition_id=model.edition_id,
                year_id=model.year_id,
                campus_id=model.campus_id,
                track=model.track,
                specialisation_id=model.specialisation_id,
            )
            for learner in learners
        ]
    )
    JurySessionLearner.objects.bulk_create(
        [JurySessionLearner(session=s, enrolment=e) for e in enrolments]
    )
    blocks = w.blocks[:3]
    BlockValidation.objects.bulk_create(
        [
            BlockValidation(
                learner=learner,
                block=block,
                version=w.version,
                validated_on=s.date,
                session=s,
                route=Route.TRAINING,
            )
            for learner in learners
            for block in blocks
        ]
    )
    decisions = CertificationDecision.objects.bulk_create(
        [
            CertificationDecision(
                session=s,
                enrolment=e,
                computed_status="certified",
                validated_blocks=[b.code for b in blocks],
            )
            for e in enrolments
        ]
    )
    return [d.pk for d in decisions]


def measure(count: int) -> int:
    """End to end against the floor, on the same documents; prints the figures."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from capitalis.credentials import pdfs, services_documents
    from capitalis.credentials.models import IssuedDocument
    from capitalis.credentials.queries_documents import decision_load
    from capitalis.jury.models import CertificationDecision

    ids = _setup(count + 1)
    # warm up (template loading, engine, fonts) on one extra decision, then forget it
    warm = CertificationDecision.objects.get(pk=ids.pop())
    services_documents.document_issue("certificate", decision=warm, language="fr")

    recorded: list[str] = []
    real_render_html = pdfs.render_html

    def recording(kind: str, context: dict[str, object], language: str) -> str:
        html = real_render_html(kind, context, language)
        recorded.append(html)
        return html

    pdfs.render_html = recording  # type: ignore[assignment]
    eng = pdfs.engine()
    end_to_end = end_to_end_cpu = floor = floor_cpu = 0.0
    # Interleaved, document by document: the end-to-end issue, then bare WeasyPrint on the HTML
    # it rendered; so both sides see the same machine load and the same warm caches.
    for decision_id in ids:
        t0, c0 = time.perf_counter(), time.process_time()
        decision = decision_load(decision_id)  # load by id with what it prints, as the task
        services_documents.document_issue("certificate", decision=decision, language="fr")
        end_to_end += time.perf_counter() - t0
        end_to_end_cpu += time.process_time() - c0
        html = recorded[-1]
        t0, c0 = time.perf_counter(), time.process_time()
        HTML(string=html, base_url=str(pdfs.HERE)).write_pdf(
            stylesheets=[eng.stylesheet], font_config=eng.font_config
        )
        floor += time.perf_counter() - t0
        floor_cpu += time.process_time() - c0
    pdfs.render_html = real_render_html  # type: ignore[assignment]
    issued = IssuedDocument.objects.filter(certification_decision_id__in=ids).count()

    # The naive way, interleaved with the shared engine on a sample, in CPU time.
    css_text = pdfs.font_face_css() + "\n" + pdfs.PRINT_CSS.read_text(encoding="utf-8")
    sample = recorded[-NAIVE_SAMPLE:]
    naive_cpu = shared_cpu = 0.0
    for html in sample:
        c0 = time.process_time()
        font_config = FontConfiguration()
        css = CSS(string=css_text, font_config=font_config, base_url=str(pdfs.HERE))
        HTML(string=html, base_url=str(pdfs.HERE)).write_pdf(
            stylesheets=[css], font_config=font_config
        )
        naive_cpu += time.process_time() - c0
        c0 = time.process_time()
        HTML(string=html, base_url=str(pdfs.HERE)).write_pdf(
            stylesheets=[eng.stylesheet], font_config=eng.font_config
        )
        shared_cpu += time.process_time() - c0
    naive = naive_cpu / max(len(sample), 1)
    shared = shared_cpu / max(len(sample), 1)

    load = os.getloadavg()[0]
    print(f"credentials PDFs: {issued} certificates on SQLite (load average {load:.1f})")
    print(f"{'measure':<50} {'value':>10}")
    print(f"{'end to end (s)':<50} {end_to_end:>10.2f}")
    print(f"{'end to end (PDFs/s)':<50} {issued / end_to_end:>10.2f}")
    print(f"{'bare WeasyPrint, same HTML (s)':<50} {floor:>10.2f}")
    print(f"{'bare WeasyPrint, same HTML (PDFs/s)':<50} {len(recorded) / floor:>10.2f}")
    print(f"{'ratio end to end / bare, wall clock':<50} {end_to_end / floor:>10.2f}")
    print(f"{'end to end, CPU of this process (s)':<50} {end_to_end_cpu:>10.2f}")
    print(f"{'bare WeasyPrint, CPU (s)':<50} {floor_cpu:>10.2f}")
    ratio = end_to_end_cpu / floor_cpu
    print(f"{'ratio end to end / bare, CPU (target <= 1.3)':<50} {ratio:>10.2f}")
    print(f"{'sample: CSS + fonts parsed per PDF (CPU s per PDF)':<50} {naive:>10.3f}")
    print(f"{'sample: shared engine (CPU s per PDF)':<50} {shared:>10.3f}")
    return 0 if issued == count and ratio <= 1.3 else 1


def run(count: int = COUNT) -> int:
    """Measure in a subprocess on a fresh SQLite database and media directory."""
    with tempfile.TemporaryDirectory(prefix="capitalis-bench-pdf-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
        env["CAPITALIS_VAR_DIR"] = tmp
        env["MEDIA_ROOT"] = str(Path(tmp) / "media")
        env["DJANGO_SETTINGS_MODULE"] = "capitalis.settings"
        env["PASSWORD_HASHERS"] = "md5"
        env["PUBLIC_BASE_URL"] = "https://certif.example.test"
        env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"  # no mail printed
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.credentials_pdf",
                "--measure",
                "--count",
                str(count),
            ],
            env=env,
            cwd=ROOT,
            check=False,
        ).returncode


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.credentials_pdf")
    parser.add_argument("--count", type=int, default=COUNT)
    parser.add_argument("--measure", action="store_true")
    args = parser.parse_args()
    sys.exit(measure(args.count) if args.measure else run(args.count))
