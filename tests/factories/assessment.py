"""Assessment: assessments and results, written with the ORM as facts (an exam of a block by
default, a course's assessment when given ``course``; ``assessment.services.assessment_create``
and the result services are tested in tests/assessment)."""

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
    course = None
    # a course's assessment has no block; otherwise an exam of a block of the edition's version
    block = factory.Maybe(
        "course",
        yes_declaration=None,
        no_declaration=factory.SubFactory(
            BlockFactory,
            version=factory.SelfAttribute("..edition.programme.certification_version"),
        ),
    )
    code = factory.Sequence(lambda n: f"EX{n}")
    title_fr = factory.Sequence(lambda n: f"Examen {n}")
    modality = "written_exam"
    date = dt.date(2025, 6, 1)


class ResultFactory(DjangoModelFactory):
    """A grade for a learner of the assessment's edition: on a competency of a block exam's
    block, or the whole grade of a course assessment."""

    class Meta:
        model = Result

    assessment = factory.SubFactory(AssessmentFactory)
    enrolment = factory.SubFactory(
        EnrolmentFactory, edition=factory.SelfAttribute("..assessment.edition")
    )
    # on a competency of a block exam's block; a course assessment's result is a whole grade
    competency = factory.Maybe(
        factory.SelfAttribute("assessment.block"),
        yes_declaration=factory.SubFactory(
            CompetencyFactory, block=factory.SelfAttribute("..assessment.block")
        ),
        no_declaration=None,
    )
    grade = Decimal("12")
