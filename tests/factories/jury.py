"""Jury: sessions, through ``jury.services.session_create`` (the president's and members'
scoped roles, the audit record), scheduled by a programme director made on the way unless
``actor`` is given. Give ``enrolments`` to put learners on the session."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from capitalis.accounts.rules import Role, ScopeKind
from capitalis.jury import services
from capitalis.jury.models import JurySession
from tests.factories.accounts import UserFactory
from tests.factories.referential import CertificationVersionFactory


class JurySessionFactory(DjangoModelFactory):
    class Meta:
        model = JurySession

    version = factory.SubFactory(CertificationVersionFactory)
    date = dt.date(2025, 7, 1)
    title = factory.Sequence(lambda n: f"Jury d'essai {n}")
    president = factory.SubFactory(UserFactory)
    members: Any = factory.LazyFunction(list)
    enrolments: Any = factory.LazyFunction(list)
    actor = factory.SubFactory(
        UserFactory, roles=[(Role.PROGRAMME_DIRECTOR, ScopeKind.GLOBAL, None)]
    )

    @classmethod
    def _create(cls, model_class: type[JurySession], *args: Any, **kwargs: Any) -> JurySession:
        return services.session_create(**kwargs)
