"""How every interface answers a ``DomainError`` (the status table is in
``capitalis.core.exceptions``), written once:

- the REST API: ``api_exception_handler`` (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) answers an
  uncaught ``DomainError`` with its status and ``{"detail": message, "code": code}``; an API view
  calls its service and lets the error propagate;
- the pages: ``domain_errors(request, form)`` catches it around a service call, puts the message
  on the form (on the field its code names, if any) or in the messages framework, and tells the
  view it was refused::

      with domain_errors(request, form, fields={"reason_required": "reason"}) as refused:
          services.contract_terminate(...)
      if not refused:
          messages.success(request, _("The contract was terminated."))
          return redirect(...)
      return render(request, ..., status=refused.status)

- the management commands: ``with command_errors():`` turns it into a ``CommandError`` (its
  message on stderr, exit status 1) instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.core.management.base import CommandError
from django.http import HttpRequest
from rest_framework.response import Response
from rest_framework.views import exception_handler

from capitalis.core.exceptions import DomainError


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a ``DomainError`` is answered with its status and body."""
    if isinstance(exc, DomainError):
        return Response(exc.as_body(), status=exc.status)
    return exception_handler(exc, context)


class Refusal:
    """What ``domain_errors`` caught: false when the service call went through."""

    def __init__(self) -> None:
        self.error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        return self.error.message if self.error is not None else ""

    @property
    def code(self) -> str:
        return self.error.code if self.error is not None else ""

    @property
    def status(self) -> int:
        """The page's status: 200 when nothing was refused, else the error's (400, 409 …)."""
        return self.error.status if self.error is not None else 200


@contextmanager
def domain_errors(
    request: HttpRequest,
    form: Any = None,
    *,
    fields: Mapping[str, str] | None = None,
    message: bool = True,
) -> Iterator[Refusal]:
    """Catch a ``DomainError`` raised in the block: with a form, add its message to the form
    (to the field ``fields[code]`` when the form has it, else to the whole form); without one,
    add it to the request's messages (unless ``message=False``: the view shows it itself)."""
    refusal = Refusal()
    try:
        yield refusal
    except DomainError as error:
        refusal.error = error
        if form is not None:
            name = (fields or {}).get(error.code)
            form.add_error(name if name in form.fields else None, error.message)
        elif message:
            messages.error(request, error.message)


@contextmanager
def command_errors() -> Iterator[None]:
    """In a management command: a ``DomainError`` becomes a ``CommandError`` with its message."""
    try:
        yield
    except DomainError as error:
        raise CommandError(error.message) from error
