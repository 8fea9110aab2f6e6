"""Référentiel: certifications, versions, blocks, activities, competencies (written with the
ORM, as the register import writes them; the import itself is tested in tests/referential)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from capitalis.referential.models import (
    Activity,
    Block,
    Certification,
    CertificationVersion,
    Competency,
)


class CertificationFactory(DjangoModelFactory):
    class Meta:
        model = Certification

    code = factory.Sequence(lambda n: f"RNCP9{n:04d}")
    title_fr = factory.Sequence(lambda n: f"Certification d'essai {n}")


class CertificationVersionFactory(DjangoModelFactory):
    class Meta:
        model = CertificationVersion

    certification = factory.SubFactory(CertificationFactory)
    code = factory.Sequence(lambda n: f"V{n}")
    label_fr = factory.LazyAttribute(lambda o: f"Version {o.code}")
    status = "current"


class BlockFactory(DjangoModelFactory):
    class Meta:
        model = Block

    version = factory.SubFactory(CertificationVersionFactory)
    code = factory.Sequence(lambda n: f"BC{n:02d}")
    title_fr = factory.Sequence(lambda n: f"Bloc {n}")
    kind = "common"


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    block = factory.SubFactory(BlockFactory)
    code = factory.Sequence(lambda n: f"A{n}")
    title_fr = "Activité d'essai"


class CompetencyFactory(DjangoModelFactory):
    class Meta:
        model = Competency

    block = factory.SubFactory(BlockFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    statement_fr = factory.Sequence(lambda n: f"Énoncé d'essai {n}")
