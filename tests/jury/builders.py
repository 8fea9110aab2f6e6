"""Small data for the jury tests: the ORM catalogue of tests.programmes.builders (version V2:
four blocks, the last two optional, k = 1, two competencies each; version V1 earlier, with a
partial crosswalk entry), learners enrolled in MSc 1, one exam per block with results written
with the ORM, a jury president and two members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.assessment.models import Assessment, AssessmentCompetency, Result
from capitalis.enrolment.models import Enrolment, Learner  # noqa: F401 (tests import both from here)
from capitalis.jury import services
from capitalis.jury.models import JurySession
from capitalis.programmes.models import Campus, Edition, Track
from capitalis.referential.models import Block, CertificationVersion
from tests.factories.accounts import BareUserFactory
from tests.factories.assessment import AssessmentFactory
from tests.factories.enrolment import EnrolmentFactory, LearnerFactory
from tests.programmes.builders import build_catalogue


def person(email: str, name: str, *roles: tuple[Role, ScopeKind, int | None]) -> User:
    return BareUserFactory(email=email, full_name=name, roles=roles)


@dataclass
class World:
    version: CertificationVersion
    earlier: CertificationVersion
    blocks: list[Block]
    edition: Edition
    enrolments: list[Enrolment]
    exams: dict[int, Assessment]  # block id → first-session exam
    president: User
    member: User
    member2: User
    director: User


def world(learners: int = 3) -> World:
    programme = build_catalogue(editions=1, campuses=1, courses=0)
    version = programme.certification_version
    earlier = version.certification.versions.get(code="V1")
    edition = Edition.objects.get(programme=programme)
    msc1 = programme.years.get(position=1)
    campus = Campus.objects.order_by("position")[0]
    spec = programme.specialisations.order_by("position").first()
    enrolments = []
    for n in range(learners):
        # the learner service grants the LEARNER role
        learner = LearnerFactory(user=person(f"learner{n}@example.org", f"Apprenant {n:02d}"))
        enrolments.append(
            EnrolmentFactory(
                learner=learner,
                edition=edition,
                year=msc1,
                campus=campus,
                track=Track.INITIAL,
                specialisation=spec,
            )
        )
    blocks = list(Block.objects.filter(version=version).order_by("position"))
    exams = {}
    for block in blocks:
        exam = AssessmentFactory(
            edition=edition,
            block=block,
            code=f"EX-{block.code}",
            title_fr=f"Examen {block.code}",
            title_en=f"Exam {block.code}",
            modality="written_exam",
            date=dt.date(2025, 6, 1),
        )
        for comp in block.competencies.all():
            AssessmentCompetency.objects.create(assessment=exam, competency=comp)
        exams[block.pk] = exam
    return World(
        version=version,
        earlier=earlier,
        blocks=blocks,
        edition=edition,
        enrolments=enrolments,
        exams=exams,
        president=person("president@example.org", "Présidente Essai"),
        member=person("member@example.org", "Membre Un"),
        member2=person("member2@example.org", "Membre Deux"),
        director=person(
            "director@example.org", "Direction", (Role.PROGRAMME_DIRECTOR, ScopeKind.GLOBAL, None)
        ),
    )


def grade(w: World, enrolment: Enrolment, block: Block, value: str | int) -> None:
    """The same grade on every competency of the block's exam."""
    exam = w.exams[block.pk]
    for comp in block.competencies.all():
        Result.objects.update_or_create(
            assessment=exam,
            enrolment=enrolment,
            competency=comp,
            defaults={"grade": Decimal(str(value))},
        )


def session(
    w: World, *, day: dt.date = dt.date(2025, 7, 1), title: str = "Jury juillet"
) -> JurySession:
    return services.session_create(
        version=w.version,
        date=day,
        title=title,
        president=w.president,
        members=[w.member, w.member2],
        enrolments=w.enrolments,
        actor=w.director,
    )
