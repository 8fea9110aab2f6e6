"""Public verification pages: a credential's page (authentic, revoked with its date), unknown and
malformed ids (404 page, not a 500), the paste form with each bad input (forged, truncated, wrong
signature, unknown issuer, revoked), the status list and the DID document, the rate limit; the
learner's page and downloads."""

from __future__ import annotations

import copy
import json
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.cache import cache

from capitalis.core.models import AuditEvent
from capitalis.credentials import keys, services, signing
from capitalis.credentials.models import Credential
from tests.credentials.issuance_world import deliberated, signing_key  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key")]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def issued():
    iss = deliberated()
    block = services.credential_issue_block(iss.validations(0)[0])
    cert = services.credential_issue_certification(iss.decision(0))
    return iss, block, cert


def _paste(client, document, lang="en"):
    text = document if isinstance(document, str) else json.dumps(document)
    return client.post("/verify/", {"credential": text}, HTTP_ACCEPT_LANGUAGE=lang)


def _codes(response) -> set[str]:
    return {r.code for r in response.context["result"].reasons}


def test_verification_page_authentic_then_revoked(client, issued):
    iss, block, cert = issued
    page = client.get(f"/verify/{cert.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-verdict="authentic"' in html
    assert "Apprenant 00" in html and cert.version.certification.code in html
    assert "learner0@example.org" not in html  # no more personal data than the credential shows
    as_json = client.get(f"/verify/{cert.public_id}/?format=json").json()
    assert as_json["authentic"] is True and as_json["current"] is True
    assert as_json["certifies"]["holder"] == "Apprenant 00"
    services.credential_revoke(credential=block, actor=iss.w.president, reason="Erreur")
    as_json = client.get(f"/verify/{block.public_id}/", HTTP_ACCEPT="application/json").json()
    assert as_json["authentic"] is True and as_json["current"] is False and as_json["revoked_at"]
    page = client.get(f"/verify/{block.public_id}/", HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert 'data-verdict="revoked"' in html
    assert "révoqué" in html.lower()


@pytest.mark.parametrize(
    "value",
    ["0b9c6f2e-3c1d-4e8a-9f7b-2a6d5e4c3b21", "not-a-uuid", "1234", "%00"],
    ids=["unknown-uuid", "not-a-uuid", "digits", "nul"],
)
def test_unknown_or_malformed_id_is_a_clear_404_page(client, value):
    response = client.get(f"/verify/{value}/", HTTP_ACCEPT_LANGUAGE="en")
    if value == "%00":  # a NUL byte is refused before any view (capitalis.core.middleware)
        assert response.status_code == 400
        return
    assert response.status_code == 404
    assert 'data-verdict="not-found"' in response.content.decode()


def test_paste_form_verdicts_for_each_bad_input(client, issued):
    iss, block, cert = issued
    before = (Credential.objects.count(), AuditEvent.objects.count())
    good = _paste(client, cert.document)
    assert good.context["result"].authentic and good.context["result"].current

    forged = copy.deepcopy(cert.document)
    forged["credentialSubject"]["identifier"][1]["identityHash"] = "Quelqu'un d'autre"
    response = _paste(client, forged)
    assert not response.context["result"].authentic
    assert "bad_signature" in _codes(response)
    assert "altered" in _codes(response)

    truncated = json.dumps(cert.document)[:500]
    response = _paste(client, truncated)
    assert _codes(response) == {"malformed"}

    wrong_sig = copy.deepcopy(cert.document)
    wrong_sig["proof"][0]["proofValue"] = block.document["proof"][0]["proofValue"]
    assert "bad_signature" in _codes(_paste(client, wrong_sig))

    # signed by another did:key: a sound proof, but not ours
    other = keys.IssuerKey(
        private_key=(pk := Ed25519PrivateKey.generate()),
        did=keys.did_key(pk.public_key()),
        verification_method=f"{keys.did_key(pk.public_key())}#{keys.public_key_multibase(pk.public_key())}",
        public_key_multibase=keys.public_key_multibase(pk.public_key()),
    )
    unsigned = {k: v for k, v in cert.document.items() if k != "proof"}
    unsigned["issuer"] = {**unsigned["issuer"], "id": other.did}
    response = _paste(client, signing.sign(unsigned, other, "2026-01-01T00:00:00Z"))
    assert _codes(response) == {"not_ours"}

    # an issuer whose key cannot be resolved (a did:web we do not know)
    unknown = copy.deepcopy(cert.document)
    unknown["issuer"]["id"] = "did:web:ailleurs.example"
    unknown["proof"][0]["verificationMethod"] = "did:web:ailleurs.example#key-1"
    response = _paste(client, unknown, lang="fr")
    assert "unknown_issuer" in _codes(response)
    assert "clé" in response.content.decode()  # the reason in French

    services.credential_revoke(credential=cert, actor=iss.w.president, reason="Fraude")
    response = _paste(client, cert.document)
    result = response.context["result"]
    assert result.authentic and not result.current and _codes(response) == {"revoked"}
    # verifying changed nothing (besides the revocation we made)
    assert Credential.objects.count() == before[0]
    assert AuditEvent.objects.count() == before[1] + 1


def test_status_list_and_did_document(client, issued, settings):
    _iss, block, _cert = issued
    url = block.document["credentialStatus"]["statusListCredential"]
    path = url.removeprefix(settings.PUBLIC_BASE_URL)
    response = client.get(path, HTTP_ACCEPT="application/vc+ld+json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    signed = response.json()
    assert signed["id"] == url and signing.verify(signed) == []
    assert client.get("/credentials/status/nope/").status_code == 404
    assert client.get("/.well-known/did.json").status_code == 404  # did:key issuer
    settings.CREDENTIALS_DID_WEB_DOMAIN = "certif.example.test"
    doc = client.get("/.well-known/did.json").json()
    assert doc["id"] == "did:web:certif.example.test"


def test_rate_limit(client, settings):
    settings.VERIFY_RATE_PER_MINUTE = 3
    codes = [client.get(f"/verify/{uuid.uuid4()}/").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_learner_page_downloads_and_other_learners_get_404(client, issued):
    iss, block, cert = issued
    client.force_login(iss.w.enrolments[0].learner.user)
    page = client.get("/credentials/mine/")
    assert page.status_code == 200
    assert f"/verify/{cert.public_id}/" in page.content.decode()
    download = client.get(f"/credentials/c/{block.public_id}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/ld+json"
    assert json.loads(download.content)["id"] == f"urn:uuid:{block.public_id}"
    client.force_login(iss.w.enrolments[1].learner.user)
    assert client.get(f"/credentials/c/{block.public_id}/download/").status_code == 404


def test_staff_page_issue_and_revoke_needs_a_reason(client, settings):
    iss = deliberated()
    client.force_login(iss.w.president)
    page = client.get(f"/credentials/sessions/{iss.session.pk}/")
    assert page.status_code == 200
    client.post(f"/credentials/sessions/{iss.session.pk}/issue/")
    # a: 3 blocks + certification; b: 1 block; c: nothing
    assert Credential.objects.filter(session=iss.session).count() == 5
    credential = Credential.objects.filter(kind="block").first()
    response = client.post(
        f"/credentials/c/{credential.public_id}/action/",
        {"action": "revoke", "reason": ""},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "Give the reason" in response.content.decode()
    credential.refresh_from_db()
    assert credential.revoked_at is None
    client.force_login(iss.w.enrolments[2].learner.user)
    assert client.get(f"/credentials/sessions/{iss.session.pk}/").status_code == 404


def test_a_pdf_document_page_shows_its_summary_in_the_language(client, issued):
    from django.utils import timezone

    from capitalis.credentials.models import IssuedDocument

    _iss, _block, cert = issued
    document = IssuedDocument.objects.create(
        learner=cert.learner,
        version=cert.version,
        session=cert.session,
        awarded_on=cert.awarded_on,
        issued_at=timezone.now(),
        issuance_key="doc:certificate:test:fr",
        kind="certificate",
        pdf="credentials/documents/none.pdf",
        sha256="ab" * 32,
        summary={
            "holder": "Apprenant 00",
            "title_fr": "Expert en essais",
            "title_en": "Expert in trials",
            "code": "RNCP99999",
            "level": "7",
            "blocks": [{"code": "V2BC01", "title_fr": "Bloc 1", "title_en": "Block 1"}],
            "awarded_on": "2025-07-01",
            "session": "Jury juillet",
            "kind_label_fr": "Certificat",
            "kind_label_en": "Certificate",
        },
    )
    page = client.get(f"/verify/{document.public_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-verdict="authentic"' in page and "Expert in trials" in page and "ab" * 32 in page
    page = client.get(f"/verify/{document.public_id}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Expert en essais" in page and "Certificat" in page
    document.revoked_at = timezone.now()
    document.save()
    page = client.get(f"/verify/{document.public_id}/").content.decode()
    assert 'data-verdict="revoked"' in page


def test_list_pages_query_count_does_not_grow(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from capitalis.credentials import tasks

    iss = deliberated(learners=3)
    tasks.issue_session_credentials(iss.session.pk)
    client.force_login(iss.w.president)
    url = f"/credentials/sessions/{iss.session.pk}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    small = count()
    more = deliberated_more(iss)
    assert Credential.objects.filter(session=iss.session).count() > more
    assert count() == small


def deliberated_more(iss) -> int:
    """Three more certified learners' credentials in the same session (rows copied with new
    keys and indexes: the page's query count must not depend on the row count)."""
    rows = list(Credential.objects.filter(session=iss.session))
    before = len(rows)
    for n, row in enumerate(rows):
        row.pk = None
        row.public_id = uuid.uuid4()
        row.issuance_key = f"{row.issuance_key}-copy{n}"
        row.status_index = row.status_index + 7 + n if row.status_index < 100_000 else n
        row.save()
    return before
