"""Issuing the ECTS transcript (SPEC §7): from the staff session page (one learner, or every
learner of the session through the background task), through the API, idempotently; only a
programme director or the session's president issues; a learner downloads her own; an enrolment
the user may not see is a 404; the PDF carries the QR code of its verification URL."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.credentials import services_documents, tasks_documents
from capitalis.credentials.models import IssuedDocument
from tests.credentials.documents_world import BASE_URL, documents_world
from tests.jury.builders import person
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db

API = "/api/credentials/documents/transcript/"


@pytest.fixture
def docs(settings, tmp_path):
    settings.PUBLIC_BASE_URL = BASE_URL
    settings.MEDIA_ROOT = str(tmp_path)
    return documents_world()


def _transcripts() -> int:
    return IssuedDocument.objects.filter(kind="transcript").count()


def _text(document: IssuedDocument) -> str:
    with document.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


# --- service --------------------------------------------------------------------------------


def test_service_issues_once_with_the_verification_url(docs):
    enrolment = docs.w.enrolments[0]
    first = services_documents.transcript_issue(
        enrolment=enrolment, actor=docs.w.president, language="fr"
    )
    again = services_documents.transcript_issue(
        enrolment=enrolment, actor=docs.w.director, language="fr"
    )
    assert again.pk == first.pk and _transcripts() == 1
    assert first.kind == "transcript" and first.enrolment_id == enrolment.pk
    text = _text(first)
    assert "Relevé de notes" in text
    assert f"{BASE_URL}/verify/{first.public_id}/".replace("https://", "") in text.replace(" ", "")
    assert "GEO1" in text and "ECTS" in text
    from tests.credentials.test_pdfs import qr_payloads

    with first.pdf.open("rb") as handle:
        assert f"{BASE_URL}/verify/{first.public_id}/" in qr_payloads(handle.read())
    assert AuditEvent.objects.filter(action="document_issue").count() == 1


def test_service_refuses_a_learner_and_a_jury_member(docs):
    enrolment = docs.w.enrolments[0]
    for actor in (enrolment.learner.user, docs.w.member):
        with pytest.raises(DomainError) as refused:
            services_documents.transcript_issue(enrolment=enrolment, actor=actor)
        assert refused.value.code == "not_authorised"
    assert _transcripts() == 0


def test_service_refuses_an_enrolment_without_frozen_decision(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    docs = documents_world(close=False)
    with pytest.raises(DomainError) as refused:
        services_documents.transcript_issue(enrolment=docs.w.enrolments[0], actor=docs.w.director)
    assert refused.value.code == "not_frozen"
    assert _transcripts() == 0


def test_batch_issues_every_learner_once(docs):
    count = tasks_documents.issue_session_transcripts.delay(docs.session.pk).get()
    assert count == 3 and _transcripts() == 3
    assert tasks_documents.issue_session_transcripts.delay(docs.session.pk).get() == 3
    assert _transcripts() == 3
    with pytest.raises(DomainError):
        tasks_documents.session_transcripts_issue(session_id=docs.session.pk, actor=docs.w.member)


# --- pages ----------------------------------------------------------------------------------


def test_session_page_issues_one_transcript_and_all(client, docs):
    client.force_login(docs.w.president)
    enrolment = docs.w.enrolments[1]
    page = client.get(f"/credentials/sessions/{docs.session.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    url = f"/credentials/sessions/{docs.session.pk}/transcripts/{enrolment.pk}/"
    assert url in html and "Délivrer le relevé de notes" in html
    done = client.post(url, {"language": "en"}, follow=True, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Relevé de notes de" in done.content.decode()
    assert IssuedDocument.objects.get(kind="transcript").language == "en"
    client.post(url, {"language": "en"})
    assert _transcripts() == 1  # idempotent
    batch = client.post(
        f"/credentials/sessions/{docs.session.pk}/transcripts/",
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "transcript(s) held by the session" in batch.content.decode()
    assert _transcripts() == 4  # three in their language (fr), plus the English one
    audit = AuditEvent.objects.filter(action="document_issue", data__kind="transcript")
    assert {event.actor for event in audit} == {docs.w.president}


def test_learner_cannot_issue_but_downloads_her_own(client, docs):
    enrolment = docs.w.enrolments[0]
    learner = enrolment.learner.user
    client.force_login(learner)
    url = f"/credentials/sessions/{docs.session.pk}/transcripts/{enrolment.pk}/"
    assert client.post(url).status_code == 404  # not her session's page
    assert client.post(f"/credentials/sessions/{docs.session.pk}/transcripts/").status_code == 404
    assert _transcripts() == 0
    document = services_documents.transcript_issue(enrolment=enrolment, actor=None)
    mine = client.get("/credentials/mine/").content.decode()
    assert f"/credentials/d/{document.public_id}/download/" in mine
    download = client.get(f"/credentials/d/{document.public_id}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    other = services_documents.transcript_issue(enrolment=docs.w.enrolments[1], actor=None)
    assert client.get(f"/credentials/d/{other.public_id}/download/").status_code == 404


def test_member_sees_the_page_but_may_not_issue(client, docs):
    client.force_login(docs.w.member)
    enrolment = docs.w.enrolments[0]
    url = f"/credentials/sessions/{docs.session.pk}/transcripts/{enrolment.pk}/"
    page = client.get(f"/credentials/sessions/{docs.session.pk}/").content.decode()
    assert url not in page
    refused = client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "may issue a transcript" in refused.content.decode()
    assert _transcripts() == 0


# --- API ------------------------------------------------------------------------------------


def test_api_issues_idempotently(docs, openapi):
    api = APIClient()
    api.force_authenticate(docs.w.director)
    enrolment = docs.w.enrolments[2]
    first = answer_validated(openapi, API, api.post(API, {"enrolment": enrolment.pk}, "json"))
    assert first.status_code == 200
    body = first.json()
    assert body["kind"] == "transcript" and body["language"] == "fr"
    assert body["verification_url"] == f"{BASE_URL}/verify/{body['public_id']}/"
    again = api.post(API, {"enrolment": enrolment.pk}, "json")
    assert again.json()["public_id"] == body["public_id"] and _transcripts() == 1


def test_api_refusals(docs, openapi):
    api = APIClient()
    enrolment = docs.w.enrolments[0]
    api.force_authenticate(enrolment.learner.user)  # her own: seen, refused
    refused = answer_validated(
        openapi, API, api.post(API, {"enrolment": enrolment.pk}, "json", HTTP_ACCEPT_LANGUAGE="fr")
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_authorised"
    assert "programme" in refused.json()["detail"]
    other = answer_validated(openapi, API, api.post(API, {"enrolment": docs.w.enrolments[1].pk}))
    assert other.status_code == 404  # someone else's enrolment
    stranger = person("stranger@example.org", "Personne")
    api.force_authenticate(stranger)
    assert api.post(API, {"enrolment": enrolment.pk}, "json").status_code == 404
    api.force_authenticate(docs.w.director)
    for bad in ({}, {"enrolment": "x"}, {"enrolment": enrolment.pk, "language": "de"}):
        answer = answer_validated(openapi, API, api.post(API, bad, "json"))
        assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    missing = answer_validated(openapi, API, api.post(API, {"enrolment": 999999}, "json"))
    assert missing.status_code == 404
    assert _transcripts() == 0
