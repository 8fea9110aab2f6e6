"""Small data for the holders' declaration tests: the jury test world (a test certification
RNCP99999, learners enrolled), closed jury sessions and certification decisions written with the
ORM (the deliberation itself is tested in tests/jury), learners with invented identities."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from capitalis.accounts.models import User
from capitalis.enrolment.models import Enrolment
from capitalis.jury.models import CertificationDecision, CertificationStatus, JurySession
from capitalis.programmes.models import Track
from capitalis.referential.models import Certification
from tests.factories.enrolment import ContractFactory
from tests.jury.builders import World, session, world

AWARD_DAY = dt.date(2025, 7, 1)


@dataclass
class Decl:
    w: World
    certification: Certification
    session: JurySession
    decisions: list[CertificationDecision]


def identify(enrolment: Enrolment, n: int) -> None:
    learner = enrolment.learner
    learner.birth_name = f"Essai{n}"
    learner.first_names = f"Camille, Dominique{n}"
    learner.sex = "F" if n % 2 == 0 else "M"
    learner.date_of_birth = dt.date(2000, 1 + n % 12, 10 + n)
    learner.birth_place_code = "69123"
    learner.birth_place_name = "Lyon"
    learner.birth_country = "France"
    learner.save()


def closed_session(w: World, *, day: dt.date = AWARD_DAY, title: str = "Jury") -> JurySession:
    s = session(w, day=day, title=title)
    JurySession.objects.filter(pk=s.pk).update(status="closed", closed_at=timezone.now())
    s.refresh_from_db()
    return s


def decide(
    s: JurySession, enrolment: Enrolment, status: str = CertificationStatus.CERTIFIED
) -> CertificationDecision:
    return CertificationDecision.objects.create(
        session=s, enrolment=enrolment, computed_status=status, validated_blocks=[]
    )


def build(learners: int = 3, *, identities: bool = True) -> Decl:
    """``learners`` learners certified by a closed session on AWARD_DAY. Learner 0 is on the
    initial track; learner 1 (if any) work-study under an apprenticeship contract; learner 2 (if
    any) work-study under a professionalisation contract."""
    w = world(learners=learners)
    for n, enrolment in enumerate(w.enrolments):
        if identities:
            identify(enrolment, n)
        if n in (1, 2):
            Enrolment.objects.filter(pk=enrolment.pk).update(track=Track.WORK_STUDY)
            ContractFactory(
                enrolment=enrolment,
                kind="apprenticeship" if n == 1 else "professionalisation",
                employer_name="Employeur fictif",
                employer_siret="90000000100013",
                tutor=User.objects.get_or_create(email="employer-tutor@example.org")[0],
                start_date=dt.date(2024, 9, 1),
                end_date=dt.date(2026, 8, 31),
            )
    s = closed_session(w)
    decisions = [decide(s, e) for e in w.enrolments]
    return Decl(w=w, certification=w.version.certification, session=s, decisions=decisions)
