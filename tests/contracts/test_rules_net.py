"""Every rules module is held pure (import-linter) and strictly typed (mypy).

pyproject.toml names them by pattern (``rules``, the modules of a ``rules`` package, at any
depth) and by suffix for the ``rules_x`` ones, since neither tool matches part of a name. This
test finds every such module on disk and checks both nets hold it: a new ``rules_x.py`` whose
suffix is not listed fails here, not silently."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import grimp
from mypy.config_parser import parse_config_file
from mypy.options import Options

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
PURITY = "Rules are pure: no Django, no ORM, no I/O"


def _is_rules(module: str) -> bool:
    return any(part == "rules" or part.startswith("rules_") for part in module.split(".")[1:])


def modules_on_disk() -> list[str]:
    found = []
    for path in sorted((ROOT / "capitalis").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append(".".join(parts))
    return found


def mypy_strict() -> set[str]:
    """The modules of ``modules_on_disk`` mypy checks strictly (as its config reads)."""
    options = Options()
    parse_config_file(options, lambda: None, str(PYPROJECT), io.StringIO(), io.StringIO())
    return {
        module
        for module in modules_on_disk() + HYPOTHETICAL
        if (per := options.clone_for_module(module)).disallow_untyped_defs
        and per.disallow_any_generics
        and per.warn_return_any
    }


def held_pure() -> set[str]:
    """The modules of ``modules_on_disk`` the purity contract takes as sources."""
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["name"] == PURITY]
    graph = grimp.ImportGraph()
    for module in modules_on_disk() + HYPOTHETICAL:
        graph.add_module(module)
    return {
        m for pattern in contract["source_modules"] for m in graph.find_matching_modules(pattern)
    }


# modules that do not exist, to show the nets' shape
HYPOTHETICAL = ["capitalis.finance.rules_new", "capitalis.finance.rulesets"]


def test_every_rules_module_is_strictly_typed_and_held_pure():
    rules = [m for m in modules_on_disk() if _is_rules(m)]
    assert "capitalis.jury.rules_fast" in rules
    assert "capitalis.reporting.surveys.rules" in rules  # a subdomain package's rules
    strict, pure = mypy_strict(), held_pure()
    hint = "list its name pattern in pyproject.toml: mypy's strict override and the purity contract"
    assert [m for m in rules if m not in strict] == [], hint
    assert [m for m in rules if m not in pure] == [], hint


def test_the_nets_hold_nothing_else_and_a_new_suffix_escapes_them():
    strict, pure = mypy_strict(), held_pure()
    assert all(_is_rules(m) for m in strict | pure)
    assert "capitalis.finance.rules_new" not in strict | pure  # hence the test above
    assert "capitalis.finance.rulesets" not in strict | pure
