"""The applications API and the candidate's degrees (SPEC §3): a nested list she adds to
(POST …/degrees/, or in a draft's body without ``id``), changes (with ``id``) and removes from
(DELETE …/degrees/{id}/, the only way a degree goes); a PATCH of another field never touches
them; a draft saves half-filled; only an edition open to applications is accepted. Answers
validated against the served schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from openapi_core import OpenAPI

from capitalis.admissions.models import Application, PriorDegree
from capitalis.programmes.models import Edition, Offering
from tests.admissions.builders import build_world, candidate, draft
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db
BASE = "/api/admissions/applications/"


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _json(client: Client, method: str, url: str, body: Any = None, **kw: Any) -> Any:
    return getattr(client, method)(url, body, content_type="application/json", **kw)


def test_patch_of_another_field_never_touches_the_degrees(openapi: OpenAPI) -> None:
    world = build_world()
    who = candidate()
    application = draft(world, who, documents=False)
    client = _client(who)
    url = f"{BASE}{application.pk}/"
    added = _json(
        client,
        "post",
        f"{url}degrees/",
        {"title": "Master 1", "level": "master1", "ects": 60, "field": "economics"},
    )
    assert added.status_code == 201, added.content
    answer_validated(openapi, f"{url}degrees/", added, "post")
    response = _json(client, "patch", url, {"english_level": "C1"})
    assert response.status_code == 200, response.content
    answer_validated(openapi, url, response, "patch")
    data = response.json()
    assert data["english_level"] == "C1"
    assert sorted((d["title"], d["ects"]) for d in data["prior_degrees"]) == [
        ("Licence", 180),
        ("Master 1", 60),
    ]
    # a degree changed by id: the other stays as it was
    first = PriorDegree.objects.get(title="Licence")
    response = _json(client, "patch", url, {"prior_degrees": [{"id": first.pk, "ects": 190}]})
    assert response.status_code == 200, response.content
    assert sorted(PriorDegree.objects.values_list("title", "ects")) == [
        ("Licence", 190),
        ("Master 1", 60),
    ]


def test_a_degree_is_removed_only_by_its_delete(openapi: OpenAPI) -> None:
    world = build_world()
    who = candidate()
    application = draft(world, who, documents=False)
    degree = application.prior_degrees.get()
    client = _client(who)
    url = f"{BASE}{application.pk}/degrees/{degree.pk}/"
    response = client.delete(url)
    assert response.status_code == 204
    assert not PriorDegree.objects.exists()
    response = client.delete(url, headers={"accept-language": "en"})
    assert response.status_code == 404
    # someone else cannot remove hers
    again = draft(world, candidate("other@example.org"), documents=False)
    theirs = again.prior_degrees.get()
    response = client.delete(f"{BASE}{again.pk}/degrees/{theirs.pk}/")
    assert response.status_code == 404
    assert PriorDegree.objects.filter(pk=theirs.pk).exists()


def test_a_half_filled_draft_saves_and_submission_says_what_is_missing() -> None:
    world = build_world()
    who = candidate()
    client = _client(who)
    body = {
        "edition": world.edition.pk,
        "year": world.msc1.pk,
        "campus": world.campus.pk,
        "track": "initial",
        "prior_degrees": [{"title": "Licence d'histoire"}],
    }
    response = _json(client, "post", BASE, body)
    assert response.status_code == 201, response.content
    (degree,) = response.json()["prior_degrees"]
    assert (degree["title"], degree["ects"], degree["field"]) == ("Licence d'histoire", None, "")
    pk = response.json()["id"]
    response = _json(
        client,
        "post",
        f"{BASE}{pk}/submit/",
        {"expected_version": 0},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "incomplete"
    assert "degree 1: the level, the ECTS, the field, the country" in response.json()["detail"]


def test_an_edition_closed_to_applications_is_refused() -> None:
    world = build_world()
    past = Edition.objects.create(
        programme=world.programme,
        code="2022-23",
        label="2022/23",
        start_date=dt.date(2022, 9, 1),
        end_date=dt.date(2023, 8, 31),
    )
    Offering.objects.create(
        edition=past,
        campus=world.campus,
        year=world.msc1,
        specialisation=world.spec,
        track="initial",
    )
    body = {
        "edition": past.pk,
        "year": world.msc1.pk,
        "campus": world.campus.pk,
        "track": "initial",
    }
    response = _json(_client(candidate()), "post", BASE, body, headers={"accept-language": "fr"})
    assert response.status_code == 400
    assert response.json()["code"] == "applications_closed"
    assert response.json()["detail"].startswith(
        "Les candidatures à l’édition 2022/23 sont ouvertes"
    )
    assert not Application.objects.exists()
