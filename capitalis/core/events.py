"""Domain events: how an app earlier in the pipeline lets a later one follow a business step
without importing it.

The import-linter pipeline forbids admissions and enrolment to import finance, yet submitting
an application must invoice the application fee, and enrolling or withdrawing must invoice or
credit. The earlier app *publishes* a named event carrying only ids
(``publish(APPLICATION_SUBMITTED, application_id=7)``); the later app *subscribes* a handler
in its ``AppConfig.ready()``. Nothing else travels: the handler loads what it needs, so an
event may be replayed at any time.

Delivery rules, chosen so that a follower can never lose or corrupt the step it follows:

- ``publish`` runs the handlers with ``transaction.on_commit``: after the publisher's
  transaction is committed, never for a rolled-back one, and outside it (a handler's failure
  cannot undo the submission or the enrolment);
- a handler's exception is logged (``capitalis.events``) and swallowed: the publisher's page or
  API answer is not affected; the handler must be idempotent, and its app offers a
  reconciliation that replays it for every record (finance: ``manage.py finance_reconcile``);
- handlers run in registration order; they usually hand the work to a Celery task (in-process
  when ``CELERY_BROKER_URL`` is unset, in a worker with retries otherwise).

This is not a Django signal: only the names below exist, each with the ids it carries, so a
reader finds every follower of a step with one search.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

logger = logging.getLogger("capitalis.events")

# name -> the ids it carries
APPLICATION_SUBMITTED = "admissions.application_submitted"  # application_id
ENROLMENT_CREATED = "enrolment.enrolment_created"  # enrolment_id
ENROLMENT_WITHDRAWN = "enrolment.enrolment_withdrawn"  # enrolment_id

EVENTS: frozenset[str] = frozenset({APPLICATION_SUBMITTED, ENROLMENT_CREATED, ENROLMENT_WITHDRAWN})

Handler = Callable[..., object]

_HANDLERS: dict[str, list[Handler]] = {}


def subscribe(name: str, handler: Handler) -> None:
    """Run ``handler(**ids)`` after each committed ``publish(name, **ids)``. Subscribing the
    same handler twice (``ready()`` run again) keeps one."""
    if name not in EVENTS:
        raise ValueError(f"unknown event {name!r}")
    handlers = _HANDLERS.setdefault(name, [])
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    """Stop running ``handler`` for ``name`` (tests)."""
    if handler in _HANDLERS.get(name, []):
        _HANDLERS[name].remove(handler)


def dispatch(name: str, **ids: int) -> None:
    """Run the handlers of ``name`` now; each failure is logged, never raised."""
    for handler in list(_HANDLERS.get(name, [])):
        try:
            handler(**ids)
        except Exception:
            logger.exception("event %s %s: handler %r failed", name, ids, handler)


def publish(name: str, **ids: int) -> None:
    """Announce that ``name`` happened to the records ``ids``, once the current transaction
    commits (at once outside a transaction)."""
    if name not in EVENTS:
        raise ValueError(f"unknown event {name!r}")
    transaction.on_commit(partial(dispatch, name, **ids))
