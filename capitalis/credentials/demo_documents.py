"""Demo step: PDFs (certificate, attestation of blocks, decision letter) for the learners of every
closed demo jury session (the certified, the partially certified, and a decision letter for
everyone), after the credentials step (920) — so a certificate's QR code opens its verification
page out of the box. Through the same service as the Celery task; idempotent (each document has
its issuance key: a second run issues nothing)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from capitalis.accounts.demo import DemoContext, demo_step
from capitalis.accounts.rules import Role
from capitalis.credentials import pdfs
from capitalis.credentials.demo_credentials import closed_sessions
from capitalis.credentials.models import IssuedDocument
from capitalis.credentials.tasks_documents import session_documents_issue


@demo_step(order=930, name="documents")
def documents_step(ctx: DemoContext) -> None:
    director = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    for session in closed_sessions():
        before = IssuedDocument.objects.filter(session=session).count()
        session_documents_issue(session_id=session.pk, actor=director)
        documents = IssuedDocument.objects.filter(session=session, replaced_by__isnull=True)
        ctx.created += IssuedDocument.objects.filter(session=session).count() - before
        ctx.note(
            _(
                "Documents: %(count)s PDFs (certificates, attestations, decision letters) for "
                "“%(title)s”."
            )
            % {"count": documents.count(), "title": session.title}
        )
    sample = (
        IssuedDocument.objects.filter(replaced_by__isnull=True, revoked_at__isnull=True)
        .filter(kind__in=["certificate", "attestation"])
        .order_by("kind", "-issued_at")
        .first()
    )
    if sample is not None:
        ctx.note(
            _("Documents: a %(kind)s and its verification page %(url)s")
            % {"kind": sample.get_kind_display(), "url": pdfs.verification_url(sample.public_id)}
        )
