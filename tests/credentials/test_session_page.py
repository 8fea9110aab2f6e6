"""The staff session page offers "Revoke or reissue" (one partial, credentials/partials/
revoke_reissue.html) for each credential and each PDF still current, each posting to its own
action view with its own label/field id, translated; nothing for a revoked one."""

from __future__ import annotations

import pytest

from capitalis.credentials import services
from capitalis.credentials.services_documents import document_issue, document_revoke
from tests.credentials.documents_world import BASE_URL, documents_world
from tests.credentials.issuance_world import signing_key  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key")]


def test_revoke_or_reissue_forms_for_credentials_and_pdfs(client, settings, tmp_path):
    settings.PUBLIC_BASE_URL = BASE_URL
    settings.MEDIA_ROOT = str(tmp_path)
    docs = documents_world()
    pdf = document_issue("certificate", decision=docs.decision(0), language="fr")
    credential = services.credential_issue_certification(docs.decision(0))
    revoked = document_issue("certificate", decision=docs.decision(0), language="en")
    document_revoke(revoked, actor=docs.w.director, reason="Erreur de saisie")
    client.force_login(docs.w.director)
    html = client.get(
        f"/credentials/sessions/{docs.session.pk}/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert html.count('class="revoke-form"') == 2
    assert html.count("<summary>Révoquer ou réémettre</summary>") == 2
    assert f'action="/credentials/c/{credential.public_id}/action/"' in html
    assert f'<label for="reason-{credential.pk}">Motif (obligatoire)</label>' in html
    assert f'<textarea id="reason-{credential.pk}" name="reason" required>' in html
    assert f'action="/credentials/d/{pdf.public_id}/action/"' in html
    assert f'<textarea id="doc-reason-{pdf.pk}" name="reason" required>' in html
    assert f"/credentials/d/{revoked.public_id}/action/" not in html
