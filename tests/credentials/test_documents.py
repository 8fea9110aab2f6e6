"""Issuing and revoking PDFs (issue 6 points 1, 4, 5, 9 and bad input): the stored SHA-256 is the
hash of the stored bytes; the summary the verification page shows; idempotent issue (twice → one
row, and a racing worker); only from a frozen decision (else a translated error and nothing
written); which decision allows which document; revocation needs a reason; the session task
issues each learner's documents exactly once, even after a crash midway; the demo step."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.utils import translation

from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.credentials import services_documents, tasks_documents
from capitalis.credentials.models import IssuedDocument
from capitalis.credentials.services_documents import (
    document_issue,
    document_revoke,
    documents_issue_for_decision,
)
from capitalis.jury.models import CertificationDecision
from tests.credentials.documents_world import BASE_URL, NAMES, documents_world


@pytest.fixture
def media(settings, tmp_path):
    settings.PUBLIC_BASE_URL = BASE_URL
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def docs(db, media):
    return documents_world()


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "credentials" / "documents").glob("*.pdf"))


def test_sha256_is_the_hash_of_the_stored_bytes_and_summary_is_filled(docs, media):
    document = document_issue("certificate", decision=docs.decision(0), language="en")
    with document.pdf.open("rb") as handle:
        data = handle.read()
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.kind == "certificate" and document.language == "en"
    assert document.issuance_key == f"doc:certificate:{docs.decision(0).pk}:en"
    assert document.session_id == docs.session.pk
    assert document.certification_decision_id == docs.decision(0).pk
    assert document.learner_id == docs.w.enrolments[0].learner_id
    assert document.awarded_on == docs.session.date
    assert document.summary == {
        "holder": NAMES[0],
        "title_fr": "Expert en essais",
        "title_en": "Expert in testing",
        "code": "RNCP99999",
        "level": "7",
        "blocks": [
            {"code": b.code, "title_fr": b.title_fr, "title_en": b.title_en}
            for b in docs.w.blocks[:3]
        ],
        "awarded_on": "2025-07-01",
        "session": "Jury juillet",
        "kind_label_fr": "Certificat",
        "kind_label_en": "Certificate",
    }
    audit = AuditEvent.objects.get(action="document_issue")
    assert audit.data["sha256"] == document.sha256


def test_issue_twice_gives_one_row(docs, media):
    first = document_issue("decision_letter", decision=docs.decision(1), language="fr")
    again = document_issue("decision_letter", decision=docs.decision(1), language="fr")
    assert again.pk == first.pk
    assert IssuedDocument.objects.count() == 1
    assert len(stored_files(media)) == 1
    # another language is another document
    document_issue("decision_letter", decision=docs.decision(1), language="en")
    assert IssuedDocument.objects.count() == 2


def test_a_racing_worker_meets_the_unique_key_and_returns_the_winner(docs, media, monkeypatch):
    """Two workers both find no row, both render; the second one's insert hits the unique
    constraint: it returns the first one's document and leaves no file behind."""
    winner = document_issue("decision_letter", decision=docs.decision(2), language="fr")
    real_filter = IssuedDocument.objects.filter

    class Blind:
        def first(self) -> None:
            return None

    calls = {"n": 0}

    def blind_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            return Blind()  # the existence check sees nothing (the other worker's row)
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(IssuedDocument.objects, "filter", blind_once)
    got = document_issue("decision_letter", decision=docs.decision(2), language="fr")
    assert got.pk == winner.pk
    assert IssuedDocument.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_not_frozen_decision_is_refused_and_nothing_is_written(db, media):
    docs = documents_world(close=False)
    before = AuditEvent.objects.count()
    with translation.override("fr"), pytest.raises(DomainError) as refused:
        document_issue("certificate", decision=docs.decision(0), language="fr")
    assert refused.value.code == "not_frozen"
    assert "n'est pas encore close" in refused.value.message  # translated
    with pytest.raises(DomainError):
        document_issue("transcript", enrolment=docs.w.enrolments[0], language="fr")
    with pytest.raises(DomainError):
        tasks_documents.issue_session_documents.delay(docs.session.pk)
    assert IssuedDocument.objects.count() == 0
    assert AuditEvent.objects.count() == before
    assert not (media / "credentials").exists()


