"""Domain errors: raised by services, mapped by views and the API to a 4xx or a form error.

A service raises ``DomainError(message, code=...)``: the message is translated and safe to show,
the code is stable and machine-readable. Its HTTP status follows from its code, decided once
here (``http_status``) for the whole project:

- 404 ``not_found``, ``unknown``: the object asked for does not exist (or is not yours to see);
- 403 ``forbidden``, ``not_authorised``: the person may not do this;
- 409 a conflict with the current state of the object: someone else changed it meanwhile
  (``conflict``), it already exists or was already done (``exists``, ``duplicate``,
  ``already_…``, ``answered``, ``booked``, ``decided`` …), or its state forbids it now
  (``closed``, ``not_frozen``, ``not_draft`` …) — see ``CONFLICT_CODES``;
- 400 every other code: the request itself is wrong (a missing field, a bad value).

The API's exception handler (``capitalis.core.handlers.api_exception_handler``) answers an
uncaught ``DomainError`` with that status and ``error.as_body()`` (``{"detail", "code"}``); the
page views use ``capitalis.core.handlers.domain_errors``.
"""

from __future__ import annotations

from typing import Any

NOT_FOUND_CODES = frozenset({"not_found", "unknown"})
FORBIDDEN_CODES = frozenset({"forbidden", "not_authorised"})
# The object's current state refuses the request (409): repeating it will not help until the
# state changes; a different request body would not help either.
CONFLICT_CODES = frozenset(
    {
        "conflict",  # a stale version: someone else changed it meanwhile
        "exists",
        "duplicate",
        "answered",
        "booked",
        "slot_taken",
        "decided",
        "terminated",
        "corrected",
        "credited",
        "has_payments",
        "has_decisions",
        "contract_overlap",
        "transition",
        "closed",
        "session_closed",
        "gone",
        "not_draft",
        "not_frozen",
        "not_closed",
        "not_deliberated",
        "not_running",
    }
)
CONFLICT_PREFIXES = ("already_",)

BAD_REQUEST, FORBIDDEN, NOT_FOUND, CONFLICT = 400, 403, 404, 409


def status_for_code(code: str) -> int:
    """The HTTP status of a domain error's code (see the module's table)."""
    if code in NOT_FOUND_CODES:
        return NOT_FOUND
    if code in FORBIDDEN_CODES:
        return FORBIDDEN
    if code in CONFLICT_CODES or code.startswith(CONFLICT_PREFIXES):
        return CONFLICT
    return BAD_REQUEST


class DomainError(Exception):
    """An error a user can cause; its message is translated and safe to show."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def status(self) -> int:
        """The HTTP status an interface answers it with (``status_for_code``)."""
        return status_for_code(self.code)

    def as_body(self) -> dict[str, Any]:
        """The API's answer body: ``{"detail": message, "code": code}`` (a subclass may add
        fields, e.g. the per-question errors of a survey's answers)."""
        return {"detail": self.message, "code": self.code}


def http_status(error: DomainError) -> int:
    """The HTTP status of ``error``: the one table for every view, API view and task."""
    return error.status
