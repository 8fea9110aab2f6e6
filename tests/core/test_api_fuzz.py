"""The served OpenAPI schema is the truth: every operation of /api/schema/ is called with a few
generated requests (reproducible: derandomized, no shrinking) as an anonymous visitor, a
programme director's write token and a learner's token, in-process through the WSGI
application. No answer may be a server error, and every answer must have a status the schema
documents for that operation and a body of the documented shape.

The database is small (tests.jury.builders: a catalogue, three enrolled learners, one exam per
block, a jury session) so that generated ids sometimes find real objects. Each call runs in a
savepoint rolled back afterwards: the examples do not depend on each other.

The operations are shared out between SHARDS tests (every SHARDS-th operation in schema order,
each shard with its own database) so that parallel test workers share the fuzzing."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from capitalis.accounts.models import User
from capitalis.accounts.rules import TokenScope
from capitalis.accounts.services import api_token_create
from tests.jury.builders import session, world

EXAMPLES = 5
SHARDS = 4
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

# API_FUZZ_ONLY="POST /api/jury/,/dashboard/" limits a run to the operations whose label
# ("METHOD /path") contains one of these parts (to reproduce a failure quickly).
# Operations not fuzzed, each with its reason: "METHOD /path" → why.
SKIPPED: dict[str, str] = {}


def _token(user: User, scope: TokenScope) -> str:
    _token_row, text = api_token_create(user=user, name="fuzz", scope=scope)
    return text


def _run(operation: Any, headers: dict[str, str], failures: list[str], who: str) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def examples(case: Any) -> None:
        # a bare savepoint, not an atomic block: a service that opens a durable transaction
        # (never nested in a caller's) runs here as it does directly in the test's transaction
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)
        except BaseExceptionGroup as group:  # collected: one report for every operation
            for failure in group.exceptions:
                failures.append(
                    f"{who} {operation.label}: {failure}"[:3000]
                    + f"\n  request: {case.path_parameters} {case.query} {case.body!r}"[:500]
                    + f"\n  answer: {response.text}"[:500]
                )
        except Exception as error:
            failures.append(f"{who} {operation.label}: {type(error).__name__}: {error}"[:3000])
        finally:
            transaction.savepoint_rollback(savepoint)

    examples()


@pytest.fixture
def _connection_kept() -> Any:
    """The site's WSGI handler closes the database connection after each request (Django's test
    client stops it doing so; the calls here go through the real handler): keep it open, the
    test's transaction lives on it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_connection_kept")
@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_operation_answers_as_documented(shard: int) -> None:
    from capitalis.wsgi import application as django_application

    def application(environ: dict[str, Any], start_response: Any) -> Any:
        # every real server gives the client's address (rate limits are counted by it); the
        # WSGI test client does not
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        return django_application(environ, start_response)

    w = world()
    session(w)
    learner = w.enrolments[0].learner.user
    who = {
        "anonymous": {},
        "director": {"Authorization": f"Bearer {_token(w.director, TokenScope.WRITE)}"},
        "learner": {"Authorization": f"Bearer {_token(learner, TokenScope.WRITE)}"},
    }
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures: list[str] = []
    only = [part for part in os.environ.get("API_FUZZ_ONLY", "").split(",") if part]
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if only and not any(part in operation.label for part in only):
            continue
        if operation.label in SKIPPED:
            continue
        operations.append(operation)
    assert operations
    mine = operations[shard::SHARDS]
    if not mine:  # only with API_FUZZ_ONLY: fewer operations than shards
        pytest.skip("no operation left for this shard")
    started = time.monotonic()
    for operation in mine:
        for name, headers in who.items():
            _run(operation, headers, failures, name)
    elapsed = time.monotonic() - started
    print(f"{len(mine)} operations, {EXAMPLES} examples each x 3 callers, {elapsed:.0f}s")
    assert not failures, "\n\n".join(failures)
