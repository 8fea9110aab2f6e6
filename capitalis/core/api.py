"""What every app's REST API shares: the shapes of its error answers, declared once for the
OpenAPI schema (drf-spectacular names a component after its serializer, so one class each).

- ``ErrorSerializer``: a refused request, ``{"detail": "...", "code": "..."}``; the translated
  message and the stable code of the ``DomainError`` (or of the view's own check).
- ``NotFoundSerializer``: DRF's own 403/404 (``raise NotFound()``), ``{"detail": "..."}``, with
  the ``code`` when a ``DomainError`` refused it (``capitalis.core.handlers``).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="Why, in the request's language.")
    code = serializers.CharField(help_text="A stable machine-readable code.")


class NotFoundSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    code = serializers.CharField(
        required=False, help_text="The domain error's code, when a service refused it."
    )


def text_of(data: Any, name: str) -> str:
    """A free-text field of a request body (a reason, a justification) as a string: ``""``
    when the body is not an object or the field is missing, ``null`` or not a string — never
    the text "None" — so the service's "a reason is required" check refuses it."""
    if not hasattr(data, "get"):
        return ""
    value = data.get(name, "")
    return value if isinstance(value, str) else ""
