"""Programmes: campuses, programmes, years, specialisations, editions, offerings, courses
(written with the ORM, as the catalogue data load writes them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from capitalis.programmes.models import (
    Campus,
    Course,
    Edition,
    Offering,
    Programme,
    ProgrammeYear,
    Specialisation,
    Track,
)
from tests.factories.referential import BlockFactory, CertificationVersionFactory


class CampusFactory(DjangoModelFactory):
    class Meta:
        model = Campus

    code = factory.Sequence(lambda n: f"CAMP{n:03d}")
    name = factory.Sequence(lambda n: f"Campus d'essai {n}")


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"PRG-{n:03d}")
    title_fr = factory.Sequence(lambda n: f"Programme d'essai {n}")
    certification_version = factory.SubFactory(CertificationVersionFactory)


class ProgrammeYearFactory(DjangoModelFactory):
    """Year ``position`` (1) of its programme; the programme's row when it has it already."""

    class Meta:
        model = ProgrammeYear
        django_get_or_create = ("programme", "code")

    programme = factory.SubFactory(ProgrammeFactory)
    position = 1
    code = factory.LazyAttribute(lambda o: f"Y{o.position}")
    title_fr = factory.LazyAttribute(lambda o: f"Année {o.position}")


class SpecialisationFactory(DjangoModelFactory):
    """A specialisation on an optional block of its programme's certification version."""

    class Meta:
        model = Specialisation

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"SPE{n}")
    title_fr = factory.Sequence(lambda n: f"Spécialité {n}")
    block = factory.SubFactory(
        BlockFactory,
        version=factory.SelfAttribute("..programme.certification_version"),
        kind="optional",
    )


class EditionFactory(DjangoModelFactory):
    """An edition of one school year starting on 1 September of ``start_year`` (2024)."""

    class Meta:
        model = Edition

    class Params:
        start_year = 2024

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.LazyAttribute(lambda o: f"{o.start_year}-{(o.start_year + 1) % 100:02d}")
    label = factory.LazyAttribute(lambda o: f"{o.start_year}/{(o.start_year + 1) % 100:02d}")
    start_date = factory.LazyAttribute(lambda o: dt.date(o.start_year, 9, 1))
    end_date = factory.LazyAttribute(lambda o: dt.date(o.start_year + 1, 8, 31))


class OfferingFactory(DjangoModelFactory):
    class Meta:
        model = Offering

    edition = factory.SubFactory(EditionFactory)
    campus = factory.SubFactory(CampusFactory)
    year = factory.SubFactory(
        ProgrammeYearFactory, programme=factory.SelfAttribute("..edition.programme")
    )
    specialisation = factory.SubFactory(
        SpecialisationFactory, programme=factory.SelfAttribute("..edition.programme")
    )
    track = Track.INITIAL


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    edition = factory.SubFactory(EditionFactory)
    year = factory.SubFactory(
        ProgrammeYearFactory, programme=factory.SelfAttribute("..edition.programme")
    )
    code = factory.Sequence(lambda n: f"COURS{n}")
    title_fr = factory.Sequence(lambda n: f"Cours d'essai {n}")
    ects = Decimal("5.0")
