"""The holders' declaration to the national register (SPEC §9): the Caisse des Dépôts
"accrochage certificateurs" XML flux, checked against the official XSD, and its processing
report ("accusé de traitement").

What is declared (see capitalis/reporting/declarations/xsd/README.md and the official XSD 1.1.2):
- one file per certifier (``emetteur/certificateurs/certificateur`` holds exactly one), one
  ``certification`` (type RNCP/RS, code), one ``passageCertification`` per award;
- an award is a certification *obtained* (jury decision "certified"): XSD 1.1.2 has no
  block-level element, so partial certifications (blocks only) are not declared;
- ``horodatage`` carries an explicit offset (``Z`` and fractions are refused by the XSD);
- nillable elements (``dateFinValidite``, ``scoring``, ``mentionValidee``, ``nomUsage``,
  ``modaliteAcces``…) are always written, with ``xsi:nil="true"`` when we have no value.

Pure building and parsing only: no database here (services.py reads and writes).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from lxml import etree

NS = "urn:cdc:cpf:pc5:schema:1.0.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD_DIR = Path(__file__).resolve().parent / "xsd"
DEFAULT_XSD = XSD_DIR / "cdc-certifications-xsd-v1.1.2.xsd"
OFFICIAL_EXAMPLE = XSD_DIR / "cdc-exemple-flux-v1.1.2.xml"

# modaliteAcces values (XSD type ``modaliteAcces``).
INITIAL = "FORMATION_INITIALE_HORS_APPRENTISSAGE"
APPRENTICESHIP = "FORMATION_INITIALE_APPRENTISSAGE"
CONTINUING = "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION"
PROFESSIONALISATION = "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION"
VAE = "VAE"
VAE_CLASSIC = "VAE_CLASSIQUE"

# Demo values: invented identifiers of the right shape (settings.DECLARATION_CERTIFIER
# overrides them).
DEMO_CERTIFIER: dict[str, str] = {
    "name": "École Capitalis (démo)",
    "siret": "90000000100013",
    "depositor_id": "CAPDEMO1",
    "certifier_id": "CAPDEMO1",
    "contract_id": "DEMO-0000000001",
    "nature": "CERTIFICATEUR",
}


@dataclass(frozen=True)
class CertifierIdentity:
    """Who deposits and who certifies: the ``idClient`` (8 characters) and ``idContrat`` (up to
    20) the Caisse des Dépôts gives the certifier; ``depositor_id`` differs from
    ``certifier_id`` only when a trusted third party deposits (nature TIERS_CONFIANCE)."""

    name: str
    siret: str
    depositor_id: str
    certifier_id: str
    contract_id: str
    nature: str = "CERTIFICATEUR"


def certifier_identity() -> CertifierIdentity:
    """The configured certifier (settings.DECLARATION_CERTIFIER, a dict with the keys of
    DEMO_CERTIFIER; missing keys fall back to the invented demo values)."""
    configured: dict[str, Any] = getattr(settings, "DECLARATION_CERTIFIER", None) or {}
    values = {**DEMO_CERTIFIER, **{k: str(v) for k, v in configured.items() if v}}
    return CertifierIdentity(
        name=values["name"],
        siret=values["siret"],
        depositor_id=values["depositor_id"],
        certifier_id=values["certifier_id"],
        contract_id=values["contract_id"],
        nature=values["nature"],
    )


def schema_path() -> Path:
    """The XSD every flux is checked against (settings.DECLARATION_XSD, swappable for a newer
    official kit)."""
    configured = getattr(settings, "DECLARATION_XSD", "")
    return Path(configured) if configured else DEFAULT_XSD


@functools.lru_cache(maxsize=4)
def _schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path, parser=_parser()))


def _parser() -> etree.XMLParser:
    """A parser that never resolves entities nor reaches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def validate(content: bytes) -> list[str]:
    """Every XSD error of ``content`` as "line N: message"; empty when valid."""
    schema = _schema(str(schema_path()))
    try:
        document = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as error:
        return [f"line {error.lineno}: {error.msg}"]
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]  # type: ignore[attr-defined]


# --- identity ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """The holder's identity as the register wants it (``titulaire``)."""

    birth_name: str
    usage_name: str
    first_names: tuple[str, ...]
    birth_date: date | None
    sex: str
    birth_place_code: str
    birth_place_name: str = ""
    birth_country: str = ""


