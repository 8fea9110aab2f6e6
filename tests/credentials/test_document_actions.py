"""Revoking and reissuing PDFs from the staff session page and the API (a programme director or
the session's president, a reason required, audited; anyone else who may see the document is
refused, others get a 404); a reissue refuses a decision a later session corrected; a PDF
written by a transaction that rolls back is deleted from storage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation
from rest_framework.test import APIClient

from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.credentials import pdfs, services_documents
from capitalis.credentials.models import IssuedDocument
from capitalis.credentials.services_documents import document_issue, documents_issue_for_decision
from capitalis.jury import services as jury_services
from capitalis.jury.models import BlockDecision, JurySession
from tests.credentials.documents_world import BASE_URL, Docs, documents_world
from tests.jury.builders import person, session
from tests.shared_db import built_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.PUBLIC_BASE_URL = BASE_URL
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def _docs_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The documents world (a deliberated session, closed: its minutes are stored in a media
    folder of the module's), built once for the module (tests.shared_db): each test runs in its
    own savepoint, rolled back after it, with a media folder of its own (``media``)."""
    folder = tmp_path_factory.mktemp("docs")
    with (
        override_settings(PUBLIC_BASE_URL=BASE_URL, MEDIA_ROOT=str(folder)),
        translation.override(settings.LANGUAGE_CODE),
        built_once(django_db_blocker, documents_world) as built,
    ):
        yield built


@pytest.fixture
def docs(_docs_once, media):
    return Docs(_docs_once.w, JurySession.objects.get(pk=_docs_once.session.pk), _docs_once.courses)


@pytest.fixture
def certificate(docs):
    return document_issue("certificate", decision=docs.decision(0), language="fr")


def stored_files(root: Path) -> list[Path]:
    return sorted((root / "credentials" / "documents").glob("*.pdf"))


def _state():
    return (
        IssuedDocument.objects.count(),
        IssuedDocument.objects.filter(revoked_at__isnull=False).count(),
        AuditEvent.objects.count(),
    )


# --- session page ---------------------------------------------------------------------------


