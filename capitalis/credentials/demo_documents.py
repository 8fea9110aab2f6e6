"""Demo step: PDFs (certificate, attestation of blocks, decision letter) for the certified and
partially certified demo learners (and a decision letter for every learner) of the past jury
session the credentials step (order 800) deliberated and closed, so a certificate's QR code opens
its verification page out of the box. Through the same service as the Celery task; idempotent (a
second run issues nothing). Sessions other steps close later (reporting's past cohorts, order
900) are left to them, so that a second run finds nothing new to issue."""

from __future__ import annotations

from django.utils.translation import gettext as _

from capitalis.accounts.demo import DemoContext, demo_step
from capitalis.accounts.rules import Role
from capitalis.credentials import pdfs
from capitalis.credentials.demo_credentials import TITLE as DEMO_SESSION
from capitalis.credentials.models import IssuedDocument
from capitalis.credentials.tasks_documents import session_documents_issue
from capitalis.jury.models import JurySession, SessionStatus


@demo_step(order=810, name="documents")
def documents_step(ctx: DemoContext) -> None:
    director = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    sessions = JurySession.objects.filter(status=SessionStatus.CLOSED, title=DEMO_SESSION).exclude(
        minutes_sha256=""
    )
    for session in sessions.order_by("date", "pk"):
        session_documents_issue(session_id=session.pk, actor=director)
        documents = IssuedDocument.objects.filter(session=session, replaced_by__isnull=True)
        ctx.note(
            _(
                "Documents: %(count)s PDFs (certificates, attestations, decision letters) for "
                "“%(title)s”."
            )
            % {"count": documents.count(), "title": session.title}
        )
        sample = (
            documents.filter(kind="certificate").first()
            or documents.filter(kind="attestation").first()
        )
        if sample is not None:
            ctx.note(
                _("Documents: a %(kind)s and its verification page %(url)s")
                % {
                    "kind": sample.get_kind_display(),
                    "url": pdfs.verification_url(sample.public_id),
                }
            )
