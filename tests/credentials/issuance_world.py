"""Data for the issuance tests (helper A2's): the jury test world (tests.jury.builders) with three
learners deliberated — a certified (common blocks + one optional), b partially certified (first
block only), c not certified — and the session optionally closed with frozen minutes. A fixed
test-only signing key (did:key) so credentials are reproducible within a test."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from capitalis.jury import services as jury_services
from capitalis.jury.models import BlockValidation, CertificationDecision, JurySession
from tests.jury.builders import World, grade, session, world

# TEST-ONLY seed (sha256(b"capitalis-demo"), public in the research fixtures); never for real use.
TEST_KEY = "58818354ad344c2baec453c74786831bc4cffd156944c27f388935846b098073"


@dataclass
class Issuance:
    w: World
    session: JurySession

    def validations(self, enrolment_index: int) -> list[BlockValidation]:
        learner = self.w.enrolments[enrolment_index].learner
        return list(
            BlockValidation.objects.filter(learner=learner, session=self.session).order_by("pk")
        )

    def decision(self, enrolment_index: int) -> CertificationDecision:
        return CertificationDecision.objects.get(
            session=self.session, enrolment=self.w.enrolments[enrolment_index]
        )


def deliberated(*, close: bool = True, learners: int = 3) -> Issuance:
    w = world(learners=learners)
    b1, b2, b3, _b4 = w.blocks
    for n, enrolment in enumerate(w.enrolments):
        if n % 3 == 0:
            for blk in (b1, b2, b3):
                grade(w, enrolment, blk, 14)
        elif n % 3 == 1:
            grade(w, enrolment, b1, 12)
            grade(w, enrolment, b2, 8)
    s = session(w)
    jury_services.deliberate(session=s, actor=w.member)
    if close:
        s = jury_services.session_close(session=s, actor=w.president)
    return Issuance(w, s)


@pytest.fixture
def signing_key(settings):
    settings.CREDENTIALS_SIGNING_KEY = TEST_KEY
    settings.CREDENTIALS_DID_WEB_DOMAIN = ""
    settings.PUBLIC_BASE_URL = "https://certif.example.test"
    return TEST_KEY
