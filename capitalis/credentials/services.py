"""Writes on verifiable credentials (SPEC §7; issue 6 points 3–5): issue from a frozen jury
decision, revoke, reissue, publish the signed status list. Every write is atomic and audited and
raises a translated :class:`DomainError` on bad input (nothing is saved).

Idempotency: a credential's ``issuance_key`` (``block:<validation id>``, ``cert:<decision id>``)
is looked up first, and the database's unique constraint on current rows is the last guard (an
``IntegrityError`` returns the row that won). Status-list indexes are drawn at random under a
``select_for_update`` of the issuer's list row, in one pass per batch.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import Job, audit_record, audit_record_many
from capitalis.core.services import job_start
from capitalis.core.text import clean_text
from capitalis.credentials import (
    builders,
    keys,
    queries,
    queries_documents,
    rules,
    signing,
    statuslist,
)
from capitalis.credentials.models import Credential, CredentialKind, StatusList
from capitalis.jury.models import BlockValidation, CertificationDecision, JurySession

STATUS_LIST_VALIDITY = timedelta(days=1)
# re-sign the published list when less than this is left of its validity
STATUS_LIST_REFRESH = timedelta(hours=12)


def refusal_message(refusal: rules.Refusal) -> str:
    messages = {
        rules.Refusal.NO_SESSION: _(
            "This block was not validated by a jury session held in Capitalis: there is no "
            "frozen decision to issue a credential from."
        ),
        rules.Refusal.NOT_FROZEN: _(
            "The jury session is not closed with signed minutes yet: a credential is issued "
            "only from a frozen decision."
        ),
        rules.Refusal.NOT_VALIDATED: _("This block is not validated: no credential can be issued."),
        rules.Refusal.NOT_CERTIFIED: _(
            "The learner is not certified: only block credentials can be issued."
        ),
        rules.Refusal.SUPERSEDED: _(
            "A later session corrected this decision: issue from the correcting decision."
        ),
        rules.Refusal.ALREADY_REVOKED: _("This credential is already revoked or replaced."),
        rules.Refusal.REASON_REQUIRED: _("Give the reason for the revocation."),
    }
    return messages[refusal]


def _refuse(refusals: Sequence[rules.Refusal]) -> None:
    if refusals:
        raise DomainError(
            " ".join(refusal_message(r) for r in refusals), code=str(refusals[0].value)
        )


# --- status list ---------------------------------------------------------------------------


def _slug_for(did: str) -> str:
    import hashlib

    return "rev-" + hashlib.sha256(did.encode()).hexdigest()[:12]


def _status_list_locked(did: str) -> StatusList:
    """The issuer's revocation list, created on first use, locked for this transaction."""
    slug = _slug_for(did)
    status_list = StatusList.objects.select_for_update().filter(slug=slug).first()
    if status_list is None:
        try:
            with transaction.atomic():
                StatusList.objects.create(
                    slug=slug,
                    issuer_did=did,
                    purpose="revocation",
                    bits=statuslist.new_bits(),
                )
        except IntegrityError:
            pass  # created by a concurrent first use
        status_list = StatusList.objects.select_for_update().get(slug=slug)
    return status_list


def _allocate(status_list: StatusList, count: int) -> list[int]:
    """``count`` distinct random free indexes of the list, in one pass."""
    used = set(
        Credential.objects.filter(status_list=status_list).values_list("status_index", flat=True)
    )
    if len(used) + count > status_list.size:
        raise DomainError(_("The status list is full."), code="status_list_full")
    indexes = []
    for _n in range(count):
        index = statuslist.random_free_index(used.__contains__, status_list.size)
        used.add(index)
        indexes.append(index)
    return indexes


