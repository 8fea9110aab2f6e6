"""Small data for the invoice tests: a catalogue (one edition 2024-25, two campuses, fee
schedules on both tracks), candidates with an application, finance staff."""

from __future__ import annotations

from typing import Any

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.programmes.models import Campus, Edition, Programme
from tests.factories.accounts import UserFactory
from tests.factories.admissions import ApplicationFactory
from tests.factories.enrolment import ContractFactory, EnrolmentFactory, LearnerFactory
from tests.programmes.builders import build_catalogue


def catalogue() -> Programme:
    return build_catalogue(editions=1, campuses=2, courses=0)


def person(email: str, role: Role | None = None, campus: Campus | None = None) -> User:
    roles = []
    if role is not None:
        scope = ScopeKind.CAMPUS if campus is not None else ScopeKind.GLOBAL
        roles.append((role, scope, campus.pk if campus else None))
    return UserFactory(email=email, full_name=email.split("@")[0], roles=roles)


def application(candidate: User, *, campus: Campus | None = None, track: str = "initial") -> Any:
    edition = Edition.objects.get()
    year = edition.programme.years.get(position=1)
    return ApplicationFactory(
        candidate=candidate,
        edition=edition,
        year=year,
        campus=campus or Campus.objects.order_by("position")[0],
        track=track,
        status="submitted",
    )


def enrolment(
    learner_user: User,
    *,
    campus: Campus | None = None,
    track: str = "initial",
    opco: str = "OPCO Test",
    application: Any = None,
) -> Any:
    """An enrolment written as a fact, its learner made by the enrolment service (the finance
    tests only need its facts); a work-study one gets a contract with an employer and, unless
    ``opco`` is empty, an OPCO."""
    import datetime as dt

    edition = Edition.objects.get()
    learner = LearnerFactory(user=learner_user)  # the same learner when there is one
    row = EnrolmentFactory(
        learner=learner,
        edition=edition,
        year=edition.programme.years.get(position=1),
        campus=campus or Campus.objects.order_by("position")[0],
        track=track,
        application=application,
    )
    if track == "work_study":
        ContractFactory(
            enrolment=row,
            kind="apprenticeship",
            employer_name="Employer Test SA",
            employer_siret="73282932000074",
            tutor=User.objects.get_or_create(email="employer-tutor@example.org")[0],
            opco_name=opco,
            start_date=dt.date(2024, 9, 1),
            end_date=dt.date(2026, 8, 31),
        )
    return row
