"""Templates follow the pipeline too: a template of an app loads only template-tag libraries
(and includes only templates) of apps at or before its own layer, like its Python imports
(import-linter's layers in pyproject.toml). A tag library or an included template runs code of
its app, a dependency no import contract sees: the programme catalogue once loaded finance's
fee tags, so the programmes app rendered finance. A page that needs a later app is composed in
a later layer (web for the catalogue)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "capitalis"
PYPROJECT = ROOT / "pyproject.toml"
PIPELINE = "The pipeline flows one way: an app imports only from apps before it"

LOAD = re.compile(r"{%-?\s*load\s+(.+?)\s*-?%}")
INCLUDE = re.compile(r"""{%-?\s*(?:include|extends)\s+["']([^"'/]+)/""")


def layers() -> dict[str, int]:
    """Each app's layer, 0 for the top one (web); apps of one layer share it."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["name"] == PIPELINE)
    return {
        app: depth
        for depth, layer in enumerate(contract["layers"])
        for app in re.findall(r"capitalis\.(\w+)", layer)
    }


def tag_libraries() -> dict[str, str]:
    """Each template-tag library of an app (its module name) → the app."""
    return {
        path.stem: path.parent.parent.name
        for path in APPS.glob("*/templatetags/*.py")
        if path.stem != "__init__"
    }


def loaded(text: str) -> set[str]:
    """The libraries a template loads (``{% load a b %}``, ``{% load x y from lib %}``)."""
    names: set[str] = set()
    for match in LOAD.finditer(text):
        words = match.group(1).split()
        names |= {words[-1]} if "from" in words else set(words)
    return names


def strays(app: str, text: str, depth: dict[str, int], libraries: dict[str, str]) -> list[str]:
    """What a template of ``app`` uses from an app later in the pipeline (a higher layer)."""
    found = [
        f"loads {name} ({libraries[name]})"
        for name in sorted(loaded(text))
        if libraries.get(name) in depth and depth[libraries[name]] < depth[app]
    ]
    found += [
        f"includes a template of {other}"
        for other in sorted(set(INCLUDE.findall(text)))
        if other in depth and depth[other] < depth[app]
    ]
    return found


def templates() -> list[tuple[str, Path]]:
    return [
        (path.relative_to(APPS).parts[0], path)
        for path in sorted(APPS.glob("*/templates/**/*"))
        if path.is_file() and path.suffix in {".html", ".txt", ".xml", ".ics", ".svg"}
    ]


def test_the_pipeline_is_read_and_the_templates_are_found() -> None:
    depth = layers()
    assert depth["web"] == 0 and depth["core"] == max(depth.values())
    assert depth["assessment"] == depth["finance"] < depth["enrolment"] < depth["programmes"]
    assert len(templates()) > 50


def test_the_check_catches_a_template_using_a_later_app() -> None:
    depth = layers()
    libraries = {"finance_fees": "finance", "i18n": "django"}
    text = '{% load i18n finance_fees static %}{% include "jury/partials/x.html" %}'
    assert strays("programmes", text, depth, libraries) == [
        "loads finance_fees (finance)",
        "includes a template of jury",
    ]
    assert strays("programmes", "{% load fees_section from finance_fees %}", depth, libraries)
    assert strays("web", text, depth, libraries) == []
    earlier = '{% include "enrolment/x.html" %}{% extends "base.html" %}'
    assert strays("jury", earlier, depth, {}) == []


def test_no_template_uses_an_app_later_in_the_pipeline() -> None:
    depth = layers()
    libraries = tag_libraries()
    found = [
        f"{path.relative_to(ROOT)}: {stray}"
        for app, path in templates()
        if app in depth
        for stray in strays(app, path.read_text(encoding="utf-8"), depth, libraries)
    ]
    assert found == [], "compose such a page in a later app (web):\n" + "\n".join(found)
