"""Checking an API's answers against the OpenAPI schema it serves."""

from __future__ import annotations

from typing import Any

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse


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
