"""Shipped data (``data/``): the loader registry, file reading and validation against the
files' JSON Schemas.

Each app that ships data declares, in ``<app>/data.py``, a module-level ``data_loaders`` list of
:class:`DataLoader`. They are discovered through ``INSTALLED_APPS`` (in that order, which is the
pipeline order: référentiel first), so this module never imports a later app statically.
A loader first parses and validates every file of its folder (no database access), then applies
the parsed documents; ``capitalis.core.services.data_load`` runs the whole in one transaction.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import importlib.util
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

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


# --- validation against a JSON Schema --------------------------------------------------------
#
# Each loader describes its files by a JSON Schema (draft 2020-12) shipped with the app
# (``capitalis/<app>/schemas/<name>.schema.json``). Before validation the document is cleaned:
# strings are stripped and ``notes`` keys (free notes for readers, allowed anywhere) are dropped.
# YAML reads an unquoted ``2025-01-31`` as a date: it is valid where the schema expects a string
# of format ``date`` (and nowhere else); a quoted date stays a string and is refused there.

NOTES_KEY = "notes"


class _Scalar(str):
    """A YAML date or timestamp as the validator sees it: its ISO text, remembering the value.
    Only a date (not a timestamp) is a string, and only where the schema says ``format: date``."""

    value: datetime.date

    @classmethod
    def of(cls, value: datetime.date) -> _Scalar:
        text = cls(value.isoformat())
        text.value = value
        return text

    @property
    def is_date(self) -> bool:
        return not isinstance(self.value, datetime.datetime)


def _clean(value: Any) -> Any:
    """Strings stripped and ``notes`` keys dropped, at every depth (a copy)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k != NOTES_KEY}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _json_view(value: Any) -> Any:
    """What the validator sees: dates and timestamps as :class:`_Scalar` strings."""
    if isinstance(value, datetime.date):
        return _Scalar.of(value)
    if isinstance(value, dict):
        return {k: _json_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_view(v) for v in value]
    return value


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date")
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or (isinstance(value, _Scalar) and value.is_date)


_DRAFT_TYPE = Draft202012Validator.VALIDATORS["type"]


