"""Assessment: assessments and results, written with the ORM as facts (an exam of a block by
default; ``assessment.services.assessment_create`` and the result services are tested in
tests/assessment)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from capitalis.assessment.models import Assessment, Result
from tests.factories.enrolment import EnrolmentFactory
from tests.factories.programmes import EditionFactory
from tests.factories.referential import BlockFactory, CompetencyFactory


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = Assessment

    edition = factory.SubFactory(EditionFactory)
    block = factory.SubFactory(
        BlockFactory,
        version=factory.SelfAttribute("..edition.programme.certification_version"),
    )
    code = factory.Sequence(lambda n: f"EX{n}")
    title_fr = factory.Sequence(lambda n: f"Examen {n}")
    modality = "written_exam"
    date = dt.date(2025, 6, 1)


class ResultFactory(DjangoModelFactory):
    """A grade on one competency of the assessment's block, for a learner of its edition."""

    class Meta:
        model = Result

    assessment = factory.SubFactory(AssessmentFactory)
    enrolment = factory.SubFactory(
        EnrolmentFactory, edition=factory.SelfAttribute("..assessment.edition")
    )
    competency = factory.SubFactory(
        CompetencyFactory, block=factory.SelfAttribute("..assessment.block")
    )
    grade = Decimal("12")
