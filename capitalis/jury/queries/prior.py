"""Prior validations (issue 13 point 2): who manages them, their list, and what their checks
need, loaded set-based."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower, Upper

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.jury import rules
from capitalis.jury.models import BlockValidation, VaeCandidate
from capitalis.referential.models import Block, Certification, CertificationVersion


def can_manage_prior(user: User) -> bool:
    """Who records the block validations obtained before Capitalis: a programme director (the
    one who schedules the juries that will count them)."""
    return permissions.can(user, "manage", "block_validation").ok


def prior_validation_list_for(
    *, user: User, learner: str = "", block: str = ""
) -> QuerySet[BlockValidation]:
    """The validations recorded outside a jury session of Capitalis (before it, or through an
    equivalence), for whoever may manage them (else none); ``learner`` filters on a name,
    e-mail address or INE, ``block`` on a block code (both contain, case-insensitive)."""
    qs = BlockValidation.objects.filter(session__isnull=True).select_related(
        "learner__user", "block", "version__certification", "recorded_by"
    )
    if not can_manage_prior(user):
        return qs.none()
    learner = learner.replace("\x00", "").strip()[:200]
    block = block.replace("\x00", "").strip()[:50]
    if learner:
        qs = qs.filter(
            Q(learner__user__email__icontains=learner)
            | Q(learner__user__full_name__icontains=learner)
            | Q(learner__national_student_number__iexact=learner)
        )
    if block:
        qs = qs.filter(block__code__icontains=block)
    return qs.order_by("-validated_on", "-id")


@dataclass(frozen=True)
class PriorBlock:
    """A block as a prior validation names it, with its version and certification."""

    id: int
    code: str
    version_id: int
    version_code: str
    certification_id: int
    certification_code: str
    valid_from: Any


@dataclass
class PriorLookup:
    """What the checks of a batch of prior validations need, loaded in a few queries: the
    learners by e-mail (lower case) and INE (upper case), the certifications each follows
    (enrolments and VAE candidacies), the blocks by (certification, version, block) codes in
    upper case, and the validations the learners already hold."""

    learners: dict[str, int] = field(default_factory=dict)
    certifications: dict[int, frozenset[int]] = field(default_factory=dict)
    blocks: dict[tuple[str, str, str], PriorBlock] = field(default_factory=dict)
    by_id: dict[int, PriorBlock] = field(default_factory=dict)
    certification_codes: set[str] = field(default_factory=set)
    version_codes: set[tuple[str, str]] = field(default_factory=set)
    held: dict[tuple[int, int], rules.PriorValidation] = field(default_factory=dict)


def prior_lookup(
    *,
    learner_keys: Sequence[str],
    certification_codes: Sequence[str] = (),
    block_ids: Sequence[int] = (),
) -> PriorLookup:
    """Load, set-based, what :func:`rules.prior_validation_check` needs for these learners
    (e-mail addresses or INEs) and blocks (of these certifications, or these ids): the
    learners, then what they follow and hold, then the codes known, then the blocks."""
    out = PriorLookup()
    out.learners = _learners_by_key(learner_keys)
    learner_ids = set(out.learners.values())
    if learner_ids:
        out.certifications = _certifications_followed(learner_ids)
        out.held = _validations_held(learner_ids)
    codes = {c.strip().upper() for c in certification_codes if c and c.strip()}
    ids = {i for i in block_ids if isinstance(i, int)}
    if codes:
        out.certification_codes, out.version_codes = _codes_known(codes)
    out.by_id, out.blocks = _blocks_named(codes, ids)
    return out


def _learners_by_key(learner_keys: Sequence[str]) -> dict[str, int]:
    """The learners these keys name, by e-mail (lower case) and INE (upper case): one query,
    none without a key."""
    learners: dict[str, int] = {}
    keys = {k.strip() for k in learner_keys if k and k.strip()}
    if keys:
        rows = (
            Learner.objects.annotate(email_key=Lower("user__email"))
            .filter(
                Q(email_key__in={k.lower() for k in keys})
                | Q(national_student_number__in={k.upper() for k in keys})
            )
            .values_list("pk", "email_key", "national_student_number")
        )
        for pk, email, ine in rows:
            learners.setdefault(email, pk)
            if ine:
                learners.setdefault(ine.strip().upper(), pk)
    return learners


def _certifications_followed(learner_ids: set[int]) -> dict[int, frozenset[int]]:
    """The certifications each learner follows: through an enrolment or a VAE candidacy (two
    queries)."""
    follows: dict[int, set[int]] = defaultdict(set)
    for learner_id, certification_id in Enrolment.objects.filter(
        learner_id__in=learner_ids
    ).values_list("learner_id", "edition__programme__certification_version__certification_id"):
        follows[learner_id].add(certification_id)
    for learner_id, certification_id in VaeCandidate.objects.filter(
        learner_id__in=learner_ids
    ).values_list("learner_id", "version__certification_id"):
        follows[learner_id].add(certification_id)
    return {k: frozenset(v) for k, v in follows.items()}


def _validations_held(learner_ids: set[int]) -> dict[tuple[int, int], rules.PriorValidation]:
    """The validations the learners already hold, by (learner, block): one query."""
    held: dict[tuple[int, int], rules.PriorValidation] = {}
    for (
        learner_id,
        block_id,
        version_id,
        on,
        route,
        session_id,
    ) in BlockValidation.objects.filter(learner_id__in=learner_ids).values_list(
        "learner_id", "block_id", "version_id", "validated_on", "route", "session_id"
    ):
        held[(learner_id, block_id)] = rules.PriorValidation(
            block=block_id,
            version=version_id,
            validated_on=on,
            route=rules.Route(route),
            session=session_id,
        )
    return held


def _codes_known(codes: set[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """Of these certification codes (upper case), those known, and their (certification,
    version) codes: two queries."""
    certification_codes = {
        c.upper()
        for c in Certification.objects.annotate(key=Upper("code"))
        .filter(key__in=codes)
        .values_list("code", flat=True)
    }
    version_codes = {
        (c.upper(), v.upper())
        for c, v in CertificationVersion.objects.annotate(key=Upper("certification__code"))
        .filter(key__in=codes)
        .values_list("certification__code", "code")
    }
    return certification_codes, version_codes


def _blocks_named(
    codes: set[str], ids: set[int]
) -> tuple[dict[int, PriorBlock], dict[tuple[str, str, str], PriorBlock]]:
    """The blocks of these certifications (codes in upper case) or of these ids, by id and by
    (certification, version, block) codes in upper case: one query, none without either."""
    by_id: dict[int, PriorBlock] = {}
    by_codes: dict[tuple[str, str, str], PriorBlock] = {}
    blocks = Block.objects.annotate(certification_key=Upper("version__certification__code")).filter(
        Q(certification_key__in=codes) | Q(pk__in=ids)
    )
    if not (codes or ids):
        blocks = blocks.none()
    for (
        pk,
        code,
        version_id,
        version_code,
        certification_id,
        certification_code,
        valid_from,
    ) in blocks.values_list(
        "pk",
        "code",
        "version_id",
        "version__code",
        "version__certification_id",
        "version__certification__code",
        "version__valid_from",
    ):
        found = PriorBlock(
            pk, code, version_id, version_code, certification_id, certification_code, valid_from
        )
        by_id[pk] = found
        by_codes[(certification_code.upper(), version_code.upper(), code.upper())] = found
    return by_id, by_codes
