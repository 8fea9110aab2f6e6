"""A small bilingual certification built with the ORM, for page and browser tests that do not
need the whole shipped data."""

from __future__ import annotations

import datetime as dt

from capitalis.referential.models import (
    Certification,
    CertificationCertifier,
    CertificationRule,
    CertificationVersion,
    Certifier,
    Crosswalk,
    CrosswalkEntry,
    EvaluationCriterion,
    EvaluationModality,
)
from tests.factories.referential import (
    ActivityFactory,
    BlockFactory,
    CertificationFactory,
    CertificationVersionFactory,
    CompetencyFactory,
)


def add_version(
    certification: Certification,
    *,
    code: str,
    position: int,
    blocks: int = 3,
    optional: int = 1,
    competencies: int = 2,
    status: str = "current",
) -> CertificationVersion:
    """A version with ``blocks`` blocks (the last ``optional`` ones optional), each with an
    activity, ``competencies`` competencies with a criterion, and a modality."""
    version = CertificationVersionFactory(
        certification=certification,
        code=code,
        label_fr=f"Version {code}",
        label_en=f"Version {code} (EN)",
        status=status,
        position=position,
        provenance="test builder",
    )
    CertificationRule.objects.create(version=version, optional_blocks_required=1)
    for b in range(1, blocks + 1):
        kind = "optional" if b > blocks - optional else "common"
        block = BlockFactory(
            version=version,
            code=f"{code}BC{b:02d}",
            title_fr=f"Bloc {b} de {code}",
            title_en=f"Block {b} of {code}",
            kind=kind,
            position=b,
            provenance="test builder",
        )
        activity = ActivityFactory(
            block=block, code="A1", title_fr="Activité un", title_en="Activity one"
        )
        for c in range(1, competencies + 1):
            competency = CompetencyFactory(
                block=block,
                activity=activity,
                code=f"C{c}",
                statement_fr=f"Énoncé officiel {b}.{c}",
                statement_en=f"Statement {b}.{c}",
                position=c,
                provenance="test builder",
            )
            EvaluationCriterion.objects.create(
                competency=competency, code="K1", text_fr="Critère", text_en="Criterion"
            )
        EvaluationModality.objects.create(
            block=block, code="M1", label_fr="Étude de cas", label_en="Case study"
        )
    return version


def build_certification(code: str = "RNCP99999") -> Certification:
    """A certification with a current and an earlier version and a proposed crosswalk."""
    certification = CertificationFactory(
        code=code,
        title_fr="Expert en essais",
        title_en="Expert in testing",
        eqf_level=7,
        nsf_codes=["128"],
        rome_codes=["K1704"],
        registration_date=dt.date(2024, 11, 28),
        registration_end=dt.date(2029, 11, 28),
        registration_years=5,
        blocks_separately=True,
        access_routes={"FI": {"active": True}, "VAE": {"active": True}},
    )
    certifier, _ = Certifier.objects.get_or_create(name="Organisme certificateur d'essai")
    CertificationCertifier.objects.create(certification=certification, certifier=certifier)
    current = add_version(certification, code="V2", position=0, blocks=4, optional=2)
    earlier = add_version(certification, code="V1", position=1, status="earlier")
    crosswalk = Crosswalk.objects.create(
        from_version=earlier,
        to_version=current,
        note_fr="Proposée, à confirmer par le certificateur",
        note_en="Proposed, to be confirmed by the certifier",
    )
    CrosswalkEntry.objects.create(
        crosswalk=crosswalk,
        from_block=earlier.blocks.get(position=3),
        to_block=current.blocks.get(position=4),
        coverage="partial",
        note_fr="Énoncés différents",
        note_en="Statements differ",
    )
    return certification
