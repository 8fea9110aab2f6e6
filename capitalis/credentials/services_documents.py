"""Writes on issued PDFs (SPEC §7; issue 6 points 1, 2, 4): issue a certificate, an attestation of
validated blocks, a transcript or a decision letter from a frozen jury decision, and revoke one
(with a reason). Atomic, audited; bad input raises a translated :class:`DomainError` and writes
nothing.

Idempotency: each document has an ``issuance_key`` — ``doc:<kind>:<decision id>:<language>``, or
``doc:transcript:<enrolment id>:<language>`` for a transcript (the record of one enrolment) —
unique among current rows. Issuing again returns the current row; two workers racing on the same
key meet the database's unique constraint and the loser returns the winner's row.

The PDF is stored through the storage API (``default_storage``) and its SHA-256 kept beside it.
A PDF is written before its row is inserted; every issuing service runs inside
:func:`files_removed_on_rollback`, so when its transaction rolls back (the insert fails, or a
later document of the same call does) the files it wrote are deleted again. Limit: a caller's
own transaction that rolls back after the service returned is not seen (Django has no rollback
hook); every caller in the project calls these services outside any transaction of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.core.text import clean_text
from capitalis.credentials import pdfs
from capitalis.credentials.models import DocumentKind, IssuedDocument
from capitalis.credentials.queries_documents import (
    decision_load,
    document_data,
    frozen_decision_for,
    is_frozen,
    is_loaded,
    kind_title,
)
from capitalis.enrolment.models import Enrolment
from capitalis.jury.models import BlockDecision, CertificationDecision, CertificationStatus

LANGUAGES = ("fr", "en")

# The files written by the innermost running files_removed_on_rollback block (None outside).
_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar(
    "credentials_written_pdfs", default=None
)


@contextmanager
def files_removed_on_rollback() -> Iterator[None]:
    """One atomic block; the PDFs written inside are deleted from storage if it rolls back (an
    exception leaves it). Nested blocks hand their files to the enclosing one on success, so a
    rollback of the outer block removes them too. Usable as a decorator."""
    outer = _written.get()
    mine: list[tuple[Storage, str]] = []
    token = _written.set(mine)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in mine:
            # best effort: the error that caused the rollback matters more
            with suppress(OSError):
                storage.delete(name)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(mine)


def issuance_key(kind: str, *, decision_id: int, enrolment_id: int, language: str) -> str:
    """The idempotency key of a document (see the module docstring)."""
    target = enrolment_id if kind == DocumentKind.TRANSCRIPT else decision_id
    return f"doc:{kind}:{target}:{language}"


def _language_of(enrolment: Enrolment, language: str | None) -> str:
    if language is None:
        preferred = (enrolment.learner.user.preferred_language or "fr")[:2]
        return preferred if preferred in LANGUAGES else "fr"
    if language not in LANGUAGES:
        raise DomainError(
            _("Documents are issued in French or English only (not “%(language)s”).")
            % {"language": language},
            code="language",
        )
    return language


def _check_kind(kind: str, decision: CertificationDecision) -> None:
    """Which decision allows which document (SPEC §6–7)."""
    status = decision.status
    if kind == DocumentKind.CERTIFICATE and status != CertificationStatus.CERTIFIED:
        raise DomainError(
            _("A certificate is issued only for a certified learner (the decision is: %(s)s).")
            % {"s": CertificationStatus(status).label},
            code="not_certified",
        )
    if kind == DocumentKind.ATTESTATION and not decision.validated_blocks:
        raise DomainError(
            _("An attestation of blocks needs at least one validated block."),
            code="no_block",
        )


def _resolve(
    kind: str, decision: CertificationDecision | None, enrolment: Enrolment | None
) -> tuple[CertificationDecision, Enrolment]:
    if kind not in DocumentKind.values:
        raise DomainError(_("Unknown kind of document: “%(kind)s”.") % {"kind": kind}, code="kind")
    if (decision is None) == (enrolment is None):
        raise DomainError(_("Give either a jury decision or an enrolment."), code="target")
    if decision is not None:
        loaded = decision if is_loaded(decision) else decision_load(decision.pk)
        return loaded, loaded.enrolment
    assert enrolment is not None
    found = frozen_decision_for(enrolment)
    if found is None:
        raise DomainError(
            _(
                "Documents are issued only from a frozen jury decision: this enrolment has no "
                "decision of a closed jury session yet."
            ),
            code="not_frozen",
        )
    return found, found.enrolment


def _check_frozen(decision: CertificationDecision) -> None:
    if not is_frozen(decision):
        raise DomainError(
            _(
                "Documents are issued only from a frozen jury decision: the session "
                "“%(title)s” is not closed (its minutes are not signed) yet."
            )
            % {"title": decision.session.title},
            code="not_frozen",
        )
    if CertificationDecision.objects.filter(cites=decision).exists():
        raise DomainError(
            _(
                "This decision was corrected by a later jury session: issue the documents from "
                "the correcting decision."
            ),
            code="corrected",
        )


@files_removed_on_rollback()
def document_issue(
    kind: str,
    *,
    decision: CertificationDecision | None = None,
    enrolment: Enrolment | None = None,
    language: str | None = None,
    actor: Any = None,
) -> IssuedDocument:
    """Issue one PDF of ``kind`` (certificate, attestation, transcript, decision_letter) for a
    frozen decision — or, for a transcript, an enrolment with a frozen decision — in ``language``
    (default: the learner's preferred language). Returns the current document when it was
    issued already (nothing rendered, nothing written)."""
    decision, target_enrolment = _resolve(kind, decision, enrolment)
    if enrolment is not None:
        target_enrolment = enrolment
    _check_frozen(decision)
    _check_kind(kind, decision)
    lang = _language_of(target_enrolment, language)
    key = issuance_key(
        kind, decision_id=decision.pk, enrolment_id=target_enrolment.pk, language=lang
    )
    existing = IssuedDocument.objects.filter(issuance_key=key, replaced_by__isnull=True).first()
    if existing is not None:
        return existing
    return _render_and_store(kind, decision, target_enrolment, lang, key, actor)


def _render_and_store(
    kind: str,
    decision: CertificationDecision,
    enrolment: Enrolment,
    language: str,
    key: str,
    actor: Any,
    *,
    audit: bool = True,
) -> IssuedDocument:
    with translation.override(language):
        data = document_data(kind, decision, enrolment)
    public_id = uuid.uuid4()
    now = clock.now()
    url = pdfs.verification_url(public_id)
    context = dict(data.context)
    context["language"] = language
    context["doc"] = _DocInfo(public_id, url, pdfs.qr_png_data_uri(url), kind, now)
    rendered = pdfs.render_pdf(kind, context, language)
    document = IssuedDocument(
        public_id=public_id,
        learner_id=enrolment.learner_id,
        enrolment=enrolment,
        version_id=decision.session.version_id,
        session=decision.session,
        certification_decision=decision,
        awarded_on=data.awarded_on,
        issued_at=now,
        language=language,
        issuance_key=key,
        kind=kind,
        sha256=rendered.sha256,
        summary=data.summary,
    )
    document.pdf.save(f"{kind}-{public_id}.pdf", ContentFile(rendered.pdf), save=False)
    written = _written.get()
    if written is not None:
        written.append((document.pdf.storage, str(document.pdf.name)))
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Another worker issued the same key meanwhile: keep its row, drop our file.
        document.pdf.delete(save=False)
        winner = IssuedDocument.objects.filter(issuance_key=key, replaced_by__isnull=True).first()
        if winner is None:
            raise
        return winner
    except BaseException:
        document.pdf.delete(save=False)
        raise
    if audit:
        audit_record(
            action=Action.DOCUMENT_ISSUE,
            actor=actor,
            target=document,
            summary=f"{kind} {public_id}",
            data={"kind": kind, "language": language, "sha256": rendered.sha256, "key": key},
        )
    return document


class _DocInfo:
    """What a template knows of the document itself (title, identifier, QR, URL, date)."""

    def __init__(self, public_id: uuid.UUID, url: str, qr: str, kind: str, issued_at: Any):
        self.public_id = public_id
        self.url = url
        self.qr = qr
        self.kind = kind
        self.issued_at = issued_at
        self.issued_on = timezone.localtime(issued_at).date()

    @property
    def title(self) -> str:
        return kind_title(self.kind)


@files_removed_on_rollback()
def documents_issue_for_decision(
    decision: CertificationDecision, *, actor: Any = None, language: str | None = None
) -> list[IssuedDocument]:
    """What a frozen decision gives a learner (SPEC §7): the certificate (certified) or the
    attestation of validated blocks (partially certified), and the decision letter, in the
    learner's language. Idempotent."""
    decision = decision_load(decision.pk)
    _check_frozen(decision)
    issued = []
    if decision.status == CertificationStatus.CERTIFIED:
        issued.append(
            document_issue(
                DocumentKind.CERTIFICATE, decision=decision, language=language, actor=actor
            )
        )
    elif decision.status == CertificationStatus.PARTIALLY_CERTIFIED and decision.validated_blocks:
        issued.append(
            document_issue(
                DocumentKind.ATTESTATION, decision=decision, language=language, actor=actor
            )
        )
    issued.append(
        document_issue(
            DocumentKind.DECISION_LETTER, decision=decision, language=language, actor=actor
        )
    )
    return issued


def _require_revoker(actor: Any, document: IssuedDocument) -> None:
    if not permissions.can(actor, "revoke", "document", document).ok:
        raise DomainError(
            _("Only a programme director or the president of the jury may revoke a document."),
            code="not_authorised",
        )


def _revoke_locked(document: IssuedDocument, actor: Any, reason: str) -> IssuedDocument:
    reason = clean_text(reason)
    locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    _require_revoker(actor, locked)
    if not reason:
        raise DomainError(_("A revocation needs a reason."), code="reason_required")
    if locked.replaced_by_id is not None:
        raise DomainError(_("This document was already replaced."), code="already_revoked")
    if locked.revoked_at is not None:
        raise DomainError(
            _("This document was already revoked on %(date)s.")
            % {"date": timezone.localtime(locked.revoked_at).date().isoformat()},
            code="already_revoked",
        )
    locked.revoked_at = clock.now()
    locked.revocation_reason = reason
    locked.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.save(update_fields=["revoked_at", "revocation_reason", "revoked_by", "updated_at"])
    return locked


@transaction.atomic
def document_revoke(document: IssuedDocument, *, actor: Any, reason: str) -> IssuedDocument:
    """Revoke an issued PDF (a programme director or the session's president): its verification
    page says so from now on (with the date). The reason is mandatory; the PDF and its hash stay
    as issued."""
    locked = _revoke_locked(document, actor, reason)
    audit_record(
        action=Action.DOCUMENT_REVOKE,
        actor=actor,
        target=locked,
        summary=locked.revocation_reason,
        data={"kind": locked.kind, "public_id": str(locked.public_id)},
    )
    return locked


def _corrected_blocks(decision: CertificationDecision) -> bool:
    """Did a later session correct one of this learner's block decisions of the session?"""
    return BlockDecision.objects.filter(
        cites__session_id=decision.session_id, cites__enrolment_id=decision.enrolment_id
    ).exists()


@files_removed_on_rollback()
def document_reissue(document: IssuedDocument, *, actor: Any, reason: str) -> IssuedDocument:
    """Revoke the PDF and render a new one of the same kind, decision, enrolment and language
    (issued now; awarded on the same date), the old one pointing to it through ``replaced_by``.

    The decision is checked again as at the first issue: still frozen, still allowing this kind,
    and not corrected by a later session — neither the certification decision itself nor one of
    the learner's block decisions of that session (the certificate, the attestation and the
    letter list those blocks). A corrected decision no longer speaks for the jury, so the reissue
    is refused (nothing is revoked, nothing written) and the message sends the user to the
    correcting session, whose own documents say what the jury decided in the end."""
    old = _revoke_locked(document, actor, reason)
    if old.certification_decision_id is None:
        raise DomainError(_("The decision behind this document is gone."), code="gone")
    decision = decision_load(old.certification_decision_id)
    _check_frozen(decision)
    if _corrected_blocks(decision):
        raise DomainError(
            _(
                "A later jury session corrected a block decision of this learner: issue the "
                "documents from the correcting session."
            ),
            code="corrected",
        )
    _check_kind(old.kind, decision)
    enrolment = old.enrolment or decision.enrolment
    key = old.issuance_key
    temporary = f"{key}~{old.pk}"  # free until the old row is replaced
    new = _render_and_store(
        old.kind, decision, enrolment, old.language, temporary, actor, audit=False
    )
    old.replaced_by = new
    old.save(update_fields=["replaced_by", "updated_at"])
    new.issuance_key = key
    new.save(update_fields=["issuance_key"])
    audit_record(
        action=Action.DOCUMENT_REISSUE,
        actor=actor,
        target=new,
        summary=old.revocation_reason,
        data={
            "kind": new.kind,
            "replaces": str(old.public_id),
            "public_id": str(new.public_id),
            "sha256": new.sha256,
        },
    )
    return new


def _require_issuer(actor: Any, decision: CertificationDecision) -> None:
    if actor is None:  # the system (a batch task, a command)
        return
    if (
        not getattr(actor, "is_authenticated", False)
        or not permissions.can(actor, "manage", "jury_session", decision.session).ok
    ):
        raise DomainError(
            _("Only a programme director or the president of the jury may issue a transcript."),
            code="not_authorised",
        )


@files_removed_on_rollback()
def transcript_issue(
    *, enrolment: Enrolment, actor: Any, language: str | None = None
) -> IssuedDocument:
    """Issue the ECTS transcript of an enrolment (grades and ECTS per year, the year outcomes)
    from its latest frozen jury decision: a programme director or the president of that
    decision's session (``actor`` None: the system). Idempotent (``doc:transcript:<enrolment>:
    <language>``): issuing again returns the current PDF."""
    decision = frozen_decision_for(enrolment)
    if decision is None:
        raise DomainError(
            _(
                "Documents are issued only from a frozen jury decision: this enrolment has no "
                "decision of a closed jury session yet."
            ),
            code="not_frozen",
        )
    _require_issuer(actor, decision)
    return document_issue(
        DocumentKind.TRANSCRIPT, enrolment=enrolment, language=language, actor=actor
    )