def split_first_names(value: str) -> tuple[str, ...]:
    """First names typed "Anne, Marie" → ("Anne", "Marie")."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


# Field name on the learner → the register element it feeds (for error messages).
REQUIRED_IDENTITY = ("birth_name", "first_names", "date_of_birth", "sex", "birth_place_code")


def identity_problems(holder: Holder) -> list[str]:
    """The learner fields that are missing or not in the shape the XSD needs (names of the
    Learner model fields, in REQUIRED_IDENTITY order, then the length problems)."""
    problems: list[str] = []
    if not holder.birth_name.strip():
        problems.append("birth_name")
    if not holder.first_names:
        problems.append("first_names")
    if holder.birth_date is None:
        problems.append("date_of_birth")
    if holder.sex not in ("M", "F"):
        problems.append("sex")
    code = holder.birth_place_code.strip()
    if len(code) != 5:
        problems.append("birth_place_code")
    for name, value, limit in (
        ("birth_name", holder.birth_name, 60),
        ("usage_name", holder.usage_name, 60),
        ("birth_place_name", holder.birth_place_name, 60),
        ("birth_country", holder.birth_country, 60),
    ):
        if len(value.strip()) > limit and name not in problems:
            problems.append(name)
    if any(len(n) > 60 for n in holder.first_names[:3]) and "first_names" not in problems:
        problems.append("first_names")
    return problems


# --- access route ------------------------------------------------------------------------


def access_route(*, track: str, contract_kind: str | None, by_vae: bool) -> tuple[str | None, str]:
    """``modaliteAcces`` (None → xsi:nil) and ``voieAccessVAE`` ("" → omitted) from the
    learner's enrolment track and work-study contract (FORMATS.md §2.5): initial → initial
    training outside apprenticeship; work-study under an apprenticeship contract →
    apprenticeship; under a professionalisation contract → continuing training under that
    contract; every block obtained through VAE → VAE (classic route). A work-study enrolment
    without a recorded contract has no known route (nil)."""
    if by_vae:
        return VAE, VAE_CLASSIC
    if track == "initial":
        return INITIAL, ""
    if track == "work_study":
        if contract_kind == "apprenticeship":
            return APPRENTICESHIP, ""
        if contract_kind == "professionalisation":
            return PROFESSIONALISATION, ""
    return None, ""


# --- the flux ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """One award to one person (``passageCertification``)."""

    id_technique: str
    awarded_on: date
    holder: Holder
    access: str | None
    vae_route: str = ""
    registered_on: date | None = None
    option: str = ""
    proof_url: str = ""
    valid_until: date | None = None
    mention: str | None = None


@dataclass(frozen=True)
class Flux:
    flux_id: str
    timestamp: datetime
    certifier: CertifierIdentity
    certification_type: str
    certification_code: str
    passages: Sequence[Passage] = field(default_factory=tuple)


def timestamp_text(moment: datetime) -> str:
    """``horodatage``: seconds and an explicit offset, e.g. 2026-11-23T16:05:00+01:00."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the timestamp needs a time zone")
    return moment.replace(microsecond=0).isoformat(timespec="seconds")


class _Writer:
    def __init__(self) -> None:
        self.nsmap = {"cpf": NS, "xsi": XSI}

    def el(self, parent: Any, name: str, text: str | None = None) -> Any:
        node = etree.SubElement(parent, f"{{{NS}}}{name}")
        if text is not None:
            node.text = text
        return node

    def nil(self, parent: Any, name: str, text: str | None) -> Any:
        """A nillable element, always present: its value, or xsi:nil="true"."""
        node = etree.SubElement(parent, f"{{{NS}}}{name}")
        if text is None or text == "":
            node.set(f"{{{XSI}}}nil", "true")
        else:
            node.text = text
        return node


def _cut(value: str, limit: int) -> str:
    return value.strip()[:limit]


def _passage(w: _Writer, parent: Any, p: Passage) -> None:
    node = w.el(parent, "passageCertification")
    w.el(node, "idTechnique", p.id_technique)
    if p.proof_url:
        w.el(node, "urlPreuve", p.proof_url[:255])
    if p.option.strip():
        w.el(node, "libelleOption", _cut(p.option, 255))
    w.el(node, "obtentionCertification", "PAR_ADMISSION")
    w.el(node, "donneeCertifiee", "true")
    w.el(node, "dateDebutValidite", p.awarded_on.isoformat())
    w.nil(node, "dateFinValidite", p.valid_until.isoformat() if p.valid_until else None)
    w.el(node, "presenceNiveauLangueEuro", "false")
    w.el(node, "presenceNiveauNumeriqueEuro", "false")
    w.nil(node, "scoring", None)
    w.nil(node, "mentionValidee", p.mention)
    access = w.el(node, "modalitesInscription")
    w.nil(access, "modaliteAcces", p.access)
    if p.vae_route:
        w.el(access, "voieAccessVAE", p.vae_route)
    if p.registered_on is not None:
        w.el(access, "dateInscription", p.registered_on.isoformat())
    ident = w.el(node, "identificationTitulaire")
    h = p.holder
    holder = w.el(ident, "titulaire")
    w.el(holder, "nomNaissance", _cut(h.birth_name, 60))
    usage = h.usage_name.strip()
    w.nil(holder, "nomUsage", _cut(usage, 60) if usage and usage != h.birth_name.strip() else None)
    w.el(holder, "prenom1", h.first_names[0][:60])
    for index, name in enumerate(h.first_names[1:3], start=2):
        w.el(holder, f"prenom{index}", name[:60])
    assert h.birth_date is not None
    w.el(holder, "anneeNaissance", str(h.birth_date.year))
    w.nil(holder, "moisNaissance", str(h.birth_date.month))
    w.nil(holder, "jourNaissance", str(h.birth_date.day))
    w.el(holder, "sexe", h.sex)
    place = w.el(holder, "codeCommuneNaissance")
    insee = w.el(place, "codeInseeNaissance")
    w.el(insee, "codeInsee", h.birth_place_code.strip().upper())
    if h.birth_place_name.strip():
        w.el(holder, "libelleCommuneNaissance", _cut(h.birth_place_name, 60))
    if h.birth_country.strip():
        w.el(holder, "libellePaysNaissance", _cut(h.birth_country, 60))


