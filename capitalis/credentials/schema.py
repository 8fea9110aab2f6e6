"""The official 1EdTech Open Badges 3.0 JSON Schema (draft 2019-09, "JSON" serialisation),
shipped in ``jsonld/ob_v3p0_achievementcredential_schema.json`` and never fetched.

The strict schema wants every multi-valued property as an array, ``proof`` included.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator

SCHEMA_PATH = (
    Path(__file__).resolve().parent / "jsonld" / "ob_v3p0_achievementcredential_schema.json"
)
SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


@functools.cache
def _validator() -> Draft201909Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema)


def ob_schema_errors(credential: dict[str, Any]) -> list[str]:
    """``"<json path>: <message>"`` for every schema error (``[]`` = valid), sorted by path."""
    errors = sorted(_validator().iter_errors(credential), key=lambda e: list(map(str, e.path)))
    return [f"{error.json_path}: {error.message}" for error in errors]
