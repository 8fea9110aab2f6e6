"""Prior validations (issue 13 point 2): a block validated before Capitalis, checked before it
is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from capitalis.jury.rules.inputs import PriorValidation
from capitalis.jury.rules.reasons import Reason
from capitalis.jury.rules.vocabulary import Key, Route


@dataclass(frozen=True, slots=True)
class PriorClaim:
    """A block validation obtained before Capitalis, as a page, the API or a file row names it,
    with what the database knows about it (resolved by the services).

    ``learner`` is None when ``learner_text`` names nobody; ``certifications`` are those the
    learner is enrolled on (through a programme) or a VAE candidate for. ``block`` is None when
    the certification, version or block code is unknown (``certification_known`` and
    ``version_known`` say which). ``held`` is the learner's existing validation of the block."""

    learner: Key | None
    learner_text: str
    certifications: frozenset[Key]
    block: Key | None
    block_certification: Key | None
    block_text: str
    certification_text: str
    version_text: str
    certification_known: bool
    version_known: bool
    version_valid_from: date | None
    validated_on: date | None
    date_text: str
    route: str
    source_reference: str
    has_document: bool
    held: PriorValidation | None = None


PRIOR_SOURCE_MAX = 300
_ROUTES = frozenset(r.value for r in Route)
_DATE_ISO = (4, 2, 2)


def prior_date(text: str) -> date | None:
    """A date as a person types it in a file: ISO (2024-06-30) or French (30/06/2024, also
    with dashes or dots); None when it is not a real date."""
    value = text.strip()
    if not value or len(value) > 10:
        return None
    parts = value.replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    if len(parts[0]) == 4:
        year, month, day = parts
    elif len(parts[2]) == 4:
        day, month, year = parts
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def prior_validation_check(claim: PriorClaim, *, today: date) -> tuple[Reason, ...]:
    """Why this prior validation may not be recorded (empty: it may). A prior validation is
    capitalised like any other (SPEC §6), so it must name a real learner and a real block,
    and the learner must follow (or be a VAE candidate for) a certification holding the
    block; the date is a real day, not in the future, and not before the version it is
    recorded under came into force; the route is training, VAE or equivalence; and since no
    jury of Capitalis decided it, its source (a reference to the minutes or decision, or the
    document itself) is required whatever the route. A block already held is refused: a
    block is validated once (the first validation stands)."""
    reasons: list[Reason] = []
    if not claim.learner_text.strip():
        reasons.append(Reason("learner_missing"))
    elif claim.learner is None:
        reasons.append(Reason("learner_unknown", {"value": claim.learner_text}))
    if claim.block is None:
        if not (claim.block_text.strip() or claim.certification_text.strip()):
            reasons.append(Reason("block_missing"))
        elif not claim.certification_known:
            reasons.append(Reason("certification_unknown", {"value": claim.certification_text}))
        elif not claim.version_known:
            reasons.append(
                Reason(
                    "version_unknown",
                    {"value": claim.version_text, "certification": claim.certification_text},
                )
            )
        else:
            reasons.append(
                Reason("block_unknown", {"value": claim.block_text, "version": claim.version_text})
            )
    elif claim.learner is not None and claim.block_certification not in claim.certifications:
        reasons.append(Reason("not_enrolled", {"certification": claim.certification_text}))
    if claim.validated_on is None:
        if claim.date_text.strip():
            reasons.append(Reason("date_invalid", {"value": claim.date_text}))
        else:
            reasons.append(Reason("date_missing"))
    elif claim.validated_on > today:
        reasons.append(Reason("date_future", {"date": claim.validated_on.isoformat()}))
    elif claim.version_valid_from is not None and claim.validated_on < claim.version_valid_from:
        reasons.append(
            Reason(
                "date_before_version",
                {
                    "date": claim.validated_on.isoformat(),
                    "valid_from": claim.version_valid_from.isoformat(),
                },
            )
        )
    if claim.route not in _ROUTES:
        reasons.append(Reason("route_invalid", {"value": claim.route}))
    if not claim.source_reference.strip() and not claim.has_document:
        reasons.append(Reason("source_missing"))
    elif len(claim.source_reference) > PRIOR_SOURCE_MAX:
        reasons.append(Reason("source_too_long", {"limit": PRIOR_SOURCE_MAX}))
    if claim.held is not None:
        reasons.append(
            Reason(
                "already_validated",
                {
                    "block": claim.block_text,
                    "date": claim.held.validated_on.isoformat(),
                    "route": claim.held.route.value,
                },
            )
        )
    return tuple(reasons)
