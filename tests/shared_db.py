"""Database state built once for a whole test module, each test still on its own.

Some states cost seconds to build (the shipped référentiel) or tens of seconds (``seed_demo``)
and many tests only read them. A module-scoped fixture builds the state once inside a
transaction left open; every test of the module (pytest-django's ``db``, Django's TestCase)
runs inside it in a savepoint rolled back after the test, as it would on an empty database;
the transaction is rolled back when the module ends, so the next module finds the database as
migrations left it. Works on SQLite and PostgreSQL.

Only for modules whose every database test uses ``db`` (not ``transactional_db`` or
``live_server``, which flush the tables) and wants the state: a test of the module that did
not ask for it sees it all the same."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import transaction

T = TypeVar("T")


@contextmanager
def built_once(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """Run ``build()`` in a transaction kept open while the caller's block runs, then roll it
    back. ``django_db_blocker`` is pytest-django's fixture: the database is reachable only while
    building and rolling back, as everywhere else outside a ``db`` test."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        # As Django's TestCase marks its own blocks: services that open a durable transaction
        # (entry points) run inside it as they would at the top of a request.
        atomic._from_testcase = True  # type: ignore[attr-defined]
        atomic.__enter__()
        try:
            value = build()
        except BaseException as error:
            transaction.set_rollback(True)
            atomic.__exit__(type(error), error, error.__traceback__)
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
