"""Builders of the unsigned Open Badges 3.0 credentials (CREDENTIALS.md §1.11; SPEC §7).

Pure functions over plain data (no database, no clock, no key): the services load the rows, pass
these frozen dataclasses in, then sign and store what comes out. One ``OpenBadgeCredential`` per
validated block (achievement aligned to the block's register code, ``ext:BlocDeCompetences``) and
one per certification (``Certificate``, its blocks as ``resultDescription`` + ``result``).

The content of a credential is the certifier's official French wording (``inLanguage: "fr"``), so
it is written here in French on purpose and not through gettext. Every string is stripped of the
control characters that RDFC-1.0 and pyld escape differently (CREDENTIALS.md §6 R2).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
BLOCK_TYPE = "ext:BlocDeCompetences"
CERTIFICATION_TYPE = "Certificate"
RNCP_FRAMEWORK = "Répertoire national des certifications professionnelles (France Compétences)"
EQF_FRAMEWORK = "European Qualifications Framework"
EQF_URL = "https://europa.eu/europass/en/description-eight-eqf-levels"

# U+0000–U+001F except \t \n \r, and U+007F (CREDENTIALS.md §6 R2).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """The text without the control characters that break canonicalisation, trimmed."""
    return _CONTROL.sub("", text or "").strip()


def zulu(moment: datetime) -> str:
    """A DateTimeZ in UTC to the second (``2026-07-01T09:00:00Z``)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_zulu(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def identity_hash(email: str, salt: str) -> str:
    """OB IdentityHash of an e-mail address: ``sha256$`` + hex SHA-256 of address + salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def register_url(code: str) -> str:
    """The France Compétences page of a register code (``RNCP39853`` → …/rncp/39853/)."""
    match = re.fullmatch(r"([A-Za-z]+)(\d+)", code.strip())
    if not match:
        return "https://www.francecompetences.fr/recherche/"
    return f"https://www.francecompetences.fr/recherche/{match[1].lower()}/{match[2]}/"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip()) or "x"


@dataclass(frozen=True)
class Issuer:
    did: str
    name: str
    url: str


@dataclass(frozen=True)
class Holder:
    """The learner as the diploma prints her; the e-mail is only ever hashed."""

    name: str
    email: str
    salt: str


@dataclass(frozen=True)
class CertificationInfo:
    code: str  # RNCP39853
    title_fr: str
    version_code: str
    eqf_level: int | None
    rule_fr: str  # the certification rule, e.g. "all common blocks + 1 optional"


@dataclass(frozen=True)
class BlockInfo:
    code: str  # RNCP39853BC01
    title_fr: str
    criteria_fr: str  # the block's evaluation criteria / modalities (register text)


@dataclass(frozen=True)
class Jury:
    title: str
    day: date


@dataclass(frozen=True)
class StatusEntry:
    list_url: str
    index: int


@dataclass(frozen=True)
class Common:
    """What every credential of one issuance carries besides its achievement."""

    public_id: UUID
    issuer: Issuer
    holder: Holder
    certification: CertificationInfo
    jury: Jury | None
    awarded_on: date
    valid_from: datetime
    status: StatusEntry
    base_url: str  # PUBLIC_BASE_URL, no trailing slash


def achievement_url(base_url: str, cert: CertificationInfo, block: BlockInfo | None = None) -> str:
    """Stable https id of the achievement per certification version (and block)."""
    url = f"{base_url}/achievements/{_slug(cert.code)}/{_slug(cert.version_code)}/"
    return url if block is None else f"{url}{_slug(block.code)}/"


def verification_url(base_url: str, public_id: UUID) -> str:
    return f"{base_url}/verify/{public_id}/"


def _rncp_alignment(cert: CertificationInfo) -> dict[str, Any]:
    return {
        "type": ["Alignment"],
        "targetType": "ext:RNCP",
        "targetCode": cert.code,
        "targetName": clean(cert.title_fr),
        "targetFramework": RNCP_FRAMEWORK,
        "targetUrl": register_url(cert.code),
    }


def _block_alignment(cert: CertificationInfo, block: BlockInfo) -> dict[str, Any]:
    return {
        "type": ["Alignment"],
        "targetType": "ext:RNCPBlock",
        "targetCode": block.code,
        "targetName": clean(block.title_fr),
        "targetFramework": RNCP_FRAMEWORK,
        "targetUrl": register_url(cert.code),
    }


def _eqf_alignment(cert: CertificationInfo) -> list[dict[str, Any]]:
    if not cert.eqf_level:
        return []
    return [
        {
            "type": ["Alignment"],
            "targetType": "ext:EQF",
            "targetCode": str(cert.eqf_level),
            "targetName": f"EQF level {cert.eqf_level}",
            "targetFramework": EQF_FRAMEWORK,
            "targetUrl": EQF_URL,
        }
    ]


def _envelope(c: Common, name: str, description: str) -> dict[str, Any]:
    holder_ids: list[dict[str, Any]] = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "salt": c.holder.salt,
            "identityHash": identity_hash(c.holder.email, c.holder.salt),
        }
    ]
    if clean(c.holder.name):
        holder_ids.append(
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": clean(c.holder.name),
            }
        )
    verify = verification_url(c.base_url, c.public_id)
    evidence: dict[str, Any] = {"id": verify, "type": ["Evidence"], "name": "Décision du jury"}
    if c.jury is not None:
        evidence["narrative"] = (
            f"Décision du jury « {clean(c.jury.title)} » du {c.jury.day.isoformat()}, "
            f"consignée au procès-verbal de la session. Vérification : {verify}"
        )
    else:
        evidence["narrative"] = f"Vérification : {verify}"
    return {
        "@context": list(CONTEXTS),
        "id": f"urn:uuid:{c.public_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": clean(name),
        "description": clean(description),
        "issuer": {
            "id": c.issuer.did,
            "type": ["Profile"],
            "name": clean(c.issuer.name),
            "url": c.issuer.url,
        },
        "validFrom": zulu(c.valid_from),
        "awardedDate": day_zulu(c.awarded_on),
        "credentialSubject": {"type": ["AchievementSubject"], "identifier": holder_ids},
        "evidence": [evidence],
        "credentialStatus": {
            "id": f"{c.status.list_url}#{c.status.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(c.status.index),
            "statusListCredential": c.status.list_url,
        },
        "credentialSchema": [dict(SCHEMA)],
    }


def block_description(cert: CertificationInfo, block: BlockInfo) -> str:
    level = f" (niveau {cert.eqf_level})" if cert.eqf_level else ""
    return (
        f"Bloc de compétences {block.code} de la certification professionnelle {cert.code} "
        f"« {clean(cert.title_fr)} »{level}, enregistrée au Répertoire national des "
        "certifications professionnelles."
    )


def block_credential(c: Common, block: BlockInfo) -> dict[str, Any]:
    """The unsigned credential for one validated block (result: Completed)."""
    cert = c.certification
    result_id = f"{achievement_url(c.base_url, cert, block)}#decision"
    doc = _envelope(
        c,
        f"{block.code} – {block.title_fr}",
        block_description(cert, block),
    )
    doc["credentialSubject"]["achievement"] = {
        "id": achievement_url(c.base_url, cert, block),
        "type": ["Achievement"],
        "achievementType": BLOCK_TYPE,
        "humanCode": block.code,
        "name": clean(block.title_fr),
        "description": block_description(cert, block),
        "inLanguage": "fr",
        "criteria": {
            "narrative": clean(block.criteria_fr)
            or "Bloc validé par le jury lorsque chacune de ses compétences est acquise, "
            "selon les modalités d'évaluation du référentiel."
        },
        "alignment": [_block_alignment(cert, block), _rncp_alignment(cert), *_eqf_alignment(cert)],
        "resultDescription": [
            {
                "id": result_id,
                "type": ["ResultDescription"],
                "name": "Décision du jury",
                "resultType": "Status",
            }
        ],
    }
    doc["credentialSubject"]["result"] = [
        {"type": ["Result"], "resultDescription": result_id, "status": "Completed"}
    ]
    return doc


def certification_description(cert: CertificationInfo) -> str:
    level = f" (niveau {cert.eqf_level})" if cert.eqf_level else ""
    return (
        f"Certification professionnelle enregistrée au Répertoire national des certifications "
        f"professionnelles sous le numéro {cert.code}{level}."
    )


def certification_credential(
    c: Common, blocks: Sequence[BlockInfo], validated: Sequence[str]
) -> dict[str, Any]:
    """The unsigned credential for the whole certification: one ``resultDescription`` per block
    of the version, one ``Completed`` result per validated block (``validated`` = block codes)."""
    cert = c.certification
    base = achievement_url(c.base_url, cert)
    descriptions = [
        {
            "id": f"{base}#{_slug(b.code)}",
            "type": ["ResultDescription"],
            "name": clean(b.title_fr),
            "resultType": "Status",
            "alignment": [_block_alignment(cert, b)],
        }
        for b in blocks
    ]
    done = set(validated)
    results = [
        {"type": ["Result"], "resultDescription": f"{base}#{_slug(b.code)}", "status": "Completed"}
        for b in blocks
        if b.code in done
    ]
    doc = _envelope(c, f"{cert.code} – {cert.title_fr}", certification_description(cert))
    doc["credentialSubject"]["achievement"] = {
        "id": base,
        "type": ["Achievement"],
        "achievementType": CERTIFICATION_TYPE,
        "humanCode": cert.code,
        "name": clean(cert.title_fr),
        "description": certification_description(cert),
        "inLanguage": "fr",
        "criteria": {
            "narrative": clean(cert.rule_fr)
            or "Certification délivrée par le jury lorsque tous les blocs de compétences "
            "requis sont validés."
        },
        "alignment": [_rncp_alignment(cert), *_eqf_alignment(cert)],
        "resultDescription": descriptions,
    }
    doc["credentialSubject"]["result"] = results
    return doc


def rule_text_fr(all_common: bool, optional_required: int, description_fr: str = "") -> str:
    """The certification rule in French, from the version's rule (SPEC §6)."""
    if clean(description_fr):
        return clean(description_fr)
    parts = ["Validation de tous les blocs communs"] if all_common else ["Validation des blocs"]
    if optional_required:
        plural = "s" if optional_required > 1 else ""
        parts.append(f"et de {optional_required} bloc{plural} optionnel{plural}")
    return " ".join(parts) + ", prononcée par le jury ; pas de compensation entre blocs."
