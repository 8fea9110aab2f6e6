"""The register export's format, flux V4.1 (SPEC §1; FORMATS.md §1.2): the element names and
their order, the values of a fiche as frozen dataclasses (``Fiche``), the small value parsers
(dates, flags, flattened lists), the format error, and the rows a fiche becomes in the
database as named tuples (``CertificationRow``, ``BlockRow``…: what the import writes, by
column name, never by position). No ORM and no I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError

FLUX_VERSION = "4.1"

# Children of FICHE in the order the export writes them (FORMATS.md §1.2, rows 1–49, then
# the elements documented only in the XSD-based mapping).
FICHE_ORDER: tuple[str, ...] = (
    "ID_FICHE",
    "NUMERO_FICHE",
    "NOUVELLES_CERTIFICATIONS",
    "ANCIENNES_CERTIFICATIONS",
    "INTITULE",
    "ABREGE",
    "ETAT_FICHE",
    "FORMACODES",
    "NOMENCLATURE_EUROPE",
    "CODES_NSF",
    "CERTIFICATEURS",
    "EXISTENCE_PARTENAIRES",
    "PARTENAIRES",
    "ACTIVITES_VISEES",
    "CAPACITES_ATTESTEES",
    "SECTEURS_ACTIVITE",
    "TYPE_EMPLOI_ACCESSIBLES",
    "CODES_ROME",
    "REGLEMENTATIONS_ACTIVITES",
    "SI_JURY_FI",
    "SI_JURY_CA",
    "SI_JURY_FC",
    "SI_JURY_CQ",
    "SI_JURY_CL",
    "SI_JURY_VAE",
    "ACCESSIBLE_NOUVELLE_CALEDONIE",
    "ACCESSIBLE_POLYNESIE_FRANCAISE",
    "PUBLICATION_DECRET_GENERAL",
    "PUBLICATION_DECRET_CREATION",
    "PUBLICATION_DECRET_AUTRE",
    "DATE_DERNIER_JO",
    "DATE_DECISION",
    "DUREE_ENREGISTREMENT",
    "STATISTIQUES_PROMOTIONS",
    "LIEN_URL_DESCRIPTION",
    "DATE_FIN_ENREGISTREMENT",
    "DATE_EFFET",
    "ANNEES_PROMOTIONS_NIVEAU",
    "TYPE_ENREGISTREMENT",
    "BLOCS_COMPETENCES",
    "OBJECTIFS_CONTEXTE",
    "NIVEAU_MAITRISE_COMPETENCES",
    "VALIDATION_PARTIELLE",
    "VALIDATION_PARTIELLE_PERIMETRE",
    "ACTIF",
    "PREREQUIS_ENTREE_FORMATION",
    "DATE_DE_PUBLICATION",
    "PREREQUIS_VALIDATION_CERTIFICATION",
    "DATE_LIMITE_DELIVRANCE",
    "CORRESPONDANCES",
    "CODES_IDCC",
    "CCN_1",
    "CCN_2",
    "CCN_3",
    "DUREE_VALIDITE",
    "MODALITES_RENOUVELLEMENT",
)
ELEMENT_RANK = {tag: index for index, tag in enumerate(FICHE_ORDER)}

# Access routes (SI_JURY_*), in the register's order.
ACCESS_ROUTES: tuple[str, ...] = ("FI", "CA", "FC", "CQ", "CL", "VAE")

CODE_RE = re.compile(r"^(RNCP|RS)\d{1,6}$")
DATE_RE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
LEVEL_RE = re.compile(r"^NIV(\d)$")
OPTIONAL_RE = re.compile(r"\boption(?:nel|nelle|nels|nelles|al|s)?\b", re.IGNORECASE)
# Item separators in the register's flattened lists: a run of 2+ spaces, or a bullet
# ("- ", "* ", "• ", "o ") at the start or after a run of spaces.
_BULLETS = "-*•o"

JsonElement = dict[str, Any]


class RegisterFormatError(DomainError):
    """The file is not a valid register export; says which element, on which line."""

    def __init__(self, *, element: str, line: int | None, detail: str) -> None:
        if line:
            message = _("Line %(line)s, element %(element)s: %(detail)s") % {
                "line": line,
                "element": element,
                "detail": detail,
            }
        else:
            message = _("Element %(element)s: %(detail)s") % {
                "element": element,
                "detail": detail,
            }
        super().__init__(message, code="register_format")
        self.element = element
        self.line = line
        self.detail = detail


@dataclass(frozen=True)
class CodeLabel:
    code: str
    label: str


@dataclass(frozen=True)
class CertifierData:
    """A CERTIFICATEUR: keyed by SIRET, or by name when it has none."""

    siret: str
    name: str
    commercial_name: str = ""
    website: str = ""
    state: str = ""
    state_date: date | None = None


@dataclass(frozen=True)
class AccessRouteData:
    """One SI_JURY_* element: route key (FI, CA, FC, CQ, CL, VAE)."""

    key: str
    active: bool | None
    composition: str = ""
    changed_on: date | None = None


@dataclass(frozen=True)
class BlockData:
    """A BLOC_COMPETENCES with its raw texts; competencies and modalities split from them."""

    code: str
    title: str
    competencies_text: str = ""
    assessment_text: str = ""
    entry_prerequisites_text: str = ""
    validation_prerequisites_text: str = ""

    @property
    def optional(self) -> bool:
        """Optional blocks are recognisable only from their title (FORMATS.md §1.2)."""
        return bool(OPTIONAL_RE.search(self.title))

    @property
    def competencies(self) -> list[str]:
        return split_statements(self.competencies_text)

    @property
    def modalities(self) -> list[str]:
        return split_statements(self.assessment_text)


@dataclass(frozen=True)
class CorrespondenceData:
    """A CORRESPONDANCE: these blocks of this fiche ↔ those blocks (or all) of another."""

    source_block_codes: tuple[str, ...]
    destination_code: str
    destination_block_codes: tuple[str, ...]


@dataclass(frozen=True)
class Fiche:
    """One register fiche, as read from or written to the XML export."""

    code: str
    title: str
    line: int | None = None
    register_id: int | None = None
    replaced_by: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    abbreviation_code: str = ""
    abbreviation_label: str = ""
    state: str = ""
    formacodes: tuple[CodeLabel, ...] = ()
    eqf_level: int | None = None
    eqf_label: str = ""
    nsf_codes: tuple[CodeLabel, ...] = ()
    certifiers: tuple[CertifierData, ...] = ()
    has_partners: bool | None = None
    activities_text: str = ""
    capacities_text: str = ""
    sectors_text: str = ""
    target_jobs_text: str = ""
    rome_codes: tuple[CodeLabel, ...] = ()
    access_routes: tuple[AccessRouteData, ...] = ()
    registration_date: date | None = None
    registration_years: int | None = None
    registration_end: date | None = None
    registration_type: str = ""
    blocks: tuple[BlockData, ...] = ()
    objectives_text: str = ""
    blocks_separately: bool | None = None
    active: bool = True
    entry_prerequisites_text: str = ""
    award_deadline: date | None = None
    correspondences: tuple[CorrespondenceData, ...] = ()
    extra: tuple[JsonElement, ...] = ()
    digest: str = ""

    @property
    def register(self) -> str:
        return "RS" if self.code.startswith("RS") else "RNCP"


# --- Small value parsers -------------------------------------------------------------------


def split_statements(text: str) -> list[str]:
    """Split a flattened register list (``LISTE_COMPETENCES``, ``MODALITES_EVALUATION``) into
    items: HTML lists survive only as runs of spaces and "- " / "* " / "o " bullets
    (FORMATS.md §1.2). A piece starting in lower case continues the previous item (a line
    wrap, not a new item). Coded items ("A1C1. …") keep their code."""
    items: list[str] = []
    for raw in text.split("  ") if text else ():
        piece = raw.strip()
        if not piece:
            continue
        if piece[0] in _BULLETS and (len(piece) == 1 or piece[1] in " \t\n"):
            piece = piece[1:].lstrip()
            if not piece:
                continue
        elif items and (piece[0].islower() or items[-1][-1] in ",:;"):
            items[-1] = f"{items[-1]} {piece}"
            continue
        items.append(piece)
    return items


def parse_date(value: str, *, element: str, line: int | None) -> date:
    """A register date, JJ/MM/AAAA."""
    match = DATE_RE.match(value)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise RegisterFormatError(
        element=element,
        line=line,
        detail=_("invalid date “%(value)s” (expected DD/MM/YYYY)") % {"value": value},
    )


def format_date(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def parse_bool(value: str, *, element: str, line: int | None) -> bool:
    """A register flag, Oui/Non."""
    if value == "Oui":
        return True
    if value == "Non":
        return False
    raise RegisterFormatError(
        element=element,
        line=line,
        detail=_("invalid value “%(value)s” (expected Oui or Non)") % {"value": value},
    )


def format_bool(value: bool) -> str:
    return "Oui" if value else "Non"


def parse_int(value: str, *, element: str, line: int | None) -> int:
    if value.isdigit():
        return int(value)
    raise RegisterFormatError(
        element=element,
        line=line,
        detail=_("invalid integer “%(value)s”") % {"value": value},
    )


def check_length(value: str, limit: int, *, element: str, line: int | None) -> str:
    if len(value) > limit:
        raise RegisterFormatError(
            element=element,
            line=line,
            detail=_("value longer than %(limit)s characters") % {"limit": limit},
        )
    return value


# --- Reading --------------------------------------------------------------------------------


# --- Elements -------------------------------------------------------------------------------


def to_json(elem: Any) -> JsonElement:
    """An element as a JSON tree: tag, stripped text, children (the reader drops comments and
    processing instructions)."""
    text = elem.text
    return {
        "tag": elem.tag,
        "text": text.strip() if text else "",
        "children": [to_json(child) for child in elem],
    }


def element_text(elem: Any) -> str:
    text = elem.text
    return text.strip() if text else ""


def children_by_tag(elem: Any) -> dict[str, Any]:
    """Children by tag (the first of each tag): one pass instead of one ``find`` per tag."""
    kids: dict[str, Any] = {}
    for child in elem:
        kids.setdefault(child.tag, child)
    return kids


def child_text(kids: dict[str, Any], tag: str) -> str:
    child = kids.get(tag)
    if child is None:
        return ""
    text = child.text
    return text.strip() if text else ""


# --- What each modelled element holds --------------------------------------------------------
# By tag: the ``Fiche`` field it fills and how it is read. Both readers (``reader`` and its fast
# twin ``reader_fast``) take these tables; a tag in none of them is kept as XML (``extra``).

# A childless text: (field, longest length or None for a long text).
TEXT_ELEMENTS: dict[str, tuple[str, int | None]] = {
    "INTITULE": ("title", 800),
    "ETAT_FICHE": ("state", 100),
    "ACTIVITES_VISEES": ("activities_text", None),
    "CAPACITES_ATTESTEES": ("capacities_text", None),
    "SECTEURS_ACTIVITE": ("sectors_text", None),
    "TYPE_EMPLOI_ACCESSIBLES": ("target_jobs_text", None),
    "TYPE_ENREGISTREMENT": ("registration_type", 100),
    "OBJECTIFS_CONTEXTE": ("objectives_text", None),
    "PREREQUIS_ENTREE_FORMATION": ("entry_prerequisites_text", None),
}
# A date, JJ/MM/AAAA: its field, or None for a date only checked (and kept as XML).
DATE_ELEMENTS: dict[str, str | None] = {
    "DATE_DERNIER_JO": None,
    "DATE_DECISION": "registration_date",
    "DATE_FIN_ENREGISTREMENT": "registration_end",
    "DATE_EFFET": None,
    "DATE_DE_PUBLICATION": None,
    "DATE_LIMITE_DELIVRANCE": "award_deadline",
}
# A flag, Oui/Non.
FLAG_ELEMENTS: dict[str, str] = {
    "EXISTENCE_PARTENAIRES": "has_partners",
    "VALIDATION_PARTIELLE": "blocks_separately",
    "ACTIF": "active",
}
# A whole number.
INTEGER_ELEMENTS: dict[str, str] = {
    "ID_FICHE": "register_id",
    "DUREE_ENREGISTREMENT": "registration_years",
}
# A list of {CODE, LIBELLE} items: (field, item tag).
CODE_LIST_ELEMENTS: dict[str, tuple[str, str]] = {
    "CODES_NSF": ("nsf_codes", "NSF"),
    "CODES_ROME": ("rome_codes", "ROME"),
    "FORMACODES": ("formacodes", "FORMACODE"),
}
# The fiches this one replaces or is replaced by: (field, tag of the code inside each item).
SUCCESSION_ELEMENTS: dict[str, tuple[str, str]] = {
    "NOUVELLES_CERTIFICATIONS": ("replaced_by", "ID_FICHE_NOUVELLE_CERTIFICATION"),
    "ANCIENNES_CERTIFICATIONS": ("replaces", "ID_FICHE_ANCIENNE_CERTIFICATION"),
}
ROUTE_PREFIX = "SI_JURY_"
ROUTE_ELEMENTS: tuple[str, ...] = tuple(f"{ROUTE_PREFIX}{key}" for key in ACCESS_ROUTES)
# The children of a SI_JURY_* element, in their order (ACTIF first and required).
ROUTE_CHILDREN: tuple[str, ...] = ("ACTIF", "COMPOSITION", "DATE_DERNIERE_MODIFICATION")
# Lengths of the short values (the database columns' sizes).
SUCCESSION_CODE_MAX = 20
ABBREVIATION_CODE_MAX = 50
ABBREVIATION_LABEL_MAX = 255
EQF_LABEL_MAX = 100
SIRET_MAX = 14
CERTIFIER_NAME_MAX = 500
CERTIFIER_STATE_MAX = 50
BLOCK_CODE_MAX = 30
BLOCK_TITLE_MAX = 800
FICHE_CODE_MAX = 20


def route_active(tags: list[str]) -> bool:
    """Whether a SI_JURY_* element's children are the modelled ones (ACTIF first, then
    COMPOSITION and DATE_DERNIERE_MODIFICATION at most once each, in that order); any other
    shape is kept as XML."""
    return bool(tags) and tags[0] == "ACTIF" and [t for t in ROUTE_CHILDREN if t in tags] == tags


# --- The rows a fiche becomes ---------------------------------------------------------------
# What the import writes, column by column (values ready for the database: JSON values as JSON
# text, dates as ISO text, the long texts as UTF-8 bytes). Built by ``reader.prepare`` from a
# ``Fiche`` (the reference) or by ``reader_fast`` from the element (the import's path).

# The provenance of every row the import writes, and the code of a fiche's one version.
REGISTER_PROVENANCE = "France compétences open data export"
REGISTER_VERSION_CODE = "register"


class CertificationRow(NamedTuple):
    """A ``Certification`` row (columns by name)."""

    code: str
    register: str
    register_id: int | None
    title_fr: str
    abbreviation_code: str
    abbreviation_label: str
    state: str
    eqf_level: int | None
    eqf_label: str
    nsf_codes: Any  # JSON text
    rome_codes: Any  # JSON text
    formacodes: Any  # JSON text
    has_partners: bool | None
    registration_date: str | None
    registration_end: str | None
    registration_years: int | None
    registration_type: str
    award_deadline: str | None
    active: bool
    blocks_separately: bool | None
    access_routes: Any  # JSON text
    activities_text: bytes
    capacities_text: bytes
    sectors_text: bytes
    target_jobs_text: bytes
    objectives_text: bytes
    entry_prerequisites_text: bytes
    register_extra: Any  # JSON text of the kept elements, in UTF-8
    register_hash: str


# The certification's long texts and kept elements: most of a full export, carried from the
# parser to the database as the UTF-8 bytes lxml serialises (never decoded into strings and
# encoded again).
CERTIFICATION_UTF8 = frozenset(CertificationRow._fields[21:28])
# The fields of a ``Fiche`` named otherwise in its certification row.
ROW_FIELD_OF: dict[str, str] = {"title": "title_fr", "extra": "register_extra"}


class VersionRow(NamedTuple):
    """A register ``CertificationVersion`` row (beside its certification and code)."""

    label_fr: str
    label_en: str
    register_code: str
    valid_from: str | None
    valid_until: str | None


def version_row(code: str, valid_from: str | None, valid_until: str | None) -> VersionRow:
    """The register version of fiche ``code``: its labels and validity."""
    return VersionRow(
        f"Fiche {code} du registre national",
        f"National register fiche {code}",
        code,
        valid_from,
        valid_until,
    )


class BlockRow(NamedTuple):
    """A ``Block`` row (beside its version and code); its texts in UTF-8."""

    title_fr: str
    kind: str
    position: int
    competencies_text: bytes
    assessment_text: bytes
    entry_prerequisites_text: bytes
    validation_prerequisites_text: bytes


BLOCK_UTF8 = frozenset(BlockRow._fields[3:])


class PreparedBlock(NamedTuple):
    """A block's code and row; its competencies and modalities are split from its texts by
    the writer (which has the spare time; the texts cross the pipe once)."""

    code: str
    values: BlockRow

    @property
    def competencies(self) -> list[str]:
        return split_statements(self.values.competencies_text.decode())

    @property
    def modalities(self) -> list[str]:
        return split_statements(self.values.assessment_text.decode())


class CertifierLinkRow(NamedTuple):
    """A ``CertificationCertifier`` row's own values (beside certification, certifier,
    position)."""

    commercial_name: str
    website: str
    state: str
    state_date: str | None


class CertifierRow(NamedTuple):
    """A certifier as a fiche names it (SIRET, or name without one) and its link's values."""

    siret: str
    name: str
    link: CertifierLinkRow


class SuccessionRow(NamedTuple):
    """A ``RegisterLink`` row (beside its certification)."""

    kind: str
    other_code: str
    position: int


class CorrespondenceRow(NamedTuple):
    """A ``RegisterCorrespondence`` row (beside its certification); block codes as JSON."""

    position: int
    source_block_codes: str
    destination_code: str
    destination_block_codes: str


class Prepared(NamedTuple):
    """A fiche as the rows it becomes (plain values, no ORM)."""

    code: str
    line: int | None
    digest: str
    certification: CertificationRow
    version: VersionRow
    optional_blocks_required: int
    blocks: list[PreparedBlock]
    certifiers: list[CertifierRow]  # in the register's order
    succession: list[SuccessionRow]
    correspondences: list[CorrespondenceRow]
