"""Reads on credentials: what a session can issue (loaded set-based for the builders), who may see
which credential, the public verification verdict. Never a query per credential."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.core import clock, site
from capitalis.credentials import builders, keys, rules
from capitalis.credentials.models import Credential, IssuedDocument, StatusList
from capitalis.enrolment.models import Enrolment
from capitalis.jury.models import (
    BlockDecision,
    BlockValidation,
    CertificationDecision,
    CertificationStatus,
    JurySession,
)
from capitalis.referential.models import Block, CertificationRule, CertificationVersion


def base_url() -> str:
    return site.base_url()


def status_list_url(slug: str) -> str:
    return f"{base_url()}/credentials/status/{slug}/"


# --- what can be issued ----------------------------------------------------------------------


@dataclass(frozen=True)
class Issuable:
    """One credential to issue, with everything the builder needs (no more queries)."""

    kind: str  # "block" | "certification"
    issuance_key: str
    learner_id: int
    enrolment_id: int | None
    version_id: int
    session_id: int | None
    certification_decision_id: int | None
    block_id: int | None
    block_validation_id: int | None
    awarded_on: date
    holder_name: str
    holder_email: str
    certification: builders.CertificationInfo
    block: builders.BlockInfo | None = None
    blocks: tuple[builders.BlockInfo, ...] = ()
    validated: tuple[str, ...] = ()
    jury: builders.Jury | None = None
    refusals: tuple[rules.Refusal, ...] = field(default=())


def block_key(validation_id: int) -> str:
    return f"block:{validation_id}"


def certification_key(decision_id: int) -> str:
    return f"cert:{decision_id}"


@dataclass(frozen=True)
class VersionInfo:
    certification: builders.CertificationInfo
    blocks: dict[int, builders.BlockInfo]  # ordered by position


def version_infos(version_ids: Iterable[int]) -> dict[int, VersionInfo]:
    """Certification, rule and blocks of each version: three queries whatever the count."""
    ids = set(version_ids)
    versions = CertificationVersion.objects.filter(pk__in=ids).select_related("certification")
    rule_rows = {r.version_id: r for r in CertificationRule.objects.filter(version_id__in=ids)}
    blocks: dict[int, dict[int, builders.BlockInfo]] = defaultdict(dict)
    for b in Block.objects.filter(version_id__in=ids).order_by("version_id", "position", "code"):
        blocks[b.version_id][b.pk] = builders.BlockInfo(
            code=b.code, title_fr=b.title_fr, criteria_fr=b.assessment_text
        )
    infos = {}
    for v in versions:
        rule = rule_rows.get(v.pk)
        cert = v.certification
        infos[v.pk] = VersionInfo(
            builders.CertificationInfo(
                code=cert.code,
                title_fr=cert.title_fr,
                version_code=v.code,
                eqf_level=cert.eqf_level,
                rule_fr=builders.rule_text_fr(
                    rule.all_common_required if rule else True,
                    rule.optional_blocks_required if rule else 0,
                    rule.description_fr if rule else "",
                ),
            ),
            blocks[v.pk],
        )
    return infos


def _jury(session: JurySession | None) -> builders.Jury | None:
    return None if session is None else builders.Jury(title=session.title, day=session.date)


def block_issuables(
    *,
    validation_ids: Sequence[int] | None = None,
    session_id: int | None = None,
    learner_ids: Sequence[int] | None = None,
) -> list[Issuable]:
    """Block credentials for these validations (or every validation a session recorded, training
    and VAE), each with its refusals if it may not be issued."""
    qs = BlockValidation.objects.select_related("learner__user", "session", "decision")
    if validation_ids is not None:
        qs = qs.filter(pk__in=validation_ids)
    if session_id is not None:
        qs = qs.filter(session_id=session_id)
    if learner_ids is not None:
        qs = qs.filter(learner_id__in=learner_ids)
    rows = list(qs.order_by("pk"))
    infos = version_infos(r.version_id for r in rows)
    latest = latest_block_corrections([r.decision_id for r in rows if r.decision_id])
    items = []
    for r in rows:
        info = infos[r.version_id]
        decision = r.decision
        s = r.session
        correction = latest.get(r.decision_id) if r.decision_id else None
        if correction is not None:  # follow the correction (see latest_block_corrections)
            decision, s = correction, correction.session
        refusals = rules.block_refusals(
            has_session=s is not None,
            session_closed=bool(s and s.is_closed),
            minutes_sha256=s.minutes_sha256 if s else "",
            decision_status=decision.status if decision else None,
        )
        items.append(
            Issuable(
                kind="block",
                issuance_key=block_key(r.pk),
                learner_id=r.learner_id,
                enrolment_id=r.decision.enrolment_id if r.decision else None,
                version_id=r.version_id,
                session_id=s.pk if s else None,
                certification_decision_id=None,
                block_id=r.block_id,
                block_validation_id=r.pk,
                awarded_on=r.validated_on,
                holder_name=r.learner.user.full_name,
                holder_email=r.learner.user.email,
                certification=info.certification,
                block=info.blocks.get(r.block_id),
                jury=_jury(s),
                refusals=tuple(refusals),
            )
        )
    return items


def latest_block_corrections(decision_ids: Sequence[int]) -> dict[int, BlockDecision]:
    """For each block decision that a later session corrected, the last correction of its chain
    (a correction may itself be corrected; of two corrections of one decision, the later
    session's). One query per link of the longest chain (usually one, two when corrected).

    A block credential follows the correction (SPEC §6: the capitalised validation stays one row
    per learner and block, so there is no other decision to issue it from): it is issued — or
    reissued — only when the correcting session is frozen and still says "validated", and its
    evidence names the correcting session. A correction that withdrew the block refuses it."""
    latest: dict[int, BlockDecision] = {}
    frontier = {d: d for d in decision_ids}  # decision to look for → original decision
    while frontier:
        found = (
            BlockDecision.objects.filter(cites_id__in=list(frontier))
            .select_related("session")
            .order_by("session__date", "session_id")
        )
        step: dict[int, int] = {}
        for correction in found:
            origin = frontier[correction.cites_id]  # type: ignore[index]
            known = latest.get(origin)
            if known is None or (correction.session.date, correction.session_id) >= (
                known.session.date,
                known.session_id,
            ):
                latest[origin] = correction  # the later session wins
            step[correction.pk] = origin
        frontier = step
    return latest


def certification_issuables(
    *,
    decision_ids: Sequence[int] | None = None,
    session_id: int | None = None,
    learner_ids: Sequence[int] | None = None,
) -> list[Issuable]:
    """Certification credentials for these decisions (or a session's), with their refusals.
    With ``session_id``, only the certified decisions are listed."""
    qs = CertificationDecision.objects.select_related("enrolment__learner__user", "session")
    if decision_ids is not None:
        qs = qs.filter(pk__in=decision_ids)
    if session_id is not None:
        qs = qs.filter(session_id=session_id).filter(
            Q(override_status=CertificationStatus.CERTIFIED)
            | Q(override_status__isnull=True, computed_status=CertificationStatus.CERTIFIED)
        )
    if learner_ids is not None:
        qs = qs.filter(enrolment__learner_id__in=learner_ids)
    rows = list(qs.order_by("pk"))
    corrected = set(
        CertificationDecision.objects.filter(cites_id__in=[r.pk for r in rows]).values_list(
            "cites_id", flat=True
        )
    )
    infos = version_infos(r.session.version_id for r in rows)
    items = []
    for r in rows:
        s = r.session
        info = infos[s.version_id]
        refusals = rules.certification_refusals(
            session_closed=s.is_closed,
            minutes_sha256=s.minutes_sha256,
            status=r.status,
            superseded=r.pk in corrected,
        )
        user = r.enrolment.learner.user
        items.append(
            Issuable(
                kind="certification",
                issuance_key=certification_key(r.pk),
                learner_id=r.enrolment.learner_id,
                enrolment_id=r.enrolment_id,
                version_id=s.version_id,
                session_id=s.pk,
                certification_decision_id=r.pk,
                block_id=None,
                block_validation_id=None,
                awarded_on=s.date,
                holder_name=user.full_name,
                holder_email=user.email,
                certification=info.certification,
                blocks=tuple(info.blocks.values()),
                validated=tuple(r.validated_blocks or ()),
                jury=_jury(s),
                refusals=tuple(refusals),
            )
        )
    return items


def session_learner_ids(*, session_id: int) -> set[int]:
    """Learners with something to issue in the session: a block validation it recorded or a
    certified decision (two queries)."""
    ids = set(
        BlockValidation.objects.filter(session_id=session_id).values_list("learner_id", flat=True)
    )
    ids |= set(
        CertificationDecision.objects.filter(session_id=session_id)
        .filter(
            Q(override_status=CertificationStatus.CERTIFIED)
            | Q(override_status__isnull=True, computed_status=CertificationStatus.CERTIFIED)
        )
        .values_list("enrolment__learner_id", flat=True)
    )
    return ids


# --- scoping -------------------------------------------------------------------------------


def credential_list_for(*, user: User) -> QuerySet[Credential]:
    """The credentials ``user`` may see: her own (learner); those of the sessions she sits on
    (jury president or member); all for a programme director."""
    qs = Credential.objects.select_related("version__certification", "block", "session")
    return permissions.restrict(qs, user, "credential")


def credential_for(*, user: User, public_id: UUID | str) -> Credential | None:
    try:
        uid = UUID(str(public_id))
    except ValueError:
        return None
    return credential_list_for(user=user).filter(public_id=uid).first()


def documents_for_learner(*, user: User) -> QuerySet[IssuedDocument]:
    return IssuedDocument.objects.filter(learner__user=user).select_related(
        "version__certification"
    )


def document_list_for(*, user: User) -> QuerySet[IssuedDocument]:
    """The PDFs ``user`` may see: her own; those of the sessions she sits on; all for a
    programme director (like ``credential_list_for``)."""
    qs = IssuedDocument.objects.select_related(
        "version__certification", "session", "learner__user", "revoked_by", "replaced_by"
    )
    return permissions.restrict(qs, user, "document")


def document_for(*, user: User, public_id: UUID | str) -> IssuedDocument | None:
    uid = parse_public_id(str(public_id))
    return document_list_for(user=user).filter(public_id=uid).first() if uid else None


def session_documents(*, session_id: int) -> QuerySet[IssuedDocument]:
    return (
        IssuedDocument.objects.filter(session_id=session_id)
        .select_related("learner__user", "revoked_by")
        .order_by("learner__user__full_name", "kind", "language", "issued_at")
    )


def transcript_enrolment_for(*, user: User, enrolment_id: Any) -> Enrolment | None:
    """The enrolment whose transcript ``user`` may ask for, or None (unknown or not hers to
    see): a programme director, any; otherwise her own enrolments (a learner sees hers, and is
    refused the issuing) and those decided by a jury session she sits on."""
    try:
        pk = int(enrolment_id)
    except (TypeError, ValueError):
        return None
    qs = Enrolment.objects.select_related("learner__user").filter(pk=pk)
    if not user.is_authenticated:
        return None
    who = permissions.principal(user)
    own = permissions.visible(who, "transcript")
    if own == permissions.EVERYTHING:
        return qs.first()
    decided = CertificationDecision.objects.filter(
        permissions.visible(who, "certification_decision")
    ).values("enrolment_id")
    return qs.filter(own | Q(pk__in=decided)).first()


def session_transcript_rows(*, session_id: int) -> list[tuple[CertificationDecision, Any]]:
    """The session's current decisions (not corrected later) with each learner's current
    transcript PDFs (a list, possibly empty), for the staff session page."""
    decisions = list(
        CertificationDecision.objects.filter(session_id=session_id)
        .exclude(corrections__isnull=False)
        .select_related("enrolment__learner__user")
        .order_by("enrolment__learner__user__full_name", "pk")
    )
    transcripts: dict[int, list[IssuedDocument]] = defaultdict(list)
    for document in IssuedDocument.objects.filter(
        kind="transcript",
        enrolment_id__in=[d.enrolment_id for d in decisions],
        replaced_by__isnull=True,
    ).order_by("language"):
        transcripts[document.enrolment_id or 0].append(document)
    return [(d, transcripts.get(d.enrolment_id, [])) for d in decisions]


def session_credentials(*, session_id: int) -> QuerySet[Credential]:
    return (
        Credential.objects.filter(session_id=session_id)
        .select_related("learner__user", "block", "revoked_by")
        .order_by("learner__user__full_name", "kind", "block__position")
    )


# --- public lookup -------------------------------------------------------------------------


def parse_public_id(value: str) -> UUID | None:
    try:
        return UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        return None


def issued_by_public_id(public_id: UUID) -> Credential | IssuedDocument | None:
    credential = (
        Credential.objects.select_related(
            "version__certification", "block", "session", "replaced_by"
        )
        .filter(public_id=public_id)
        .first()
    )
    if credential is not None:
        return credential
    return (
        IssuedDocument.objects.select_related("version__certification", "session", "replaced_by")
        .filter(public_id=public_id)
        .first()
    )


def status_list_by_slug(slug: str) -> StatusList | None:
    return StatusList.objects.filter(slug=slug).first()


# --- verification ----------------------------------------------------------------------------


def reason_text(code: str, detail: str = "") -> str:
    """The translated sentence for a verification reason code."""
    texts = {
        rules.Check.MALFORMED: _("The document is not a well-formed credential."),
        rules.Check.UNKNOWN_ISSUER: _(
            "The issuer's key is unknown: the signature cannot be checked against a key we trust."
        ),
        rules.Check.ISSUER_MISMATCH: _("The key that signed it does not belong to the issuer."),
        rules.Check.BAD_SIGNATURE: _(
            "The signature does not match the content: the credential was altered or forged."
        ),
        rules.Check.UNSAFE: _(
            "The credential contains terms or characters that cannot be signed safely."
        ),
        rules.Check.UNSUPPORTED_PROOF: _(
            "The proof is not of the kind this certifier uses (eddsa-rdfc-2022)."
        ),
        rules.Check.UNKNOWN_CONTEXT: _(
            "The credential uses a vocabulary (JSON-LD context) we do not know."
        ),
        rules.Check.SCHEMA: _("The credential does not follow the Open Badges 3.0 schema."),
        rules.Check.NOT_OURS: _("This credential was not issued by this certifier."),
        rules.Check.NOT_FOUND: _(
            "No credential with this identifier was issued by this certifier."
        ),
        rules.Check.ALTERED: _("The credential differs from the one this certifier issued."),
        rules.Check.REVOKED: _("The certifier has revoked this credential."),
        rules.Check.REPLACED: _("This credential was replaced by a newer one."),
        rules.Check.NOT_YET_VALID: _("This credential is not valid yet."),
        rules.Check.EXPIRED: _("This credential has expired."),
    }
    text = (
        texts.get(rules.Check(code), _("Unknown problem."))
        if code in set(rules.Check)
        else _("Unknown problem.")
    )
    return f"{text} ({detail})" if detail and code == rules.Check.SCHEMA else text


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass(frozen=True)
class VerificationResult:
    authentic: bool
    current: bool
    reasons: list[Reason]
    credential: Credential | None
    revoked_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "authentic": self.authentic,
            "current": self.current,
            "reasons": [{"code": r.code, "text": r.text} for r in self.reasons],
            "id": str(self.credential.public_id) if self.credential else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def verify_document(document: Any, *, now: datetime | None = None) -> VerificationResult:
    """Verify a pasted credential: proof (signature by a key we can resolve), schema, issued by
    us, present in our register and unchanged, not revoked or replaced, within its validity.
    Reads only; never fetches anything."""
    from capitalis.credentials import keys, schema, signing

    now = now or clock.now()
    found: list[tuple[str, str]] = []
    if not isinstance(document, dict) or not isinstance(document.get("proof"), (list, dict)):
        found.append((rules.Check.MALFORMED, ""))
        return _result(found, None)
    try:
        proof_reasons = signing.verify(document)
    except Exception:
        proof_reasons = [signing.Reason(rules.Check.MALFORMED, "")]
    found.extend((str(r.code), "") for r in proof_reasons)
    try:
        schema_errors = schema.ob_schema_errors(document)
    except Exception:
        schema_errors = ["?"]
    if schema_errors:
        found.append((rules.Check.SCHEMA, "; ".join(schema_errors[:3])[:300]))
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    credential: Credential | None = None
    revoked_at = None
    if issuer_id != keys.issuer_key().did and not any(
        c == rules.Check.UNKNOWN_ISSUER for c, _d in found
    ):
        found.append((rules.Check.NOT_OURS, ""))
    elif issuer_id == keys.issuer_key().did:
        raw_id = str(document.get("id", ""))
        uid = (
            parse_public_id(raw_id.removeprefix("urn:uuid:"))
            if raw_id.startswith("urn:uuid:")
            else None
        )
        credential = (
            Credential.objects.select_related("version__certification", "block", "replaced_by")
            .filter(public_id=uid)
            .first()
            if uid
            else None
        )
        if credential is None:
            found.append((rules.Check.NOT_FOUND, ""))
        else:
            if credential.document != document:
                found.append((rules.Check.ALTERED, ""))
            if credential.replaced_by_id:
                found.append((rules.Check.REPLACED, ""))
            elif credential.revoked_at:
                found.append((rules.Check.REVOKED, ""))
            revoked_at = credential.revoked_at
    found.extend(_validity(document, now))
    return _result(found, credential, revoked_at)


def _validity(document: dict[str, Any], now: datetime) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    start = parse_datetime(str(document.get("validFrom", "")))
    if start is not None and start > now:
        out.append((rules.Check.NOT_YET_VALID, ""))
    end = document.get("validUntil")
    end_at = parse_datetime(str(end)) if end else None
    if end_at is not None and end_at < now:
        out.append((rules.Check.EXPIRED, ""))
    return out


def _result(
    found: list[tuple[str, str]], credential: Credential | None, revoked_at: datetime | None = None
) -> VerificationResult:
    verdict = rules.verdict(code for code, _d in found)
    details = dict(reversed(found))
    return VerificationResult(
        authentic=verdict.authentic,
        current=verdict.current,
        reasons=[Reason(code, reason_text(code, details.get(code, ""))) for code in verdict.codes],
        credential=credential,
        revoked_at=revoked_at,
    )


def stored_credential_check(credential: Credential) -> VerificationResult:
    """The verdict on a credential as we stored it (the public page of a credential id)."""
    return verify_document(credential.document)


# --- signing keys ----------------------------------------------------------------------------

_SIGNERS_CHECKED: dict[tuple[str, ...], list[str]] = {}


def unknown_signers(*, fresh: bool = False) -> list[str]:
    """The verification methods of stored credentials that none of our keys (current or
    retired) can have signed: not empty after a restore without the signing key, or a key
    replaced without listing the old one in CREDENTIALS_RETIRED_KEYS. Computed once per process
    and key (a full scan; only a restore changes the answer, and it clears this)."""
    key = keys.issuer_key()
    current = (key.verification_method, *(mb for _kid, mb in keys.retired_keys()))
    if fresh or current not in _SIGNERS_CHECKED:
        methods = (
            Credential.objects.order_by()
            .values_list("document__proof__0__verificationMethod", flat=True)
            .distinct()
        )
        _SIGNERS_CHECKED.clear()
        _SIGNERS_CHECKED[current] = sorted(
            str(vm) for vm in methods if vm and not keys.is_our_signer(str(vm))
        )
    return _SIGNERS_CHECKED[current]


def forget_signers() -> None:
    _SIGNERS_CHECKED.clear()
