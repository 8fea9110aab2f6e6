"""Free text typed by a user (a reason, a justification, a note), as the services take it."""

from __future__ import annotations


def clean_text(value: object) -> str:
    """The text stripped of surrounding spaces; ``""`` for anything that is not a string
    (``None`` from a JSON ``null``, a number, a list), so that a "required" check refuses it
    instead of storing its representation ("None")."""
    return value.strip() if isinstance(value, str) else ""
