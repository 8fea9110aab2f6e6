"""Enrolment: learners, enrolments, contracts.

``LearnerFactory`` goes through the enrolment services' learner creation (the one
``enrolment_create_from_application`` uses): the Learner row, the LEARNER role and the
``enrolment.learner_create`` audit record; a user that is already a learner gets that learner
back. Extra fields given (``national_student_number``, identity) are then saved on it.
``EnrolmentFactory`` and ``ContractFactory`` write the rows with the ORM, as facts (the
enrolment service also moves an admitted application and invoices: see its own tests).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from capitalis.enrolment import services
from capitalis.enrolment.models import Contract, Enrolment, Learner
from capitalis.programmes.models import Track
from tests.factories.accounts import UserFactory
from tests.factories.programmes import CampusFactory, EditionFactory, ProgrammeYearFactory


class LearnerFactory(DjangoModelFactory):
    class Meta:
        model = Learner

    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class: type[Learner], *args: Any, **kwargs: Any) -> Learner:
        user = kwargs.pop("user")
        actor = kwargs.pop("actor", None)
        learner = services.learner_ensure(user=user, actor=actor)
        if kwargs:
            for name, value in kwargs.items():
                setattr(learner, name, value)
            learner.save(update_fields=list(kwargs))
        return learner


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    learner = factory.SubFactory(LearnerFactory)
    edition = factory.SubFactory(EditionFactory)
    year = factory.SubFactory(
        ProgrammeYearFactory, programme=factory.SelfAttribute("..edition.programme")
    )
    campus = factory.SubFactory(CampusFactory)
    track = Track.INITIAL


class ContractFactory(DjangoModelFactory):
    """A two-year apprenticeship contract from 1 September 2024, with an employer tutor."""

    class Meta:
        model = Contract

    enrolment = factory.SubFactory(EnrolmentFactory, track=Track.WORK_STUDY)
    kind = "apprenticeship"
    employer_name = "Entreprise Fictive SA"
    employer_siret = "73282932000074"
    tutor = factory.SubFactory(UserFactory)
    start_date = dt.date(2024, 9, 1)
    end_date = dt.date(2026, 8, 31)
