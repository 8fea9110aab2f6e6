"""``seed_demo``'s credentials step (920) without any closed session: it closes a past session
of its own, once. What the step issues for the demo's closed sessions is checked on the demo
seeded once, in tests/demo/test_seeded_demo.py."""

from __future__ import annotations

import pytest

from capitalis.accounts.demo import DemoContext
from capitalis.accounts.rules import Role
from capitalis.credentials.demo_credentials import TITLE, credentials_step
from capitalis.jury.models import JurySession
from tests.credentials.issuance_world import signing_key  # noqa: F401
from tests.jury.builders import world

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("signing_key")
def test_without_a_closed_session_the_step_closes_its_own() -> None:
    w = world(learners=2)
    ctx = DemoContext(
        password="x", users={Role.JURY_PRESIDENT: w.president, Role.PROGRAMME_DIRECTOR: w.director}
    )
    credentials_step(ctx)
    own = JurySession.objects.get(title=TITLE)
    assert own.is_closed and own.minutes_sha256
    credentials_step(ctx)
    assert JurySession.objects.filter(title=TITLE).count() == 1
    assert JurySession.objects.count() == 1