def test_session_page_lists_pdfs_and_revokes_with_a_reason(client, docs, certificate):
    client.force_login(docs.w.director)
    page = client.get(f"/credentials/sessions/{docs.session.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert f'data-document-id="{certificate.public_id}"' in html
    assert f"/credentials/d/{certificate.public_id}/action/" in html
    before = _state()
    refused = client.post(
        f"/credentials/d/{certificate.public_id}/action/",
        {"action": "revoke", "reason": "   "},
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )
    assert "Une révocation doit être motivée." in refused.content.decode()
    assert _state() == before
    done = client.post(
        f"/credentials/d/{certificate.public_id}/action/",
        {"action": "revoke", "reason": "Nom mal orthographié"},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == f"/credentials/sessions/{docs.session.pk}/"
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_by == docs.w.director
    assert certificate.revocation_reason == "Nom mal orthographié"
    audit = AuditEvent.objects.get(action="document_revoke")
    assert audit.actor == docs.w.director and audit.summary == "Nom mal orthographié"
    verify = client.get(f"/verify/{certificate.public_id}/", HTTP_ACCEPT="application/json")
    assert verify.json()["current"] is False and verify.json()["revoked_at"]


def test_session_page_reissue_replaces_the_pdf(client, docs, certificate, media):
    client.force_login(docs.w.president)
    client.post(
        f"/credentials/d/{certificate.public_id}/action/",
        {"action": "reissue", "reason": "Date de naissance corrigée"},
    )
    certificate.refresh_from_db()
    new = certificate.replaced_by
    assert new is not None and certificate.revoked_at is not None
    assert new.issuance_key == certificate.issuance_key and new.kind == "certificate"
    assert new.language == "fr" and new.awarded_on == certificate.awarded_on
    assert len(stored_files(media)) == 2
    with new.pdf.open("rb") as handle:
        import hashlib

        assert hashlib.sha256(handle.read()).hexdigest() == new.sha256
    assert AuditEvent.objects.filter(action="document_reissue", target_id=str(new.pk)).count() == 1
    assert not AuditEvent.objects.filter(action="document_issue", target_id=str(new.pk)).exists()
    old_page = client.get(f"/verify/{certificate.public_id}/", HTTP_ACCEPT="application/json")
    assert old_page.json()["replaced_by"] == str(new.public_id)
    # issuing again returns the replacement
    assert document_issue("certificate", decision=docs.decision(0), language="fr").pk == new.pk


def test_non_staff_cannot_revoke(client, docs, certificate):
    stranger = person("stranger@example.org", "Personne")
    client.force_login(stranger)
    url = f"/credentials/d/{certificate.public_id}/action/"
    assert client.post(url, {"action": "revoke", "reason": "x"}).status_code == 404
    before = _state()
    for user in (docs.w.member, docs.w.enrolments[0].learner.user):  # sees it, may not revoke
        client.force_login(user)
        response = client.post(
            url, {"action": "revoke", "reason": "x"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
        )
        assert response.status_code == 200
        assert "Only a programme director or the president of the jury may revoke a document." in (
            response.content.decode()
        )
    assert _state() == before
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    client.force_login(docs.w.member)
    page = client.get(f"/credentials/sessions/{docs.session.pk}/").content.decode()
    assert f"/credentials/d/{certificate.public_id}/action/" not in page


# --- API ------------------------------------------------------------------------------------


def test_api_revoke_and_reissue(docs, certificate):
    api = APIClient()
    url = f"/api/credentials/documents/{certificate.public_id}"
    api.force_authenticate(person("stranger@example.org", "Personne"))
    assert api.get(f"{url}/").status_code == 404
    assert api.post(f"{url}/revoke/", {"reason": "x"}).status_code == 404
    api.force_authenticate(docs.w.enrolments[0].learner.user)
    assert api.get(f"{url}/").json()["kind"] == "certificate"
    assert api.post(f"{url}/revoke/", {"reason": "x"}).status_code == 403
    api.force_authenticate(docs.w.director)
    before = _state()
    missing = api.post(f"{url}/revoke/", {"reason": ""}, HTTP_ACCEPT_LANGUAGE="fr")
    assert missing.status_code == 400
    assert missing.json() == {
        "detail": "Une révocation doit être motivée.",
        "code": "reason_required",
    }
    assert api.post(f"{url}/reissue/", {}).status_code == 400
    assert _state() == before
    reissued = api.post(f"{url}/reissue/", {"reason": "Nom corrigé"})
    assert reissued.status_code == 200
    new_id = reissued.json()["public_id"]
    assert new_id != str(certificate.public_id)
    old = api.get(f"{url}/").json()
    assert old["replaced_by"] == new_id and old["revoked_at"]
    again = api.post(f"{url}/revoke/", {"reason": "encore"})
    assert again.status_code == 409 and again.json()["code"] == "already_revoked"
    revoked = api.post(f"/api/credentials/documents/{new_id}/revoke/", {"reason": "Doublon"})
    assert revoked.status_code == 200 and revoked.json()["revocation_reason"] == "Doublon"
    listed = api.get("/api/credentials/documents/").json()["results"]
    assert {r["public_id"] for r in listed} == {str(certificate.public_id), new_id}


def test_api_schema_lists_the_document_actions():
    api = APIClient()
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/credentials/documents/{public_id}/revoke/" in paths
    assert "/api/credentials/documents/{public_id}/reissue/" in paths


# --- corrections ----------------------------------------------------------------------------


def test_reissue_refused_when_a_later_session_corrected_a_block(docs, certificate, media):
    later = session(docs.w, day=dt.date(2025, 9, 15), title="Jury septembre")
    old = BlockDecision.objects.filter(session=docs.session, enrolment=docs.w.enrolments[0]).first()
    jury_services.decision_correct(
        old=old,
        session=later,
        status="not_validated",
        justification="Erreur de report",
        actor=docs.w.president,
    )
    before, files = _state(), stored_files(media)
    with pytest.raises(DomainError) as refused:
        services_documents.document_reissue(certificate, actor=docs.w.director, reason="Nom")
    assert refused.value.code == "corrected"
    assert _state() == before and stored_files(media) == files
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


# --- files of a rolled-back transaction -----------------------------------------------------


def test_a_pdf_whose_row_rolls_back_is_deleted(docs, media, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services_documents, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        document_issue("certificate", decision=docs.decision(0), language="fr")
    assert IssuedDocument.objects.count() == 0
    assert stored_files(media) == []


def test_a_failure_later_in_the_same_call_deletes_the_earlier_pdfs(docs, media, monkeypatch):
    real = pdfs.render_pdf
    calls = []

    def second_fails(kind, context, language):
        calls.append(kind)
        if len(calls) == 2:
            raise RuntimeError("renderer crashed")
        return real(kind, context, language)

    monkeypatch.setattr(pdfs, "render_pdf", second_fails)
    with pytest.raises(RuntimeError):
        documents_issue_for_decision(docs.decision(0), language="en")
    assert calls == ["certificate", "decision_letter"]
    assert IssuedDocument.objects.count() == 0
    assert stored_files(media) == []
    monkeypatch.setattr(pdfs, "render_pdf", real)
    issued = documents_issue_for_decision(docs.decision(0), language="en")
    assert len(issued) == 2 and len(stored_files(media)) == 2


@pytest.mark.parametrize("action", ["revoke", "reissue"])
@pytest.mark.parametrize("reason", [None, "   ", 7])
def test_api_document_revoke_or_reissue_refuses_a_null_or_blank_reason(
    docs, certificate, action, reason
):
    api = APIClient()
    api.force_authenticate(docs.w.director)
    before = _state()
    response = api.post(
        f"/api/credentials/documents/{certificate.public_id}/{action}/",
        {"reason": reason},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Une révocation doit être motivée.",
        "code": "reason_required",
    }
    assert _state() == before
    certificate.refresh_from_db()
    assert certificate.revoked_at is None and certificate.revocation_reason == ""
