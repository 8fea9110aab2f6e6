"""Register import benchmark: a full-size export built from the real samples, imported
into a fresh SQLite database, against a bare iterparse pass over the same file (the floor).

Each measured run is its own subprocess, so its peak memory (ru_maxrss from ``os.wait4``)
is its own. The floor and the import run in pairs, three times by default (``--rounds``): this
machine is a shared virtual one whose speed drifts by a fifth from one minute to the next, so
each import is compared with the floor measured just before it, and the median ratio is the
figure."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [
    ROOT / "tests" / "fixtures" / "register" / "export_fiches_RNCP_fixture.xml",
    ROOT / "tests" / "fixtures" / "register" / "export_fiches_RS_fixture.xml",
]
OUT = Path(__file__).resolve().parent / "out"
FULL_FICHES = 30_000  # the real export: ~30,000 fiches (FORMATS.md §1.1)
FULL_BYTES = 570_000_000  # … in ~570 MB of XML
MAX_RATIO = 3.0
MAX_PEAK_MB = 300.0
ROUNDS = 3  # floor and import paired, this many times; the median ratio is the figure

_CODE = re.compile(r"\b(RNCP|RS)(\d+)")
_ID = re.compile(r"<ID_FICHE>\d+</ID_FICHE>")

FLOOR = """
import sys
from lxml import etree
count = 0
for _event, elem in etree.iterparse(sys.argv[1], events=("end",), tag="FICHE", huge_tree=True):
    count += 1
    elem.clear(keep_tail=True)
    parent = elem.getparent()
    while elem.getprevious() is not None:
        del parent[0]
print(count, "fiches")
"""


def _samples() -> list[tuple[str, str, list[str]]]:
    """Each sample fiche as (code, text without partners, [partner texts])."""
    fiches = []
    for path in SAMPLES:
        for elem in etree.parse(str(path)).getroot().iterfind("FICHE"):
            partners_elem = elem.find("PARTENAIRES")
            partners: list[str] = []
            if partners_elem is not None:
                for partner in partners_elem:
                    partner.tail = None
                    partners.append(etree.tostring(partner, encoding="unicode"))
                partners_elem.clear()
                partners_elem.text = "@PARTNERS@"
            etree.indent(elem, space="  ", level=1)
            text = "  " + etree.tostring(elem, encoding="unicode") + "\n"
            fiches.append((elem.findtext("NUMERO_FICHE") or "", text, partners))
    return fiches


def _partner_cap(samples: list[tuple[str, str, list[str]]], per_fiche: float) -> int:
    """Most partners kept per fiche so that the mean fiche size is about ``per_fiche``."""

    def mean(cap: int) -> float:
        return sum(
            len(text.encode()) + sum(len(p.encode()) for p in partners[:cap])
            for _code, text, partners in samples
        ) / len(samples)

    low, high = 0, max(len(partners) for _c, _t, partners in samples)
    while low < high:
        middle = (low + high + 1) // 2
        if mean(middle) <= per_fiche:
            low = middle
        else:
            high = middle - 1
    return low


def build_file(fiches: int) -> Path:
    """Write (once) an export of ``fiches`` renumbered copies of the sample fiches, sized like
    the real export (~570 MB for 30,000 fiches); streamed, one fiche at a time."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"register_{fiches}.xml"
    if path.exists():
        return path
    samples = _samples()
    cap = _partner_cap(samples, FULL_BYTES / FULL_FICHES)
    codes = {code for code, _text, _partners in samples}
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<FICHES>\n')
        out.write("  <VERSION_FLUX>4.1</VERSION_FLUX>\n")
        for number in range(fiches):
            generation, index = divmod(number, len(samples))
            base = 100_000 + generation * len(samples)
            mapping = {code: base + i for i, (code, _t, _p) in enumerate(samples)}
            _code, text, partners = samples[index]

            def renumber(match: re.Match[str], mapping: dict[str, int] = mapping) -> str:
                code = match.group(0)
                return f"{match.group(1)}{mapping[code]}" if code in codes else code

            text = _CODE.sub(renumber, text)
            text = _ID.sub(f"<ID_FICHE>{1_000_000 + number}</ID_FICHE>", text, count=1)
            text = text.replace("@PARTNERS@", "".join(partners[:cap]))
            out.write(text)
        out.write("</FICHES>\n")
    tmp.rename(path)
    return path


