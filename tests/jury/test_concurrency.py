"""Two jury members override the same decision at the same moment (real threads, PostgreSQL
row locks): exactly one wins, the other gets the translated conflict error carrying her text
back, and the stored decision is the winner's, whole."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import translation

from capitalis.core.exceptions import DomainError
from capitalis.jury import services
from capitalis.jury.models import BlockDecision
from tests.jury.builders import grade, session, world

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_members_at_once_one_wins_nothing_lost():
    if connection.vendor != "postgresql":
        pytest.skip("row locks between threads need PostgreSQL")
    w = world(learners=1)
    grade(w, w.enrolments[0], w.blocks[0], 6)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    d = BlockDecision.objects.get(session=s, enrolment=w.enrolments[0], block=w.blocks[0])
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(member, text: str) -> None:
        try:
            with translation.override("fr"):
                barrier.wait()
                services.decision_override(
                    decision=d,
                    status="validated",
                    justification=text,
                    expected_version=d.version,
                    actor=member,
                )
            outcomes[text] = "won"
        except DomainError as error:
            outcomes[text] = error.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(w.member, "Avis A")),
        threading.Thread(target=act, args=(w.member2, "Avis B")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [k for k, v in outcomes.items() if v == "won"]
    assert len(winners) == 1
    loser = next(k for k in outcomes if k not in winners)
    assert "Un autre membre du jury a modifié cette décision" in outcomes[loser]
    assert loser in outcomes[loser]
    d.refresh_from_db()
    assert d.justification == winners[0] and d.version == 2
