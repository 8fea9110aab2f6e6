"""Admissions: candidates and applications.

``CandidateFactory`` goes through ``admissions.services.candidate_signup`` (the CANDIDATE role,
an audit record) and records the address as confirmed, as if the candidate had followed the
link. ``ApplicationFactory`` writes an application at the status asked for (``draft`` unless
told) with the ORM: the steps from a draft to a decision are the admissions services' tests
(tests/admissions/builders.py ``draft`` makes a complete draft through them).
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from capitalis.accounts.models import User
from capitalis.accounts.services import email_address_ensure
from capitalis.admissions import services
from capitalis.admissions.models import Application
from capitalis.programmes.models import Track
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.programmes import CampusFactory, EditionFactory, ProgrammeYearFactory


class CandidateFactory(UserFactory):
    """A candidate who signed up (``candidate_signup``) and confirmed her address."""

    full_name = factory.Sequence(lambda n: f"Candidate Essai {n}")
    email = factory.Sequence(lambda n: f"candidate{n}@example.org")
    preferred_language = "fr"

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        who = services.candidate_signup(
            email=kwargs["email"],
            full_name=kwargs["full_name"],
            password=kwargs.get("password", PASSWORD),
            preferred_language=kwargs["preferred_language"],
        )
        email_address_ensure(user=who, verified=True)
        return who


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application

    candidate = factory.SubFactory(UserFactory)
    edition = factory.SubFactory(EditionFactory)
    year = factory.SubFactory(
        ProgrammeYearFactory, programme=factory.SelfAttribute("..edition.programme")
    )
    campus = factory.SubFactory(CampusFactory)
    track = Track.INITIAL
    status = "draft"
