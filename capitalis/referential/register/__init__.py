"""The national register's open-data XML export, flux V4.1 (SPEC §1; FORMATS.md §1.2), and its
import. Modules, in the order a fiche goes through them:

- ``format``: the element names and order, the ``Fiche`` dataclasses, the value parsers, the
  format error, and the database rows a fiche becomes (named tuples);
- ``reader``: streaming parse, one ``FICHE`` element to a ``Fiche`` (the readable reference)
  and a ``Fiche`` to its rows;
- ``reader_fast``: the import's twin of the reader, element straight to rows (same rows, same
  errors: a property test holds them together), and the forked reader process feeding the
  writer batch by batch;
- ``writer``: the bulk insert/update engine (new fiches set-wise, changed ones in place);
- ``bulk``: the connection during an import and the plain multi-row INSERTs the writer uses;
- ``crosswalks``: the register crosswalks between the fiches loaded, rebuilt once per import;
- ``export``: a ``Fiche`` back to XML.

``services.register_import`` strings them together. The XML names are importable from here, as
they were from the former ``register`` module."""

from __future__ import annotations

from capitalis.referential.register.export import fiche_to_element, write_fiches
from capitalis.referential.register.format import (
    ACCESS_ROUTES,
    FICHE_ORDER,
    FLUX_VERSION,
    AccessRouteData,
    BlockData,
    CertifierData,
    CodeLabel,
    CorrespondenceData,
    Fiche,
    JsonElement,
    RegisterFormatError,
    format_bool,
    format_date,
    parse_bool,
    parse_date,
    split_statements,
)
from capitalis.referential.register.reader import (
    canonical_fiches,
    fiche_elements,
    fiche_from_element,
    read_fiches,
)

__all__ = [
    "ACCESS_ROUTES",
    "FICHE_ORDER",
    "FLUX_VERSION",
    "AccessRouteData",
    "BlockData",
    "CertifierData",
    "CodeLabel",
    "CorrespondenceData",
    "Fiche",
    "JsonElement",
    "RegisterFormatError",
    "canonical_fiches",
    "fiche_elements",
    "fiche_from_element",
    "fiche_to_element",
    "format_bool",
    "format_date",
    "parse_bool",
    "parse_date",
    "read_fiches",
    "split_statements",
    "write_fiches",
]
