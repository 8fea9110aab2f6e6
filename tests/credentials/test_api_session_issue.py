"""Issuing a closed session's credentials through the API (POST
/api/credentials/sessions/<id>/issue/), as the session page does: the president or a programme
director, once the session is closed; idempotent; anyone else gets 404."""

from __future__ import annotations

import pytest
from openapi_core import OpenAPI
from rest_framework.test import APIClient

from capitalis.credentials.models import Credential
from tests.credentials.issuance_world import deliberated, signing_key  # noqa: F401
from tests.openapi_checks import answer_validated
from tests.referential.test_api import openapi  # noqa: F401

pytestmark = pytest.mark.django_db


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _issue(client: APIClient, openapi: OpenAPI, pk: int):  # noqa: F811
    path = f"/api/credentials/sessions/{pk}/issue/"
    return answer_validated(openapi, path, client.post(path))


def test_the_president_issues_once(openapi, signing_key) -> None:  # noqa: F811
    iss = deliberated()
    first = _issue(_as(iss.w.president), openapi, iss.session.pk)
    assert first.status_code == 202 and first["Location"] == first.json()["api_url"]
    total = Credential.objects.filter(session=iss.session).count()
    assert first.json()["status"] == "done" and total > 0
    assert first.json()["result"]["credentials_issued"] == total
    again = _issue(_as(iss.w.president), openapi, iss.session.pk)
    assert again.status_code == 202 and again.json()["result"]["credentials_issued"] == 0
    assert Credential.objects.filter(session=iss.session).count() == total


def test_an_open_session_is_refused_and_others_get_404(openapi, signing_key) -> None:  # noqa: F811
    iss = deliberated(close=False)
    refused = _issue(_as(iss.w.president), openapi, iss.session.pk)
    assert refused.status_code == 409 and refused.json()["code"] == "not_frozen"
    learner = iss.w.enrolments[0].learner.user
    assert _issue(_as(learner), openapi, iss.session.pk).status_code == 404
    assert _issue(_as(iss.w.president), openapi, 987654).status_code == 404
    assert not Credential.objects.exists()
