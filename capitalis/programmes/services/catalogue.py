"""Writes on the catalogue's frame (SPEC §2): campuses, programmes, their years and
specialisations, each created or updated by its natural key (nothing written when the row
already holds the values)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.programmes.models import Campus, Programme, ProgrammeYear, Specialisation
from capitalis.programmes.services.common import _ects, _upsert
from capitalis.referential.models import Block, CertificationVersion


@transaction.atomic
def campus_set(
    *,
    code: str,
    name: str,
    city: str = "",
    address: str = "",
    position: int = 0,
    actor: Any = None,
) -> tuple[Campus, bool]:
    """Create or update a campus by code."""
    campus, changed = _upsert(
        Campus,
        lookup={"code": code},
        values={"name": name, "city": city, "address": address, "position": position},
    )
    if changed:
        audit_record(action=Action.CAMPUS_SET, actor=actor, target=campus, summary=code)
    return campus, changed


@transaction.atomic
def programme_set(
    *,
    code: str,
    title_fr: str,
    title_en: str = "",
    description_fr: str = "",
    description_en: str = "",
    languages: str = "",
    certification_version: CertificationVersion,
    actor: Any = None,
) -> tuple[Programme, bool]:
    """Create or update a programme by code."""
    programme, changed = _upsert(
        Programme,
        lookup={"code": code},
        values={
            "title_fr": title_fr,
            "title_en": title_en,
            "description_fr": description_fr,
            "description_en": description_en,
            "languages": languages,
            "certification_version": certification_version,
        },
    )
    if changed:
        audit_record(action=Action.PROGRAMME_SET, actor=actor, target=programme, summary=code)
    return programme, changed


@transaction.atomic
def programme_year_set(
    *,
    programme: Programme,
    code: str,
    title_fr: str,
    title_en: str = "",
    position: int = 1,
    ects: Decimal = Decimal(60),
    actor: Any = None,
) -> tuple[ProgrammeYear, bool]:
    """Create or update a programme year (MSc 1, MSc 2) and the ECTS it carries."""
    ects = _ects(ects, field=code)
    if ects <= 0:
        raise DomainError(_("A programme year must carry a positive number of ECTS."), code="ects")
    year, changed = _upsert(
        ProgrammeYear,
        lookup={"programme": programme, "code": code},
        values={"title_fr": title_fr, "title_en": title_en, "position": position, "ects": ects},
    )
    if changed:
        audit_record(action=Action.PROGRAMME_YEAR_SET, actor=actor, target=year, summary=code)
    return year, changed


@transaction.atomic
def specialisation_set(
    *,
    programme: Programme,
    code: str,
    title_fr: str,
    title_en: str = "",
    block: Block,
    position: int = 0,
    actor: Any = None,
) -> tuple[Specialisation, bool]:
    """Create or update a specialisation and the optional block it leads to."""
    if block.version_id != programme.certification_version_id:
        raise DomainError(
            _("A specialisation must lead to a block of the programme's certification version."),
            code="block_version",
        )
    spe, changed = _upsert(
        Specialisation,
        lookup={"programme": programme, "code": code},
        values={"title_fr": title_fr, "title_en": title_en, "block": block, "position": position},
    )
    if changed:
        audit_record(action=Action.SPECIALISATION_SET, actor=actor, target=spe, summary=code)
    return spe, changed
