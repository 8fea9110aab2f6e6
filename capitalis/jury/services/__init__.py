"""Writes on jury sessions (SPEC §6): a package of one module per subdomain; every public name
is re-exported here."""

from capitalis.jury.services.deliberation import *  # noqa: F403
