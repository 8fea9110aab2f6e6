"""What every app's REST API shares: the shapes of its error answers, declared once for the
OpenAPI schema (drf-spectacular names a component after its serializer, so one class each).

- ``ErrorSerializer``: a refused request, ``{"detail": "...", "code": "..."}``; the translated
  message and the stable code of the ``DomainError`` (or of the view's own check).
- ``NotFoundSerializer``: DRF's own 404 (``raise NotFound()``), ``{"detail": "..."}`` only.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="Why, in the request's language.")
    code = serializers.CharField(help_text="A stable machine-readable code.")


class NotFoundSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
