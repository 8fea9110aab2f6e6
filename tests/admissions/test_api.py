"""The applications API through HTTP, validated against the served OpenAPI schema: scoped
reads (someone else's application → 404), a draft created and submitted, documents checked
from their content, a refused move → 400 translated, two staff at once → 409."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openapi_core import OpenAPI

from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions.models import Application, ApplicationDocument
from tests.admissions.builders import PDF, PNG, build_world, candidate, draft, staff
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db
BASE = "/api/admissions/applications/"


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _validate(openapi: OpenAPI, method: str, path: str, response: Any) -> None:
    answer_validated(openapi, path, response, method)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_schema_has_the_paths(served_schema: dict[str, Any]) -> None:
    paths = served_schema["paths"]
    for path in (
        BASE,
        BASE + "{id}/",
        BASE + "{id}/submit/",
        BASE + "{id}/transition/",
        BASE + "{id}/documents/",
    ):
        assert path in paths


def test_a_candidate_applies_through_the_api(openapi: OpenAPI) -> None:
    world = build_world()
    who = candidate()
    client = _client(who)
    body = {
        "edition": world.edition.pk,
        "year": world.msc1.pk,
        "campus": world.campus.pk,
        "track": "initial",
        "specialisation": world.spec.pk,
        "english_level": "C1",
        "prior_degrees": [
            {"title": "Licence", "level": "bachelor", "ects": 180, "field": "law", "country": "FR"}
        ],
    }
    response = client.post(BASE, body, content_type="application/json")
    assert response.status_code == 201, response.content
    _validate(openapi, "post", BASE, response)
    pk = response.json()["id"]
    for kind in ("cv", "transcript", "motivation"):
        response = client.post(
            f"{BASE}{pk}/documents/", {"kind": kind, "file": _file(PDF, f"{kind}.pdf")}
        )
        assert response.status_code == 201, response.content
    assert response.json()["sha256"] == ApplicationDocument.objects.last().sha256
    response = client.post(
        f"{BASE}{pk}/submit/", {"expected_version": 0}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    _validate(openapi, "post", f"{BASE}{pk}/submit/", response)
    data = response.json()
    assert data["status"] == "eligible"
    assert [(o["code"], o["passed"]) for o in data["eligibility"]] == [
        ("FIELD-MSC1", True),
        ("ECTS-180", True),
        ("ENGLISH-B2", True),
    ]
    response = client.get(f"{BASE}{pk}/", headers={"accept-language": "en"})
    _validate(openapi, "get", f"{BASE}{pk}/", response)
    assert response.json()["eligibility"][2]["reason"] == "English level C1; B2 required."


def _file(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_ects_not_a_number_is_a_translated_400(openapi: OpenAPI) -> None:
    world = build_world()
    client = _client(candidate())
    body = {
        "edition": world.edition.pk,
        "year": world.msc1.pk,
        "campus": world.campus.pk,
        "track": "initial",
        "prior_degrees": [
            {"title": "L", "level": "bachelor", "ects": "abc", "field": "law", "country": "FR"}
        ],
    }
    response = client.post(
        BASE, body, content_type="application/json", headers={"accept-language": "fr"}
    )
    assert response.status_code == 400
    assert response.json()["prior_degrees"]["0"]["ects"] == ["L’ECTS doit être un nombre entier."]
    assert not Application.objects.exists()


def test_a_png_named_pdf_is_refused_by_the_api() -> None:
    world = build_world()
    who = candidate()
    application = draft(world, who, documents=False)
    response = _client(who).post(
        f"{BASE}{application.pk}/documents/",
        {"kind": "cv", "file": _file(PNG, "cv.pdf")},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "extension_mismatch"
    assert not ApplicationDocument.objects.exists()


def test_someone_elses_application_is_not_found(openapi: OpenAPI) -> None:
    world = build_world()
    alice, bea = candidate("alice@example.org"), candidate("bea@example.org")
    theirs = draft(world, bea, documents=False)
    client = _client(alice)
    response = client.get(f"{BASE}{theirs.pk}/")
    assert response.status_code == 404
    _validate(openapi, "get", f"{BASE}{theirs.pk}/", response)
    assert client.get(BASE).json()["count"] == 0
    response = client.post(
        f"{BASE}{theirs.pk}/submit/", {"expected_version": 0}, content_type="application/json"
    )
    assert response.status_code == 404
    # an officer of another campus does not see it either; one of its campus does
    far = staff("far@example.org", Role.ADMISSIONS_OFFICER, ScopeKind.CAMPUS, world.other_campus.pk)
    assert _client(far).get(f"{BASE}{theirs.pk}/").status_code == 404
    here = staff("here@example.org", Role.ADMISSIONS_OFFICER, ScopeKind.CAMPUS, world.campus.pk)
    assert _client(here).get(f"{BASE}{theirs.pk}/").status_code == 200


def test_refused_move_is_400_and_concurrent_decision_is_409(openapi: OpenAPI) -> None:
    from capitalis.admissions import services

    world = build_world()
    who = candidate()
    application = services.application_submit(
        application=draft(world, who, ects=60), actor_user=who, expected_version=0
    )
    assert application.status == "ineligible"
    officer = staff("o@example.org", Role.ADMISSIONS_OFFICER)
    client = _client(officer)
    url = f"{BASE}{application.pk}/transition/"
    response = client.post(
        url,
        {"target": "admitted", "expected_version": application.version},
        content_type="application/json",
        headers={"accept-language": "fr"},
    )
    assert response.status_code == 400
    _validate(openapi, "post", url, response)
    assert response.json()["detail"] == (
        "Une candidature ne peut pas passer de « inéligible » à « admis »."
    )
    body = {"target": "manual_review", "expected_version": application.version, "note": "DE"}
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 200
    assert first.json()["status"] == "manual_review"
    second = _client(staff("o2@example.org", Role.ADMISSIONS_OFFICER)).post(
        url, body, content_type="application/json", headers={"accept-language": "en"}
    )
    assert second.status_code == 409
    _validate(openapi, "post", url, second)
    assert "changed by someone else meanwhile" in second.json()["detail"]
