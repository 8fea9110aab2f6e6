"""Shipped data (``data/``): the loader registry, file reading and validation helpers.

Each app that ships data declares, in ``<app>/data.py``, a module-level ``data_loaders`` list of
:class:`DataLoader`. They are discovered through ``INSTALLED_APPS`` (in that order, which is the
pipeline order: référentiel first), so this module never imports a later app statically.
A loader first parses and validates every file of its folder (no database access), then applies
the parsed documents; ``capitalis.core.services.data_load`` runs the whole in one transaction.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from capitalis.core.exceptions import DomainError

DATA_SUFFIXES = (".yaml", ".yml", ".json")
# libyaml's safe loader when available (much faster), the pure-Python one otherwise.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
DELETED = "deleted"
STATUSES = (CREATED, UPDATED, UNCHANGED, DELETED)


def default_data_dir() -> Path:
    """The shipped data folder: setting ``CAPITALIS_DATA_DIR`` or ``<project>/data``."""
    return Path(getattr(settings, "CAPITALIS_DATA_DIR", settings.BASE_DIR / "data"))


class DataFileError(DomainError):
    """A shipped data file that cannot be loaded; the message names the file and the key path."""

    def __init__(self, path: Path | str, problems: Sequence[str]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        message = "\n".join(f"{self.path}: {problem}" for problem in self.problems)
        super().__init__(message, code="data_file")


@dataclass
class LoadCounts:
    """Rows created / updated / unchanged / deleted, per model label."""

    by_model: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, label: str, status: str, n: int = 1) -> None:
        row = self.by_model.setdefault(label, dict.fromkeys(STATUSES, 0))
        row[status] += n

    def merge(self, other: LoadCounts) -> None:
        for label, row in other.by_model.items():
            for status, n in row.items():
                self.add(label, status, n)

    def total(self, status: str) -> int:
        return sum(row[status] for row in self.by_model.values())

    @property
    def changed(self) -> bool:
        return any(self.total(s) for s in (CREATED, UPDATED, DELETED))

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {label: dict(row) for label, row in sorted(self.by_model.items())}


@dataclass(frozen=True)
class DataLoader:
    """One app's shipped data: the ``data/<directory>/`` files, parsed then applied.

    ``parse`` reads and validates one file (raise :class:`DataFileError`, touch no database);
    ``apply`` writes the parsed documents and returns the counts (called inside the load's
    transaction, which records the audit event)."""

    name: str
    directory: str
    parse: Callable[[Path], Any]
    apply: Callable[[Sequence[Any]], LoadCounts]


def discover_loaders() -> list[DataLoader]:
    """Every ``data_loaders`` entry of the installed apps' ``data`` modules, in app order."""
    loaders: list[DataLoader] = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.data"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        loaders.extend(getattr(module, "data_loaders", []))
    return loaders


def data_files(directory: Path) -> list[Path]:
    """The data files of a folder, sorted by name (a fixed order)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in DATA_SUFFIXES)


def read_data_file(path: Path) -> Any:
    """Parse a YAML or JSON file; a syntax error becomes a :class:`DataFileError`."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, [_("cannot be read: %(error)s") % {"error": exc}]) from exc
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise DataFileError(path, [_("not valid YAML/JSON: %(error)s") % {"error": exc}]) from exc


# --- validation helpers ------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """Expected value of one key: its type(s), whether required, allowed values."""

    kind: str  # "str", "text" (non-empty str), "int", "bool", "date", "list", "dict", "any"
    required: bool = True
    nullable: bool = False
    choices: tuple[str, ...] = ()


def _type_ok(kind: str, value: Any) -> bool:
    if kind in ("str", "text"):
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    if kind == "list":
        return isinstance(value, list)
    if kind == "dict":
        return isinstance(value, dict)
    return True


_KIND_LABELS = {
    "str": gettext_lazy("text"),
    "text": gettext_lazy("non-empty text"),
    "int": gettext_lazy("integer"),
    "bool": gettext_lazy("true/false"),
    "date": gettext_lazy("date (YYYY-MM-DD)"),
    "list": gettext_lazy("list"),
    "dict": gettext_lazy("mapping"),
    "any": gettext_lazy("value"),
}


def check_mapping(
    value: Any,
    spec: Mapping[str, Field],
    path: str,
    errors: list[str],
    *,
    ignored: Iterable[str] = ("notes",),
) -> dict[str, Any]:
    """Check that ``value`` is a mapping matching ``spec``; append one message per problem
    (naming the key path) to ``errors``. Return the mapping with strings stripped, ``{}``
    when it is not a mapping. Unknown keys are errors (they are usually typos); keys in
    ``ignored`` (free notes for readers) are allowed and dropped."""
    if not isinstance(value, dict):
        errors.append(_("%(path)s: a mapping is expected") % {"path": path or "/"})
        return {}
    ignored = set(ignored)
    clean: dict[str, Any] = {}
    for key in value:
        if key not in spec and key not in ignored:
            errors.append(_("%(path)s: unknown key") % {"path": join_path(path, str(key))})
    for key, expected in spec.items():
        where = join_path(path, key)
        if key not in value:
            if expected.required:
                errors.append(_("%(path)s: required key missing") % {"path": where})
            continue
        item = value[key]
        if item is None:
            if not expected.nullable:
                errors.append(_("%(path)s: a value is required") % {"path": where})
            else:
                clean[key] = None
            continue
        if not _type_ok(expected.kind, item):
            errors.append(
                _("%(path)s: %(kind)s expected, got %(value)r")
                % {"path": where, "kind": _KIND_LABELS[expected.kind], "value": item}
            )
            continue
        if isinstance(item, str):
            item = item.strip()
            if expected.kind == "text" and not item:
                errors.append(_("%(path)s: must not be empty") % {"path": where})
                continue
        if expected.choices and item not in expected.choices:
            errors.append(
                _("%(path)s: %(value)r is not one of %(choices)s")
                % {"path": where, "value": item, "choices": ", ".join(expected.choices)}
            )
            continue
        clean[key] = item
    return clean


def check_list(value: Any, path: str, errors: list[str]) -> list[Any]:
    """``value`` as a list, or an error and ``[]``."""
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(_("%(path)s: a list is expected") % {"path": path})
        return []
    return value


def check_unique(codes: Sequence[str], path: str, errors: list[str]) -> None:
    """Codes must be unique among siblings."""
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            errors.append(
                _("%(path)s: code %(code)r appears twice")
                % {"path": f"{path}[{i}].code", "code": code}
            )
        seen.add(code)


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