def build_flux(flux: Flux) -> bytes:
    """The flux as UTF-8 XML bytes (not validated here: see ``validate``)."""
    w = _Writer()
    root = etree.Element(f"{{{NS}}}flux", nsmap=w.nsmap)
    w.el(root, "idFlux", flux.flux_id)
    w.el(root, "horodatage", timestamp_text(flux.timestamp))
    emitter = w.el(root, "emetteur")
    w.el(emitter, "idClient", flux.certifier.depositor_id)
    certifiers = w.el(emitter, "certificateurs")
    certifier = w.el(certifiers, "certificateur")
    w.el(certifier, "idClient", flux.certifier.certifier_id)
    w.el(certifier, "idContrat", flux.certifier.contract_id)
    certifications = w.el(certifier, "certifications")
    certification = w.el(certifications, "certification")
    w.el(certification, "type", flux.certification_type)
    w.el(certification, "code", flux.certification_code)
    if flux.certifier.nature:
        w.el(certification, "natureDeposant", flux.certifier.nature)
    passages = w.el(certification, "passageCertifications")
    for passage in flux.passages:
        _passage(w, passages, passage)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# --- the processing report ---------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """An "accusé de traitement": which passages were accepted, which rejected and why."""

    flux_id: str
    file_name: str
    processing_id: str
    accepted: tuple[str, ...]
    rejected: tuple[tuple[str, str], ...]


class ReportError(ValueError):
    """The file is not a processing report we can read (reason in English, for the log)."""


def _local(node: Any) -> str:
    tag = node.tag
    if not isinstance(tag, str):
        return ""
    return etree.QName(tag).localname.lower()


def _children(node: Any, name: str) -> list[Any]:
    return [child for child in node if _local(child) == name]


def _text(node: Any) -> str:
    return (node.text or "").strip()


def parse_report(content: bytes) -> Report:
    """Read a processing report (root ``rapport``; ``PassagesOK`` › ``idTechnique``*,
    ``PassagesKO`` › ``passage`` {``idTechnique``, ``messageErreur``+}). Local names are matched
    case-insensitively and namespaces ignored, as observed reports vary (FORMATS.md §2.3)."""
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise ReportError(f"not XML: {error.msg}") from error
    if _local(root) != "rapport":
        raise ReportError("the root element is not rapport")
    flux_ids = _children(root, "idflux")
    names = _children(root, "nomfichier")
    processing = _children(root, "idtraitement")
    accepted: list[str] = []
    rejected: list[tuple[str, str]] = []
    for group in _children(root, "passagesok"):
        for item in _children(group, "idtechnique"):
            if _text(item):
                accepted.append(_text(item))
    for group in _children(root, "passagesko"):
        for passage in _children(group, "passage"):
            ids = [_text(i) for i in _children(passage, "idtechnique") if _text(i)]
            if len(ids) != 1:
                raise ReportError("a rejected passage without its idTechnique")
            messages = [_text(m) for m in _children(passage, "messageerreur") if _text(m)]
            if not messages:
                raise ReportError(f"rejected passage {ids[0]} without messageErreur")
            rejected.append((ids[0], "; ".join(messages)))
    if not accepted and not rejected:
        raise ReportError("no passage in the report")
    return Report(
        flux_id=_text(flux_ids[0]) if flux_ids else "",
        file_name=_text(names[0]) if names else "",
        processing_id=_text(processing[0]) if processing else "",
        accepted=tuple(accepted),
        rejected=tuple(rejected),
    )


def build_report(
    *,
    flux_id: str,
    file_name: str,
    accepted: Iterable[str],
    rejected: Iterable[tuple[str, str]],
    processing_id: str = "1",
) -> bytes:
    """A processing report in the shape observed (namespace urn:cdc:cpf:pc5:rapport:schema),
    for tests and the demo: the portal writes the real ones."""
    ns = "urn:cdc:cpf:pc5:rapport:schema"
    root = etree.Element(f"{{{ns}}}rapport", nsmap={"ns2": ns})
    etree.SubElement(root, "nomFichier").text = file_name
    etree.SubElement(root, "idFlux").text = flux_id
    etree.SubElement(root, "idTraitement").text = processing_id
    ko = etree.SubElement(root, "PassagesKO")
    for id_technique, message in rejected:
        passage = etree.SubElement(ko, "passage")
        etree.SubElement(passage, "idTechnique").text = id_technique
        etree.SubElement(passage, "messageErreur").text = message
    ok = etree.SubElement(root, "PassagesOK")
    for id_technique in accepted:
        etree.SubElement(ok, "idTechnique").text = id_technique
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
