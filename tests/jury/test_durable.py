"""The jury's entry points (called by a view, the API or a task) open a durable transaction:
nested inside a caller's transaction they refuse to run, so that their commit (and the mails
sent after it) is final. Under pytest-django's own test transaction they run, as every other
test of the jury shows: Django lets a durable block open directly inside the transaction of a
TestCase, which the ``db`` fixture is. The services the demo or a view runs inside a larger
transaction stay nestable."""

from __future__ import annotations

import pytest
from django.db import transaction

from capitalis.jury import services
from tests.jury.builders import session, world

pytestmark = pytest.mark.django_db

DURABLE = [
    "session_update",
    "decision_correct",
    "appeal_lodge",
    "appeal_decide",
    "vae_admissibility_decide",
    "vae_document_add",
    "vae_interview_record",
    "vae_outcome_decide",
    "prior_validation_record",
    "prior_validations_import",
]


@pytest.mark.parametrize("name", DURABLE)
def test_an_entry_point_refuses_to_run_inside_another_transaction(name):
    service = getattr(services, name)
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        service()  # refused on entering its transaction, before its arguments are read


def test_the_services_the_demo_nests_run_inside_a_larger_transaction():
    w = world(learners=1)
    with transaction.atomic():
        s = session(w)
        services.deliberate(session=s, actor=w.president)
        s = services.session_close(session=s, actor=w.president)
    assert s.is_closed