def _type(
    validator: Any, types: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """The draft's ``type``, except that a YAML date is text only where a date is expected
    (``format: date``) and a YAML timestamp never is."""
    if isinstance(instance, _Scalar) and not (instance.is_date and schema.get("format") == "date"):
        yield ValidationError(f"{instance.value!r} is not of type {types!r}")
        return
    yield from _DRAFT_TYPE(validator, types, instance, schema)


_DataValidator = validators.extend(Draft202012Validator, validators={"type": _type})


@functools.cache
def _validator(schema_path: Path) -> Any:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return _DataValidator(schema, format_checker=_FORMATS)


def key_path(parts: Iterable[str | int]) -> str:
    """``versions[1].blocks[0].kind`` from ``["versions", 1, "blocks", 0, "kind"]``."""
    path = ""
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else join_path(path, str(part))
    return path


_TYPE_LABELS = {
    "string": gettext_lazy("text"),
    "integer": gettext_lazy("integer"),
    "number": gettext_lazy("number"),
    "boolean": gettext_lazy("true/false"),
    "array": gettext_lazy("list"),
    "object": gettext_lazy("mapping"),
    "null": gettext_lazy("nothing"),
}


def _shown(value: Any) -> Any:
    """A value as the file wrote it (a YAML date shown as a date)."""
    return value.value if isinstance(value, _Scalar) else value


def _messages(error: ValidationError) -> list[tuple[list[str | int], str]]:
    """``(key path, message)`` for one schema error, in the loaders' words."""
    where = list(error.absolute_path)
    path = key_path(where) or "/"
    value, rule, limit = error.instance, error.validator, error.validator_value
    if rule == "required":
        missing = [key for key in limit if key not in value]
        return [
            ([*where, key], _("%(path)s: required key missing") % {"path": key_path([*where, key])})
            for key in missing
        ]
    if rule == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        extra = [
            key
            for key in value
            if key not in known and not any(re.search(p, key) for p in patterns)
        ]
        return [
            ([*where, key], _("%(path)s: unknown key") % {"path": key_path([*where, key])})
            for key in extra
        ]
    if rule == "type":
        kinds = [limit] if isinstance(limit, str) else list(limit)
        kind = " / ".join(str(_TYPE_LABELS.get(k, k)) for k in kinds if k != "null")
        if error.schema.get("format") == "date":
            kind = _("date (YYYY-MM-DD)")
        message = _("%(path)s: %(kind)s expected, got %(value)r")
        return [(where, message % {"path": path, "kind": kind, "value": _shown(value)})]
    if rule == "format" and limit == "date":
        message = _("%(path)s: %(kind)s expected, got %(value)r")
        kind = _("date (YYYY-MM-DD)")
        return [(where, message % {"path": path, "kind": kind, "value": _shown(value)})]
    if rule == "enum":
        message = _("%(path)s: %(value)r is not one of %(choices)s")
        choices = ", ".join(str(c) for c in limit)
        return [(where, message % {"path": path, "value": _shown(value), "choices": choices})]
    if rule == "const":
        message = _("%(path)s: %(value)r is not supported (%(expected)r expected)")
        return [(where, message % {"path": path, "value": value, "expected": limit})]
    if (rule == "minLength" and limit == 1) or (rule == "minItems" and limit == 1):
        return [(where, _("%(path)s: must not be empty") % {"path": path})]
    if rule in ("minimum", "minLength", "minItems"):
        return [(where, _("%(path)s: must be at least %(n)s") % {"path": path, "n": limit})]
    if rule == "maximum":
        return [(where, _("%(path)s: must be at most %(n)s") % {"path": path, "n": limit})]
    if rule in ("maxLength", "maxItems"):
        return [(where, _("%(path)s: at most %(n)s characters") % {"path": path, "n": limit})]
    if rule == "not" and limit == {}:  # ``{"not": {}}``: the key is not allowed there
        return [(where, _("%(path)s: not allowed here") % {"path": path})]
    return [(where, f"{path}: {error.message}")]


def _prune(data: Any, where: Sequence[str | int]) -> None:
    """Remove the bad value at ``where`` (a list item becomes None, keeping the positions), so
    that the loader's own checks only see valid values."""
    if not where:
        return
    parent = data
    for part in where[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return
    last = where[-1]
    if isinstance(parent, dict):
        parent.pop(last, None)
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        parent[last] = None


def check_document(path: Path, schema: Path) -> tuple[Any, list[str]]:
    """Read a data file and validate it against its JSON Schema: ``(data, problems)``.

    ``data`` is the document with strings stripped, ``notes`` dropped and every invalid value
    removed (so the loader's own checks — cross-references, conversions — can run on the rest);
    ``problems`` lists every schema error as ``"<key path>: <reason>"``, sorted by position.
    The loader adds its own problems and raises :class:`DataFileError` if there are any.
    A file that cannot be read or parsed raises at once."""
    data = _clean(read_data_file(path))
    found: list[tuple[list[str | int], str]] = []
    for error in _validator(schema).iter_errors(_json_view(data)):
        found.extend(_messages(error))
    found.sort(key=lambda f: [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in f[0]])
    problems = list(dict.fromkeys(message for _where, message in found))
    for where, _message in sorted(found, key=lambda f: len(f[0]), reverse=True):
        _prune(data, where)
    return data, problems


def load_document(path: Path, schema: Path) -> Any:
    """The validated document of a data file; :class:`DataFileError` lists every problem."""
    data, problems = check_document(path, schema)
    if problems:
        raise DataFileError(path, problems)
    return data


def app_schema(module_file: str, name: str) -> Path:
    """``capitalis/<app>/schemas/<name>.schema.json`` of the app whose module is ``module_file``
    (at the app's root or in one of its subpackages: the app is the folder with ``apps.py``)."""
    folder = Path(module_file).resolve().parent
    while not (folder / "apps.py").exists() and folder.parent != folder:
        folder = folder.parent
    return folder / "schemas" / f"{name}.schema.json"


def check_unique(codes: Sequence[str], path: str, errors: list[str]) -> None:
    """Codes must be unique among siblings (JSON Schema cannot say "unique by key")."""
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


def mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else ``{}`` (for checks that run after schema errors)."""
    return value if isinstance(value, dict) else {}


def mappings(value: Any) -> list[dict[str, Any]]:
    """The mappings of a list (``[]`` if ``value`` is not a list; others skipped)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
