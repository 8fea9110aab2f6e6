"""Small data for the enrolment tests: a two-edition catalogue on two campuses (built with the
ORM by tests.programmes.builders), admitted applications, staff and tutors, valid SIRETs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions.models import Application
from capitalis.enrolment.services import ContractInput
from capitalis.programmes.models import Campus, Edition, Programme, ProgrammeYear, Track
from tests.factories.accounts import BareUserFactory
from tests.factories.admissions import ApplicationFactory
from tests.programmes.builders import build_catalogue


def siret(prefix: str) -> str:
    """Complete 13 digits with the Luhn check digit."""
    from capitalis.enrolment.rules import luhn_ok

    for digit in "0123456789":
        if luhn_ok(prefix + digit):
            return prefix + digit
    raise AssertionError(prefix)


EMPLOYER_SIRET = siret("4180000000001")


@dataclass
class World:
    programme: Programme
    first: Edition  # 2024-25
    second: Edition  # 2026-27
    msc1: ProgrammeYear
    msc2: ProgrammeYear
    campus: Campus
    other_campus: Campus
    director: User
    coordinator: User  # campus coordinator of ``campus``


def user(email: str, *roles: tuple[Role, ScopeKind, int | None], name: str = "") -> User:
    return BareUserFactory(email=email, full_name=name, roles=roles)


def world() -> World:
    programme = build_catalogue(editions=2, campuses=2, courses=0)
    first, second = list(Edition.objects.filter(programme=programme).order_by("start_date"))
    msc1, msc2 = list(ProgrammeYear.objects.filter(programme=programme).order_by("position"))
    campus, other = list(Campus.objects.order_by("position"))
    return World(
        programme=programme,
        first=first,
        second=second,
        msc1=msc1,
        msc2=msc2,
        campus=campus,
        other_campus=other,
        director=user("director@example.org", (Role.PROGRAMME_DIRECTOR, ScopeKind.GLOBAL, None)),
        coordinator=user(
            "coordinator@example.org", (Role.CAMPUS_COORDINATOR, ScopeKind.CAMPUS, campus.pk)
        ),
    )


def admitted(
    w: World,
    email: str,
    *,
    track: str = Track.INITIAL,
    year: ProgrammeYear | None = None,
    edition: Edition | None = None,
    campus: Campus | None = None,
) -> Application:
    """An application at the admitted status (the admissions steps are tested by helper I)."""
    candidate = user(email, (Role.CANDIDATE, ScopeKind.GLOBAL, None), name=f"Cand {email[:4]}")
    edition = edition or w.first
    return ApplicationFactory(
        candidate=candidate,
        edition=edition,
        year=year or w.msc1,
        campus=campus or w.campus,
        track=track,
        specialisation=w.programme.specialisations.order_by("position").first(),
        status="admitted",
        english_level="C1",
    )


def contract_for(
    start: dt.date,
    years: int,
    *,
    tutor: User | None = None,
    siret_value: str = EMPLOYER_SIRET,
    tutor_email: str = "employer-tutor@example.org",
) -> ContractInput:
    """A valid contract; its employer tutor is ``tutor`` or the account of ``tutor_email``."""
    return ContractInput(
        kind="apprenticeship",
        employer_name="Entreprise Fictive SA",
        employer_siret=siret_value,
        start_date=start,
        end_date=dt.date(start.year + years, start.month, start.day) - dt.timedelta(days=1),
        opco_name="OPCO Essai",
        tutor=tutor,
        tutor_email="" if tutor is not None else tutor_email,
    )
