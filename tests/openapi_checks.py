"""Checking an API's answers against the OpenAPI schema it serves."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse


@functools.cache
def _served_bytes() -> bytes:
    """The body /api/schema/?format=json answers, fetched once per test process: generating
    the schema takes seconds, and it depends on the code only."""
    from django.test import Client

    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.content


@functools.cache
def served_openapi() -> OpenAPI:
    """The served schema as a validator, built once per test process (another second)."""
    return OpenAPI.from_dict(json.loads(_served_bytes()))


@pytest.fixture
def openapi(django_db_setup: None, django_db_blocker: Any) -> OpenAPI:
    """The served schema (``served_openapi``), for ``answer_validated``."""
    with django_db_blocker.unblock():
        return served_openapi()


@pytest.fixture
def served_schema(django_db_setup: None, django_db_blocker: Any) -> dict[str, Any]:
    """The served schema as a dictionary of its own, for tests that read what it documents."""
    with django_db_blocker.unblock():
        return json.loads(_served_bytes())


def answer_validated(openapi: OpenAPI, path: str, response: Any, method: str = "post") -> Any:
    """Check the answer to ``method path`` (a result or a refusal) against the served schema:
    its status must be documented for that operation, its body must have the documented shape.
    Returns the response."""
    openapi.validate_response(
        MockRequest("http://testserver", method, path.split("?")[0]),
        MockResponse(
            response.content,
            status_code=response.status_code,
            content_type=response["Content-Type"],
        ),
    )
    return response
