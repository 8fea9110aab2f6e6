"""The 1EdTech OB 3.0 JSON Schema check (shipped schema, Draft 2019-09)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from capitalis.credentials import schema

FIXTURES = Path(__file__).parent / "fixtures"


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "name",
    [
        "rncp-block-credential.didkey.json",
        "rncp-certification-credential.didkey.json",
        "rncp-block-credential.didweb.json",
    ],
)
def test_capitalis_samples_pass(name: str) -> None:
    assert schema.ob_schema_errors(load(f"capitalis-sample/{name}")) == []


def test_single_object_proof_fails_only_at_proof() -> None:
    credential = load("capitalis-sample/rncp-block-credential.didkey.json")
    credential["proof"] = credential["proof"][0]
    errors = schema.ob_schema_errors(credential)
    assert len(errors) == 1 and errors[0].startswith("$.proof: ")
    vector = load("1edtech-ob3-spec-vector/ob3-signed-eddsa-rdfc-2022.json")
    errors = schema.ob_schema_errors(vector)
    assert len(errors) == 1 and errors[0].startswith("$.proof: ")


def test_errors_name_the_paths() -> None:
    credential = copy.deepcopy(load("capitalis-sample/rncp-block-credential.didkey.json"))
    del credential["credentialSubject"]["achievement"]["criteria"]
    credential["validFrom"] = "yesterday"
    credential["credentialSubject"]["identifier"][0]["unexpected"] = 1
    errors = schema.ob_schema_errors(credential)
    assert any(
        e.startswith("$.credentialSubject.achievement: ") and "criteria" in e for e in errors
    )
    assert any(e.startswith("$.credentialSubject.identifier[0]") for e in errors)
    assert errors == sorted(errors, key=lambda e: e.split(":")[0]) or len(errors) >= 2


def test_not_a_credential() -> None:
    assert schema.ob_schema_errors({}) != []


def test_schema_file_is_the_1edtech_one() -> None:
    document = json.loads(schema.SCHEMA_PATH.read_text(encoding="utf-8"))
    assert document["$schema"] == "https://json-schema.org/draft/2019-09/schema#"
    assert document["properties"]["proof"]["type"] == "array"
