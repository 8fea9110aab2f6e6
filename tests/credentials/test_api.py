"""Credentials API: a learner lists only her own (another's → 404), staff scoped to their
sessions, fetch as JSON-LD, verify (anonymous allowed, reason codes and texts), revoke (reason
required, the right role); schema generated."""

from __future__ import annotations

import copy

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation
from rest_framework.test import APIClient

from capitalis.credentials import services
from capitalis.credentials.models import Credential
from tests.credentials.issuance_world import TEST_KEY, deliberated, signing_key  # noqa: F401
from tests.jury.builders import person
from tests.shared_db import built_once

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key")]


@pytest.fixture(scope="module")
def _issued_once(django_db_setup, django_db_blocker):
    """The deliberated session and three credentials (learner a's block and certification,
    learner b's block), built once for the module (tests.shared_db) with the test signing key:
    each test runs in its own savepoint, rolled back after it."""

    def build():
        iss = deliberated()
        block = services.credential_issue_block(iss.validations(0)[0])
        cert = services.credential_issue_certification(iss.decision(0))
        other = services.credential_issue_block(iss.validations(1)[0])
        return iss, [block.pk, cert.pk, other.pk]

    with (
        override_settings(
            CREDENTIALS_SIGNING_KEY=TEST_KEY,
            CREDENTIALS_DID_WEB_DOMAIN="",
            PUBLIC_BASE_URL="https://certif.example.test",
        ),
        translation.override(settings.LANGUAGE_CODE),
        built_once(django_db_blocker, build) as built,
    ):
        yield built


@pytest.fixture
def issued(_issued_once):
    cache.clear()
    iss, pks = _issued_once
    return (iss, *(Credential.objects.get(pk=pk) for pk in pks))


def test_learner_sees_only_her_own(issued):
    iss, block, cert, other = issued
    api = APIClient()
    api.force_authenticate(iss.w.enrolments[0].learner.user)
    listed = api.get("/api/credentials/").json()
    assert {r["public_id"] for r in listed["results"]} == {
        str(block.public_id),
        str(cert.public_id),
    }
    fetched = api.get(f"/api/credentials/{cert.public_id}/")
    assert fetched.status_code == 200 and fetched.json() == cert.document
    assert api.get(f"/api/credentials/{other.public_id}/").status_code == 404
    assert api.get("/api/credentials/not-a-uuid/").status_code == 404
    # a learner cannot revoke, even her own: 403 and nothing changes
    response = api.post(f"/api/credentials/{block.public_id}/revoke/", {"reason": "x"})
    assert response.status_code == 403
    block.refresh_from_db()
    assert block.revoked_at is None


def test_staff_scoped_and_revoke_needs_a_reason(issued):
    iss, block, _cert, _other = issued
    stranger = person("stranger@example.org", "Personne")
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.get("/api/credentials/").json()["results"] == []
    assert api.get(f"/api/credentials/{block.public_id}/").status_code == 404
    api.force_authenticate(iss.w.member)
    assert len(api.get("/api/credentials/").json()["results"]) == 3
    api.force_authenticate(iss.w.president)
    response = api.post(
        f"/api/credentials/{block.public_id}/revoke/", {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    block.refresh_from_db()
    assert block.revoked_at is None
    response = api.post(f"/api/credentials/{block.public_id}/revoke/", {"reason": "Erreur"})
    assert response.status_code == 200 and response.json()["revoked_at"]


def test_verify_anonymous_with_reason_codes(issued):
    _iss, block, _cert, _other = issued
    api = APIClient()
    ok = api.post("/api/credentials/verify/", {"credential": block.document}, format="json")
    assert ok.status_code == 200
    assert ok.json()["authentic"] is True and ok.json()["current"] is True
    forged = copy.deepcopy(block.document)
    forged["name"] = "Autre chose"
    bad = api.post(
        "/api/credentials/verify/",
        {"credential": forged},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    assert bad["authentic"] is False
    codes = {r["code"] for r in bad["reasons"]}
    assert {"bad_signature", "altered"} <= codes
    assert all(r["text"] for r in bad["reasons"])
    assert Credential.objects.count() == 3


def test_verify_is_rate_limited(issued, settings):
    settings.VERIFY_RATE_PER_MINUTE = 2
    cache.clear()
    api = APIClient()
    codes = [
        api.post("/api/credentials/verify/", {"credential": {}}, format="json").status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_schema_lists_the_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert "/api/credentials/verify/" in paths
    assert "/api/credentials/{public_id}/revoke/" in paths


def test_list_query_count_does_not_grow(issued):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.credentials.test_verify_pages import deliberated_more

    iss, *_rest = issued
    api = APIClient()
    api.force_authenticate(iss.w.director)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/credentials/").status_code == 200
        return len(ctx)

    small = count()
    deliberated_more(iss)
    assert count() == small


@pytest.mark.parametrize("reason", [None, "", "   ", "\t\n", 42, ["x"], {"text": "x"}])
def test_revoke_refuses_a_null_empty_or_blank_reason_and_changes_nothing(issued, reason):
    """``{"reason": null}`` used to revoke with the text "None" as its reason."""
    iss, block, _cert, _other = issued
    api = APIClient()
    api.force_authenticate(iss.w.president)
    for language, text in (("en", "Give the reason"), ("fr", "motif")):
        response = api.post(
            f"/api/credentials/{block.public_id}/revoke/",
            {"reason": reason},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "reason_required"
        assert text in response.json()["detail"]
    block.refresh_from_db()
    assert block.revoked_at is None and block.revocation_reason == ""
