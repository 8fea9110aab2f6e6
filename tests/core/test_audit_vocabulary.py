"""The audit trail speaks one vocabulary: every ``audit_record`` call in the application names
a declared ``Action``, and no two actions share a stored string."""

from __future__ import annotations

import ast
from pathlib import Path

from capitalis.core.audit import Action

ROOT = Path(__file__).resolve().parents[2] / "capitalis"
RECORDERS = {"audit_record", "audit_record_many"}


def _audit_calls() -> list[tuple[str, int, ast.expr | None]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in RECORDERS:
                action = next((k.value for k in node.keywords if k.arg == "action"), None)
                found.append((str(path.relative_to(ROOT.parent)), node.lineno, action))
    return found


def _names_a_member(expr: ast.expr | None) -> bool:
    """``Action.X`` with X declared, or a conditional between two such members."""
    if isinstance(expr, ast.IfExp):
        return _names_a_member(expr.body) and _names_a_member(expr.orelse)
    return (
        isinstance(expr, ast.Attribute)
        and isinstance(expr.value, ast.Name)
        and expr.value.id == "Action"
        and expr.attr in Action.__members__
    )


def test_every_audit_record_call_names_a_declared_action() -> None:
    calls = _audit_calls()
    assert len(calls) > 50  # the scan does see the services
    strays = [f"{path}:{line}" for path, line, action in calls if not _names_a_member(action)]
    assert strays == [], "audit_record(action=...) must be an Action member"


def test_every_action_has_its_own_stored_string() -> None:
    values = [member.value for member in Action]
    assert len(values) == len(set(values)) == len(Action.__members__)
    assert all(0 < len(value) <= 100 for value in values)  # AuditEvent.action's max_length


def test_an_action_is_the_stored_string_so_existing_rows_still_match() -> None:
    assert Action.ENROLMENT_CREATE == "enrolment.enrolment_create"
    assert Action.USER_CREATE == "user_create"
    assert isinstance(Action.JOB_DONE, str)
