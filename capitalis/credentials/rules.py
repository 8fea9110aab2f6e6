"""Rules of credential issuance, revocation and verification (SPEC §6–7), as pure functions.

No Django import: the services and queries pass in plain values and get back reason codes,
which they translate. A credential is issued only from a frozen decision: its jury session is
closed and its minutes carry a content hash. A block credential needs the block validated; a
certification credential needs the learner certified (partially certified learners get block
credentials only). A credential goes current → revoked, or current → replaced (a reissue revokes
the old one and points it to the new one); nothing goes back.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from capitalis.jury.rules import BlockStatus, CertificationStatus


class Refusal(enum.StrEnum):
    """Why a credential cannot be issued (or revoked)."""

    NO_SESSION = "no_session"  # a validation recorded outside any session in Capitalis
    NOT_FROZEN = "not_frozen"  # the session is not closed with frozen minutes
    NOT_VALIDATED = "not_validated"  # the block's effective status is not "validated"
    NOT_CERTIFIED = "not_certified"  # the certification decision is not "certified"
    SUPERSEDED = "superseded"  # a later session corrected this decision
    ALREADY_REVOKED = "already_revoked"
    REASON_REQUIRED = "reason_required"


class CredentialState(enum.StrEnum):
    CURRENT = "current"
    REVOKED = "revoked"
    REPLACED = "replaced"


# transitions allowed: (from, to)
TRANSITIONS: frozenset[tuple[CredentialState, CredentialState]] = frozenset(
    {
        (CredentialState.CURRENT, CredentialState.REVOKED),
        (CredentialState.CURRENT, CredentialState.REPLACED),
    }
)


def state_of(*, revoked: bool, replaced: bool) -> CredentialState:
    if replaced:
        return CredentialState.REPLACED
    if revoked:
        return CredentialState.REVOKED
    return CredentialState.CURRENT


def frozen(*, has_session: bool, session_closed: bool, minutes_sha256: str) -> list[Refusal]:
    """A decision is frozen when its session is closed and its minutes hashed."""
    if not has_session:
        return [Refusal.NO_SESSION]
    if not session_closed or not minutes_sha256:
        return [Refusal.NOT_FROZEN]
    return []


def block_refusals(
    *,
    has_session: bool,
    session_closed: bool,
    minutes_sha256: str,
    decision_status: str | None,
) -> list[Refusal]:
    """May a block credential be issued from this validation? ``decision_status`` is the
    effective status of the block decision behind it (None for a VAE validation, which the
    interviewing session recorded directly as validated)."""
    refusals = frozen(
        has_session=has_session, session_closed=session_closed, minutes_sha256=minutes_sha256
    )
    if decision_status is not None and decision_status != BlockStatus.VALIDATED:
        refusals.append(Refusal.NOT_VALIDATED)
    return refusals


def certification_refusals(
    *, session_closed: bool, minutes_sha256: str, status: str, superseded: bool
) -> list[Refusal]:
    """May a certification credential be issued from this decision? Only "certified"; a
    partially certified learner receives her block credentials only."""
    refusals = frozen(
        has_session=True, session_closed=session_closed, minutes_sha256=minutes_sha256
    )
    if status != CertificationStatus.CERTIFIED:
        refusals.append(Refusal.NOT_CERTIFIED)
    if superseded:
        refusals.append(Refusal.SUPERSEDED)
    return refusals


def revocation_refusals(*, state: CredentialState, reason: str) -> list[Refusal]:
    """Revoking (or reissuing) needs a current credential and a written reason."""
    refusals = []
    if (state, CredentialState.REVOKED) not in TRANSITIONS:
        refusals.append(Refusal.ALREADY_REVOKED)
    if not reason.strip():
        refusals.append(Refusal.REASON_REQUIRED)
    return refusals


# --- verification verdict ------------------------------------------------------------------


class Check(enum.StrEnum):
    """Reason codes of a verification verdict (the proof codes come from signing.verify)."""

    MALFORMED = "malformed"
    UNKNOWN_ISSUER = "unknown_issuer"
    ISSUER_MISMATCH = "issuer_mismatch"
    BAD_SIGNATURE = "bad_signature"
    UNSAFE = "unsafe"
    UNSUPPORTED_PROOF = "unsupported_proof"
    UNKNOWN_CONTEXT = "unknown_context"
    SCHEMA = "schema"
    NOT_OURS = "not_ours"  # a valid proof, but not by this certifier's key
    NOT_FOUND = "not_found"  # our issuer, but no such credential in the register
    ALTERED = "altered"  # differs from what we issued under that id
    REVOKED = "revoked"
    REPLACED = "replaced"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"


# a verdict is "authentic" when none of these is present; REVOKED/REPLACED keep it authentic
# but not current.
FATAL: frozenset[Check] = frozenset(
    {
        Check.MALFORMED,
        Check.UNKNOWN_ISSUER,
        Check.ISSUER_MISMATCH,
        Check.BAD_SIGNATURE,
        Check.UNSAFE,
        Check.UNSUPPORTED_PROOF,
        Check.UNKNOWN_CONTEXT,
        Check.SCHEMA,
        Check.NOT_OURS,
        Check.NOT_FOUND,
        Check.ALTERED,
    }
)


@dataclass(frozen=True)
class Verdict:
    authentic: bool
    current: bool
    codes: tuple[str, ...]


def verdict(codes: Iterable[str]) -> Verdict:
    """Authentic = a sound proof by our key over what we issued; current = authentic and neither
    revoked, replaced, expired nor not yet valid."""
    unique = tuple(dict.fromkeys(codes))
    authentic = not any(code in FATAL for code in unique)
    return Verdict(authentic=authentic, current=authentic and not unique, codes=unique)