def test_which_decision_allows_which_document(docs, media):
    with translation.override("en"), pytest.raises(DomainError) as partial:
        document_issue("certificate", decision=docs.decision(1))
    assert partial.value.code == "not_certified"
    assert "partially certified" in partial.value.message
    with pytest.raises(DomainError) as none:
        document_issue("attestation", decision=docs.decision(2))
    assert none.value.code == "no_block"
    for bad_kind in ("diploma", ""):
        with pytest.raises(DomainError):
            document_issue(bad_kind, decision=docs.decision(0))
    with pytest.raises(DomainError) as lang:
        document_issue("certificate", decision=docs.decision(0), language="de")
    assert lang.value.code == "language"
    with pytest.raises(DomainError):
        document_issue("certificate")  # neither a decision nor an enrolment
    assert IssuedDocument.objects.count() == 0
    # the transcript of an enrolment rests on its frozen decision; language defaults to the
    # learner's preferred one
    transcript = document_issue("transcript", enrolment=docs.w.enrolments[2])
    assert transcript.issuance_key == f"doc:transcript:{docs.w.enrolments[2].pk}:fr"
    assert transcript.certification_decision_id == docs.decision(2).pk


def test_a_corrected_decision_issues_nothing(docs, media):
    old = docs.decision(1)
    CertificationDecision.objects.filter(pk=docs.decision(2).pk).update(cites=old)
    with pytest.raises(DomainError) as corrected:
        document_issue("decision_letter", decision=old)
    assert corrected.value.code == "corrected"
    assert IssuedDocument.objects.count() == 0


def test_revoke_needs_a_reason(docs, media):
    document = document_issue("certificate", decision=docs.decision(0), language="fr")
    staff = docs.w.director
    before = AuditEvent.objects.count()
    for reason in ("", "   "):
        with translation.override("fr"), pytest.raises(DomainError) as refused:
            document_revoke(document, actor=staff, reason=reason)
        assert refused.value.message == "Une révocation doit être motivée."
    document.refresh_from_db()
    assert document.revoked_at is None and AuditEvent.objects.count() == before
    revoked = document_revoke(document, actor=staff, reason="  Erreur de saisie du nom  ")
    assert revoked.revoked_at is not None
    assert revoked.revocation_reason == "Erreur de saisie du nom"
    assert revoked.revoked_by == staff
    assert AuditEvent.objects.filter(action="document_revoke").count() == 1
    with pytest.raises(DomainError) as twice:
        document_revoke(revoked, actor=staff, reason="encore")
    assert twice.value.code == "already_revoked"


def test_session_task_issues_each_learner_documents_exactly_once(docs, media, monkeypatch):
    # a worker that dies after the first learner's documents
    real = services_documents.documents_issue_for_decision
    calls = {"n": 0}

    def dies_after_first(decision, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")
        return real(decision, **kwargs)

    monkeypatch.setattr(tasks_documents, "documents_issue_for_decision", dies_after_first)
    with pytest.raises(SystemExit):
        tasks_documents.issue_session_documents.delay(docs.session.pk)
    assert IssuedDocument.objects.count() == 2  # learner a: certificate + letter
    monkeypatch.setattr(tasks_documents, "documents_issue_for_decision", real)
    assert tasks_documents.issue_session_documents.delay(docs.session.pk).get() == 5
    assert tasks_documents.issue_session_documents.delay(docs.session.pk).get() == 5  # rerun
    kinds = {(d.enrolment_id, d.kind) for d in IssuedDocument.objects.filter(session=docs.session)}
    a, b, c = (e.pk for e in docs.w.enrolments)
    assert kinds == {
        (a, "certificate"),
        (a, "decision_letter"),
        (b, "attestation"),
        (b, "decision_letter"),
        (c, "decision_letter"),
    }
    assert IssuedDocument.objects.count() == 5
    assert len(stored_files(media)) == 5
    assert len(documents_issue_for_decision(docs.decision(0))) == 2  # still the same rows
    assert IssuedDocument.objects.count() == 5


def test_the_qr_target_shows_the_document_then_its_revocation(docs, media, client):
    """The URL printed and encoded in the PDF opens the public verification page (FR and EN),
    which says what the document certifies, then that it was revoked."""
    document = document_issue("certificate", decision=docs.decision(0), language="fr")
    url = f"/verify/{document.public_id}/"
    assert f"{BASE_URL}{url}" == f"{BASE_URL}/verify/{document.public_id}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'data-verdict="authentic"' in page
    assert NAMES[0] in page and "RNCP99999" in page and "Certificat" in page
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Certificate" in en and "Expert in testing" in en
    document_revoke(document, actor=docs.w.director, reason="Nom mal orthographié")
    revoked = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-verdict="revoked"' in revoked
