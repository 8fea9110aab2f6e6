"""Nothing exists only in the demo: every public service function is called from somewhere a
user or a program reaches (a view, the API, a command, a task, the admin, another service) —
not only from the demo generator (capitalis/*/demo*.py)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "capitalis"


def _is_demo(path: Path) -> bool:
    return path.name.startswith("demo") or "migrations" in path.parts


def _service_modules() -> list[Path]:
    found = []
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(ROOT)
        if path.name.startswith("services") or (len(rel.parts) > 2 and rel.parts[1] == "services"):
            found.append(path)
    return sorted(found)


def _public_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    return [
        node.name
        for node in tree.body
        if isinstance(node, functions) and not node.name.startswith("_")
    ]


def _names_used(path: Path) -> set[str]:
    """Every name the module calls or refers to (bare names and attributes), except the
    definitions themselves."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            used.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            used.add(node.value.rsplit(".", 1)[-1])  # tasks named by dotted path
    return used


def _is_reexport(path: Path) -> bool:
    """A services package's ``__init__`` only re-exports its modules' functions: naming one
    there is not a use."""
    return path.name == "__init__.py" and path.parent.name == "services"


def test_no_service_is_reached_only_from_the_demo():
    modules = [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts and not _is_reexport(p)]
    used_outside_demo: set[str] = set()
    used_in_demo: set[str] = set()
    for path in modules:
        (used_in_demo if _is_demo(path) else used_outside_demo).update(_names_used(path))
    demo_only = []
    for path in _service_modules():
        for name in _public_functions(path):
            if name in used_in_demo and name not in used_outside_demo:
                demo_only.append(f"{path.relative_to(ROOT)}:{name}")
    assert demo_only == [], "services called only by the demo generator: " + ", ".join(demo_only)
