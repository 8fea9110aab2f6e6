"""Domain errors: raised by services, mapped by views and the API to a 4xx or a form error."""

from __future__ import annotations


class DomainError(Exception):
    """An error a user can cause; its message is translated and safe to show."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