def status_list_document(status_list: StatusList, now: datetime) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` of a list (valid one day)."""
    url = queries.status_list_url(status_list.slug)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": status_list.issuer_did,
        "validFrom": builders.zulu(now),
        "validUntil": builders.zulu(now + STATUS_LIST_VALIDITY),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": statuslist.encode(bytes(status_list.bits)),
        },
    }


def _resign(status_list: StatusList, now: datetime) -> None:
    key = keys.issuer_key()
    status_list.signed = signing.sign(status_list_document(status_list, now), key, now)
    status_list.signed_at = now
    status_list.row_version += 1


def status_list_signed(status_list: StatusList, *, now: datetime | None = None) -> dict[str, Any]:
    """The signed status list credential as published: the cached one while it is fresh,
    re-signed (and stored) when missing or stale."""
    now = now or clock.now()
    if (
        status_list.signed
        and status_list.signed_at
        and (status_list.signed_at + STATUS_LIST_VALIDITY - now > STATUS_LIST_REFRESH)
    ):
        return dict(status_list.signed)
    with transaction.atomic():
        locked = StatusList.objects.select_for_update().get(pk=status_list.pk)
        if not (
            locked.signed
            and locked.signed_at
            and locked.signed_at + STATUS_LIST_VALIDITY - now > STATUS_LIST_REFRESH
        ):
            _resign(locked, now)
            locked.save(update_fields=["signed", "signed_at", "row_version", "updated_at"])
        return dict(locked.signed or {})


# --- issuing -------------------------------------------------------------------------------


def _holder_salt() -> str:
    return secrets.token_hex(8)


def build_unsigned(
    item: queries.Issuable,
    *,
    public_id: uuid.UUID,
    issuer: builders.Issuer,
    status: builders.StatusEntry,
    valid_from: datetime,
    salt: str,
) -> dict[str, Any]:
    common = builders.Common(
        public_id=public_id,
        issuer=issuer,
        holder=builders.Holder(name=item.holder_name, email=item.holder_email, salt=salt),
        certification=item.certification,
        jury=item.jury,
        awarded_on=item.awarded_on,
        valid_from=valid_from,
        status=status,
        base_url=queries.base_url(),
    )
    if item.kind == CredentialKind.BLOCK:
        assert item.block is not None
        return builders.block_credential(common, item.block)
    return builders.certification_credential(common, item.blocks, item.validated)


def issuer_profile(did: str, *, name: str = "") -> builders.Issuer:
    """The issuer a credential names: the certifier as the register names it (``name``, the
    same name its PDF prints), else the CREDENTIALS_ISSUER_NAME setting."""
    from django.conf import settings

    base = queries.base_url()
    return builders.Issuer(
        did=did,
        name=name or str(getattr(settings, "CREDENTIALS_ISSUER_NAME", "") or "Capitalis"),
        url=str(getattr(settings, "CREDENTIALS_ISSUER_URL", "") or base),
    )


def _rows(
    items: Sequence[queries.Issuable], status_list: StatusList, now: datetime
) -> list[Credential]:
    """Build and sign one unsaved Credential per item (indexes allocated in one pass)."""
    key = keys.issuer_key()
    names = queries_documents.certifier_names({item.version_id for item in items})
    issuers = {vid: issuer_profile(key.did, name=name) for vid, name in names.items()}
    list_url = queries.status_list_url(status_list.slug)
    indexes = _allocate(status_list, len(items))
    rows = []
    for item, index in zip(items, indexes, strict=True):
        public_id = uuid.uuid4()
        unsigned = build_unsigned(
            item,
            public_id=public_id,
            issuer=issuers.get(item.version_id) or issuer_profile(key.did),
            status=builders.StatusEntry(list_url=list_url, index=index),
            valid_from=now,
            salt=_holder_salt(),
        )
        try:
            document = signing.sign(unsigned, key, now)
        except signing.UnsafeDocument as exc:
            raise DomainError(
                _("The credential cannot be signed safely: %(reasons)s")
                % {"reasons": "; ".join(exc.reasons)[:300]},
                code="unsafe",
            ) from exc
        rows.append(
            Credential(
                public_id=public_id,
                kind=item.kind,
                learner_id=item.learner_id,
                enrolment_id=item.enrolment_id,
                version_id=item.version_id,
                session_id=item.session_id,
                certification_decision_id=item.certification_decision_id,
                block_id=item.block_id,
                block_validation_id=item.block_validation_id,
                awarded_on=item.awarded_on,
                issued_at=now,
                language="fr",
                issuance_key=item.issuance_key,
                issuer_did=key.did,
                document=document,
                status_list=status_list,
                status_index=index,
            )
        )
    return rows


def _audit_issued(rows: Sequence[Credential], actor: User | None) -> None:
    audit_record_many(
        action=Action.CREDENTIAL_ISSUE,
        actor=actor,
        targets=[
            (
                row,
                f"{row.kind} {row.issuance_key}",
                {"public_id": str(row.public_id), "status_index": row.status_index},
            )
            for row in rows
        ],
    )


def _require_known_signers() -> None:
    """Refuse to sign with a key that did not sign the credentials already issued (a backup
    restored without its key, or a key replaced without being retired): the new credentials
    would verify while the old ones no longer could."""
    unknown = queries.unknown_signers()
    if unknown:
        raise DomainError(
            _(
                "Credentials cannot be issued: %(count)d key(s) that signed earlier credentials "
                "are missing (restore the signing key from the backup, or list the old key in "
                "CREDENTIALS_RETIRED_KEYS)."
            )
            % {"count": len(unknown)},
            code="signing_key_missing",
        )


@transaction.atomic
def credentials_issue(
    items: Sequence[queries.Issuable], *, actor: User | None = None
) -> list[Credential]:
    """Issue the credentials of ``items`` that are not issued yet (all must be issuable);
    returns one current credential per item, in order, whether new or already there."""
    for item in items:
        _refuse(item.refusals)
    wanted = [item.issuance_key for item in items]
    existing = {
        c.issuance_key: c
        for c in Credential.objects.filter(issuance_key__in=wanted, replaced_by__isnull=True)
    }
    todo = [item for item in items if item.issuance_key not in existing]
    if todo:
        _require_known_signers()
        status_list = _status_list_locked(keys.issuer_key().did)
        # a concurrent batch may have issued some while we waited for the lock
        existing.update(
            (c.issuance_key, c)
            for c in Credential.objects.filter(
                issuance_key__in=[i.issuance_key for i in todo], replaced_by__isnull=True
            )
        )
        todo = [item for item in todo if item.issuance_key not in existing]
        now = clock.now().replace(microsecond=0)
        rows = _rows(todo, status_list, now)
        try:
            with transaction.atomic():
                created = Credential.objects.bulk_create(rows)
        except IntegrityError:
            created = []
            for row in rows:
                try:
                    with transaction.atomic():
                        row.save(force_insert=True)
                    created.append(row)
                except IntegrityError:
                    pass  # issued meanwhile: the current row is returned below
            existing.update(
                (c.issuance_key, c)
                for c in Credential.objects.filter(
                    issuance_key__in=[r.issuance_key for r in rows], replaced_by__isnull=True
                )
            )
        existing.update((row.issuance_key, row) for row in created)
        if created:
            status_list.used = Credential.objects.filter(status_list=status_list).count()
            status_list.save(update_fields=["used", "updated_at"])
            _audit_issued(created, actor)
    return [existing[key] for key in wanted]


def credential_issue_block(
    block_validation: BlockValidation, actor: User | None = None
) -> Credential:
    """The credential of one validated block (idempotent). Only from a frozen decision: the
    validation's session is closed with frozen minutes and the block decision is validated."""
    existing = Credential.objects.filter(
        issuance_key=queries.block_key(block_validation.pk), replaced_by__isnull=True
    ).first()
    if existing is not None:
        return existing
    items = queries.block_issuables(validation_ids=[block_validation.pk])
    return credentials_issue(items, actor=actor)[0]


def credential_issue_certification(
    decision: CertificationDecision, actor: User | None = None
) -> Credential:
    """The certification credential of a certified learner (idempotent), from the frozen
    decision; partially certified learners get block credentials only."""
    existing = Credential.objects.filter(
        issuance_key=queries.certification_key(decision.pk), replaced_by__isnull=True
    ).first()
    if existing is not None:
        return existing
    items = queries.certification_issuables(decision_ids=[decision.pk])
    return credentials_issue(items, actor=actor)[0]


# --- revoking ------------------------------------------------------------------------------


def _require_revoker(actor: User | None, credential: Credential) -> None:
    if not permissions.can(actor, "revoke", "credential", credential).ok:
        raise DomainError(
            _("Only a programme director or the president of the jury may revoke a credential."),
            code="not_authorised",
        )


def _revoke_locked(
    credential: Credential, actor: User, reason: str, now: datetime
) -> tuple[Credential, StatusList]:
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    _require_revoker(actor, locked)
    state = rules.state_of(revoked=locked.is_revoked, replaced=locked.replaced_by_id is not None)
    _refuse(rules.revocation_refusals(state=state, reason=reason))
    status_list = StatusList.objects.select_for_update().get(pk=locked.status_list_id)
    status_list.bits = statuslist.set_bit(bytes(status_list.bits), locked.status_index)
    locked.revoked_at = now
    locked.revoked_by = actor
    locked.revocation_reason = reason.strip()
    locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "updated_at"])
    _resign(status_list, now)
    status_list.save(update_fields=["bits", "signed", "signed_at", "row_version", "updated_at"])
    return locked, status_list


@transaction.atomic
def credential_revoke(*, credential: Credential, actor: User, reason: str) -> Credential:
    """Revoke (irreversible): a reason is mandatory; the bit is set and the status list
    credential re-signed at once."""
    now = clock.now()
    revoked, _status_list = _revoke_locked(credential, actor, clean_text(reason), now)
    audit_record(
        action=Action.CREDENTIAL_REVOKE,
        actor=actor,
        target=revoked,
        summary=revoked.revocation_reason,
        data={"public_id": str(revoked.public_id), "status_index": revoked.status_index},
    )
    return revoked


@transaction.atomic
def credential_reissue(*, credential: Credential, actor: User, reason: str) -> Credential:
    """Revoke the credential and issue a new one for the same decision (validFrom now,
    awardedDate unchanged), the old one pointing to it through ``replaced_by``.

    The decision is checked again as at the first issue, corrections included: a certification
    decision that a later session corrected (a new decision citing it) is refused — the
    correcting decision is issued from its own session, under its own key. A block credential
    follows the correction of its block decision (``queries.latest_block_corrections``): the new
    credential names the correcting session when that session is frozen and still validates the
    block; a correction that withdrew the block, or one whose session is not closed yet, refuses
    the reissue. A refusal writes nothing (the old credential stays current)."""
    now = clock.now().replace(microsecond=0)
    old, status_list = _revoke_locked(credential, actor, clean_text(reason), now)
    if old.kind == CredentialKind.BLOCK and old.block_validation_id:
        items = queries.block_issuables(validation_ids=[old.block_validation_id])
    elif old.certification_decision_id:
        items = queries.certification_issuables(decision_ids=[old.certification_decision_id])
    else:
        items = []
    if not items:
        raise DomainError(_("The decision behind this credential is gone."), code="gone")
    item = items[0]
    _refuse(item.refusals)
    (new,) = _rows([item], status_list, now)
    new.issuance_key = f"{old.issuance_key}~{old.pk}"  # free until the old row is replaced
    new.save(force_insert=True)
    old.replaced_by = new
    old.save(update_fields=["replaced_by", "updated_at"])
    new.issuance_key = old.issuance_key
    new.save(update_fields=["issuance_key"])
    status_list.used = Credential.objects.filter(status_list=status_list).count()
    status_list.save(update_fields=["used", "updated_at"])
    audit_record(
        action=Action.CREDENTIAL_REISSUE,
        actor=actor,
        target=new,
        summary=old.revocation_reason,
        data={"replaces": str(old.public_id), "public_id": str(new.public_id)},
    )
    return new


# --- background jobs: a session's credentials, PDFs and transcripts ----------------------------


def _session_issue_refusal(*, session: JurySession, actor: User, transcripts: bool) -> None:
    if not permissions.can(actor, "manage", "jury_session", session).ok:
        raise DomainError(
            _("Only a programme director or the president of the jury may issue a transcript.")
            if transcripts
            else _("Only a programme director or the president may issue."),
            code="not_authorised",
        )
    if not (session.is_closed and session.minutes_sha256):
        raise DomainError(
            _(
                "The jury session is not closed with signed minutes yet: a credential is issued "
                "only from a frozen decision."
            ),
            code="not_frozen",
        )


def session_issue_start(*, session: JurySession, actor: User) -> Job:
    """Start issuing every credential and PDF the closed session allows, as a background job
    (issue 13 point 10; a programme director or the session's president); returns the job to
    follow. While one runs for the session, asking again returns it; once it finished, asking
    again starts a new one, which issues only what is missing (each issuance is idempotent)."""
    from capitalis.credentials.tasks import issue_job_key, session_issue_job

    _session_issue_refusal(session=session, actor=actor, transcripts=False)
    return job_start(
        kind="credentials.session_issue",
        key=issue_job_key(session.pk),
        user=actor,
        task=session_issue_job,
        args=[session.pk],
        title=_("Issuing the credentials of the jury session “%(title)s”")
        % {"title": session.title},
    )


def session_transcripts_start(*, session: JurySession, actor: User) -> Job:
    """Start issuing the ECTS transcript of every learner of the closed session, as a
    background job (a programme director or the session's president); idempotent as
    ``session_issue_start``."""
    from capitalis.credentials.tasks import session_transcripts_job, transcripts_job_key

    _session_issue_refusal(session=session, actor=actor, transcripts=True)
    return job_start(
        kind="credentials.session_transcripts",
        key=transcripts_job_key(session.pk),
        user=actor,
        task=session_transcripts_job,
        args=[session.pk],
        title=_("Issuing the transcripts of the jury session “%(title)s”")
        % {"title": session.title},
    )
