"""The API's routers: DRF's, with numeric ids in the URL unless a viewset says otherwise.

DRF's default lookup pattern ``[^/.]+`` lets ``/courses/abc/`` reach the view, where the id
lookup fails with a ValueError (a 500) on some querysets. With these routers a viewset looking
up by ``pk`` or ``id`` matches only digits: anything else is a 404 before the view runs.
A viewset with its own ``lookup_value_regex`` (codes, public ids) keeps it."""

from __future__ import annotations

from typing import Any

from rest_framework import routers

ID_REGEX = "[0-9]+"


class _NumericLookup:
    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        if getattr(viewset, "lookup_value_regex", None) is None and getattr(
            viewset, "lookup_field", "pk"
        ) in ("pk", "id"):
            lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or viewset.lookup_field
            return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{ID_REGEX})"
        return super().get_lookup_regex(viewset, lookup_prefix)  # type: ignore[misc]


class DefaultRouter(_NumericLookup, routers.DefaultRouter):
    """``rest_framework.routers.DefaultRouter`` with numeric ids (module docstring)."""


class SimpleRouter(_NumericLookup, routers.SimpleRouter):
    """``rest_framework.routers.SimpleRouter`` with numeric ids (module docstring)."""
