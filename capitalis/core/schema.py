"""The OpenAPI schema's answers shared by every operation, added where a view does not declare
them itself: what DRF answers before the view runs, so that the schema lists every status an
operation can give (the API's tests check each answer against it).

- 400: a NUL character anywhere in the request (capitalis.core.middleware), ``{detail, code}``;
- 401: a missing, unknown, expired or revoked token (any view that authenticates);
- 403: a refused permission, or a session request without its CSRF token;
- 404: an unknown object, for operations with an id in their path;
- 409: a write the object's current state refuses (a ``DomainError`` whose code
  ``capitalis.core.exceptions.status_for_code`` maps to 409), ``{detail, code}``;
- 429: too many requests, on every throttled view (``{detail}``);
- 400: besides ``{"detail", "code"}``, the field errors of the body (or of the query) as DRF's
  serializers give them, ``{"field": ["why", ...], ...}``.

Their bodies are ``{"detail": "..."}`` (with a ``code`` when the view gives one). A
``DomainError`` an API view lets through is answered by ``capitalis.core.handlers`` with the
status its code maps to (400, 403, 404 or 409) and ``{"detail", "code"}``: every status it can
give is listed here.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny

from capitalis.core.api import ErrorSerializer, NotFoundSerializer

# DRF's answer to an invalid body: each field (or "non_field_errors") with its messages, a
# nested object for a nested serializer's fields.
FIELD_ERRORS: dict[str, Any] = {
    "type": "object",
    "description": "The body's field errors: each field with why it was refused.",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {}},
            {"type": "object"},
        ]
    },
}


class CapitalisAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        view = self.view
        authenticates = bool(view.get_authenticators())
        restricted = any(not isinstance(p, AllowAny) for p in view.get_permissions())
        added = ["400"]
        if authenticates:
            added.append("401")
        if authenticates or restricted:
            added.append("403")
        if "{" in self.path:
            added.append("404")
        if self.method not in ("GET", "HEAD", "OPTIONS") and (authenticates or restricted):
            added.append("409")  # a DomainError of a conflicting state
        if view.get_throttles():  # DRF's Throttled: {"detail": "…"}
            added.append("429")
        for code in added:
            if code not in responses:
                shape = ErrorSerializer if code in ("400", "409") else NotFoundSerializer
                responses[code] = self._get_response_for_code(shape, code, direction=direction)
        if "400" in responses:
            error = self._get_response_for_code(ErrorSerializer, "400", direction=direction)
            error_schema = error["content"]["application/json"]["schema"]
            for media in responses["400"].get("content", {}).values():
                if "schema" in media and "anyOf" not in media["schema"]:
                    shapes = [media["schema"], FIELD_ERRORS]
                    if media["schema"] != error_schema:  # the NUL guard's answer too
                        shapes.append(error_schema)
                    media["schema"] = {"anyOf": shapes}
        return responses
