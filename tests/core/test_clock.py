"""One clock: application code asks ``capitalis.core.clock`` what time and day it is, never the
system clock directly, so a test freezes every "now" and "today" in one place."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import time_machine

from capitalis.core import clock

ROOT = Path(__file__).resolve().parents[2] / "capitalis"
#: the clock itself
ALLOWED = ("capitalis/core/clock.py",)
#: ``X.Y(...)`` calls that read the system clock; ``timezone.local*`` only without an argument
BANNED = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
    ("time", "time"),
    ("timezone", "now"),
    ("timezone", "localdate"),
    ("timezone", "localtime"),
}


def _direct_reads() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        name = str(path.relative_to(ROOT.parent))
        if "migrations" in path.parts or name.startswith(ALLOWED):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            owner_name = getattr(owner, "id", None) or getattr(owner, "attr", None)
            if (owner_name, node.func.attr) not in BANNED:
                continue
            if owner_name == "timezone" and node.func.attr.startswith("local") and node.args:
                continue  # converting a given instant, not reading the clock
            found.append(f"{name}:{node.lineno} {owner_name}.{node.func.attr}()")
    return found


def test_application_code_reads_the_time_only_through_the_clock() -> None:
    assert _direct_reads() == [], "use capitalis.core.clock.now()/today()"


def test_the_clock_follows_a_frozen_time_and_the_school_time_zone() -> None:
    # 23:30 UTC on 31 August is already 1 September in Paris (the school's TIME_ZONE)
    instant = dt.datetime(2026, 8, 31, 23, 30, tzinfo=dt.UTC)
    with time_machine.travel(instant, tick=False):
        assert clock.now() == instant
        assert clock.today() == dt.date(2026, 9, 1)
        assert clock.local_now().date() == dt.date(2026, 9, 1)
        assert clock.local_now().hour == 1
