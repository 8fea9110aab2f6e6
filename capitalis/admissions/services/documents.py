"""A draft's documents, stored through the storage API after the upload checks."""

from __future__ import annotations

from typing import IO

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.admissions.models import Application, ApplicationDocument
from capitalis.admissions.services._common import require_candidate_draft
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.core.uploads import check_upload


@transaction.atomic
def document_add(
    *, application: Application, actor_user: User, kind: str, upload: IO[bytes], name: str
) -> ApplicationDocument:
    """Store a document of a draft through the storage API, after the checks of ``uploads``
    (≤ 10 MB, PDF/JPEG/PNG from the content); a new document replaces one of the same kind."""
    require_candidate_draft(application, actor_user)
    if kind not in ApplicationDocument.Kind.values:
        raise DomainError(_("Unknown kind of document."), code="kind")
    checked = check_upload(upload, name)
    for old in application.documents.filter(kind=kind):
        old.file.delete(save=False)
        old.delete()
    document = ApplicationDocument(
        application=application,
        kind=kind,
        original_name=name[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    # FileField.save goes through default_storage (document_path gives a random-ish name).
    document.file.save(name, File(upload, name=name), save=False)
    document.save()
    audit_record(
        action=Action.DOCUMENT_ADD,
        actor=actor_user,
        target=document,
        summary=f"{kind} {checked.content_type} {checked.size} bytes",
        data={"sha256": checked.sha256, "application": application.pk},
    )
    return document


@transaction.atomic
def document_remove(*, document: ApplicationDocument, actor_user: User) -> None:
    require_candidate_draft(document.application, actor_user)
    audit_record(
        action=Action.DOCUMENT_REMOVE,
        actor=actor_user,
        target=document,
        summary=document.kind,
    )
    document.file.delete(save=False)
    document.delete()
