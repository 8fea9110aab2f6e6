"""An import-linter contract: an app is used by other apps only through its public surface.

Each app's public surface is its models, services, queries and rules modules, plus the one
permission table (``accounts.permissions``) that every app reads. A subpackage of those names
counts, as does a module of those names in a subdomain subpackage (e.g.
``admissions.jury.services``) and a ``queries_x`` / ``services_x`` / ``rules_x`` module while an
app still has flat subdomain modules. Its views, API, forms,
tasks, URLs, admin and helpers are private: another app that needs them needs a service or a
query instead. Demo modules may import other apps' demo modules (the demo generator builds on
every app's steps). The project's root URL configuration and settings may import anything, and
every app may use ``capitalis.core`` whole (the shared kernel)."""

from __future__ import annotations

from dataclasses import dataclass

import grimp
from importlinter import Contract, ContractCheck, fields, output

PUBLIC = ("models", "services", "queries", "rules", "permissions")


@dataclass(frozen=True)
class Breach:
    importer: str
    imported: str
    line_numbers: tuple[int, ...]


def _app(module: str, root: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != root:
        return None
    return parts[1]


def is_public(imported: str, root: str) -> bool:
    """Whether another app may import ``imported`` (a module under ``root.<app>``)."""
    parts = imported.split(".")[2:]  # the path inside the app
    if not parts:  # the app package itself
        return True
    if parts == ["apps"]:
        return True
    return any(part == name or part.startswith(f"{name}_") for part in parts for name in PUBLIC)


def _is_demo(module: str) -> bool:
    return any(
        part == "demo" or part.startswith("demo_") or part == "seed_demo"
        for part in module.split(".")
    )


def breaches(graph: grimp.ImportGraph, root: str, kernel: frozenset[str]) -> list[Breach]:
    """Every import from one app into another app's private module, in a stable order."""
    found: list[Breach] = []
    for importer in sorted(graph.modules):
        source = _app(importer, root)
        if source is None or source in {"urls", "settings", "celery", "wsgi", "asgi"}:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            target = _app(imported, root)
            if target is None or target == source or target in kernel:
                continue
            if is_public(imported, root):
                continue
            if _is_demo(importer) and _is_demo(imported):
                continue
            details = graph.get_import_details(importer=importer, imported=imported)
            lines = tuple(sorted(d["line_number"] for d in details))
            found.append(Breach(importer, imported, lines))
    return found


class PublicSurfaceContract(Contract):
    """Configuration: ``root`` (the project package) and ``kernel`` (apps every app may use
    whole)."""

    type_name = "public_surface"

    root = fields.StringField()
    kernel = fields.ListField(subfield=fields.StringField(), required=False, default=[])

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        found = breaches(graph, str(self.root), frozenset(self.kernel))  # type: ignore[arg-type]
        return ContractCheck(kept=not found, metadata={"breaches": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for breach in check.metadata["breaches"]:
            lines = ", ".join(str(n) for n in breach.line_numbers)
            output.print_error(
                f"{breach.importer} imports {breach.imported} (l. {lines}): "
                "use that app's services, queries, rules or models instead."
            )
            output.new_line()