@dataclass
class Run:
    label: str
    seconds: float
    cpu_seconds: float
    peak_mb: float
    output: str


def _measure(label: str, command: list[str], env: dict[str, str]) -> Run:
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{label} failed ({process.returncode}):\n{output}")
    return Run(
        label, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output.strip()
    )


def run(fiches: int, rounds: int = ROUNDS) -> int:
    """Build the file, then ``rounds`` times: the floor, then the import into a fresh database
    (paired, so a slower or faster spell of this shared machine weighs on both); print every
    pair and the medians; 0 when the median time ratio is ≤ 3 and every peak < 300 MB."""
    import statistics

    started = time.perf_counter()
    path = build_file(fiches)
    size_mb = path.stat().st_size / 1e6
    print(
        f"file: {path} ({fiches} fiches, {size_mb:.0f} MB, built/reused in "
        f"{time.perf_counter() - started:.1f} s)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    # One untimed floor pass first: the file in the page cache and the interpreter's files
    # warm, so that no timed run pays for being first (the first floor ran up to twice as slow).
    _measure("warm-up", [sys.executable, "-c", FLOOR, str(path)], env)
    pairs: list[tuple[Run, Run]] = []
    for _round in range(rounds):
        with tempfile.TemporaryDirectory(prefix="capitalis-bench-") as var_dir:
            env.update(CAPITALIS_VAR_DIR=var_dir, SECRET_KEY="bench", PYTHONPATH=str(ROOT))
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "--skip-checks", "-v0"],
                env=env,
                cwd=ROOT,
                check=True,
            )
            floor = _measure(
                "bare iterparse (floor)", [sys.executable, "-c", FLOOR, str(path)], env
            )
            imported = _measure(
                "manage.py import_register",
                [sys.executable, "manage.py", "import_register", "-v", "2", str(path)],
                env,
            )
        pairs.append((floor, imported))
    print(
        f"{'round':<6} {'floor (s)':>10} {'import (s)':>11} {'ratio':>7} {'CPU ratio':>10} "
        f"{'floor MB':>9} {'import MB':>10}"
    )
    for number, (floor, imported) in enumerate(pairs, 1):
        print(
            f"{number:<6} {floor.seconds:>10.2f} {imported.seconds:>11.2f} "
            f"{imported.seconds / floor.seconds:>7.2f} "
            f"{imported.cpu_seconds / floor.cpu_seconds:>10.2f} "
            f"{floor.peak_mb:>9.1f} {imported.peak_mb:>10.1f}"
        )
    ratio = statistics.median(imported.seconds / floor.seconds for floor, imported in pairs)
    peak = max(imported.peak_mb for _floor, imported in pairs)
    print(
        f"median time ratio import / floor: {ratio:.2f} (floor median "
        f"{statistics.median(f.seconds for f, _i in pairs):.2f} s, import median "
        f"{statistics.median(i.seconds for _f, i in pairs):.2f} s); highest import peak "
        f"{peak:.1f} MB"
    )
    print(f"load average after the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for line in pairs[-1][1].output.splitlines()[-2:]:
        print(f"import said: {line}")
    failures = []
    if ratio > MAX_RATIO:
        failures.append(f"median time ratio {ratio:.2f} > {MAX_RATIO}")
    if peak >= MAX_PEAK_MB:
        failures.append(f"peak memory {peak:.0f} MB ≥ {MAX_PEAK_MB:.0f} MB")
    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures:
        print(f"OK: median ratio ≤ {MAX_RATIO}, peak < {MAX_PEAK_MB:.0f} MB")
    return 1 if failures else 0
