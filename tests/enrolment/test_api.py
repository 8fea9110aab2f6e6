"""The enrolment API through the HTTP layer, validated against the served OpenAPI schema:
scoped reads (a tutor sees only his apprentices, 404 on others), enrol with a contract, bad
SIRET → 400 with nothing saved, transitions, re-enrolment, termination, internships; list query
counts do not grow with rows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openapi_core import OpenAPI

from capitalis.enrolment import services
from capitalis.enrolment.models import Contract, Enrolment
from capitalis.programmes.models import Track
from tests.enrolment.builders import EMPLOYER_SIRET, admitted, contract_for, user, world
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db


def call(client: Client, openapi: OpenAPI, method: str, path: str, body: Any = None) -> Any:
    """Send a request and validate the response against the schema."""
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, data=json.dumps(body or {}), content_type="application/json")
    answer_validated(openapi, path, response, method)
    return response


def _login(person, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(person)
    return client


def test_schema_lists_the_enrolment_paths(served_schema: dict[str, Any]) -> None:
    paths = served_schema["paths"]
    for path in (
        "/api/enrolment/learners/",
        "/api/enrolment/enrolments/",
        "/api/enrolment/enrolments/{id}/transition/",
        "/api/enrolment/enrolments/{id}/reenrol/",
        "/api/enrolment/contracts/",
        "/api/enrolment/contracts/{id}/terminate/",
        "/api/enrolment/internships/",
    ):
        assert path in paths


def test_anonymous_is_refused(client: Client) -> None:
    assert client.get("/api/enrolment/enrolments/").status_code in (401, 403)


def test_enrol_through_the_api_and_scoped_reads(openapi: OpenAPI) -> None:
    w = world()
    app = admitted(w, "api1@example.org", track=Track.WORK_STUDY)
    staff = _login(w.coordinator)
    contract = {
        "kind": "apprenticeship",
        "employer_name": "Entreprise Fictive",
        "employer_siret": "12345678901234",
        "tutor_email": "tutor@example.org",
        "tutor_name": "Tuteur",
        "start_date": "2024-09-01",
        "end_date": "2026-08-31",
    }
    bad = call(
        staff,
        openapi,
        "post",
        "/api/enrolment/enrolments/",
        {"application": app.pk, "contract": contract},
    )
    assert bad.status_code == 400 and bad.json()["code"] == "siret_checksum"
    assert not Enrolment.objects.exists() and not Contract.objects.exists()
    contract["employer_siret"] = EMPLOYER_SIRET
    contract["end_date"] = "2025-08-31"
    short = call(
        staff,
        openapi,
        "post",
        "/api/enrolment/enrolments/",
        {"application": app.pk, "contract": contract},
    )
    assert short.status_code == 400 and short.json()["code"] == "contract_too_short"
    contract["end_date"] = "2026-08-31"
    created = call(
        staff,
        openapi,
        "post",
        "/api/enrolment/enrolments/",
        {"application": app.pk, "contract": contract},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "enrolled" and body["track"] == "work_study"
    other = services.enrolment_create_from_application(
        application=admitted(w, "api2@example.org", track=Track.WORK_STUDY),
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2, tutor=user("other-tutor@example.org")),
    )
    tutor = _login(Contract.objects.get(enrolment_id=body["id"]).tutor)
    mine = call(tutor, openapi, "get", "/api/enrolment/enrolments/").json()
    assert [e["id"] for e in mine["results"]] == [body["id"]]
    assert call(tutor, openapi, "get", f"/api/enrolment/enrolments/{other.pk}/").status_code == 404
    learners = call(tutor, openapi, "get", "/api/enrolment/learners/").json()
    assert [lr["email"] for lr in learners["results"]] == ["api1@example.org"]
    contracts = call(tutor, openapi, "get", "/api/enrolment/contracts/").json()
    assert len(contracts["results"]) == 1
    # a learner cannot read another's enrolment nor move her own
    learner = _login(other.learner.user)
    assert (
        call(learner, openapi, "get", f"/api/enrolment/enrolments/{body['id']}/").status_code == 404
    )
    moved = call(
        learner,
        openapi,
        "post",
        f"/api/enrolment/enrolments/{other.pk}/transition/",
        {"target": "withdrawn"},
    )
    assert moved.status_code == 404


def test_transition_reenrol_terminate_internship(openapi: OpenAPI) -> None:
    w = world()
    staff = _login(w.director)
    ws = services.enrolment_create_from_application(
        application=admitted(w, "api3@example.org", track=Track.WORK_STUDY),
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2),
    )
    refused = call(
        staff,
        openapi,
        "post",
        f"/api/enrolment/enrolments/{ws.pk}/transition/",
        {"target": "enrolled"},
    )
    assert refused.status_code == 400 and refused.json()["code"] == "not_in_table"
    contract = ws.contracts.get()
    ended = call(
        staff,
        openapi,
        "post",
        f"/api/enrolment/contracts/{contract.pk}/terminate/",
        {"terminated_on": "2025-02-28", "reason": "Rupture conventionnelle"},
    )
    assert ended.status_code == 200 and ended.json()["terminated_on"] == "2025-02-28"
    again = call(
        staff,
        openapi,
        "post",
        "/api/enrolment/contracts/",
        {
            "enrolment": ws.pk,
            "kind": "professionalisation",
            "employer_name": "E",
            "employer_siret": EMPLOYER_SIRET,
            "tutor_email": "boss@example.org",
            "start_date": "2025-03-01",
            "end_date": "2026-08-31",
        },
    )
    assert again.status_code == 400 and again.json()["code"] == "contract_too_short"
    reenrolled = call(
        staff,
        openapi,
        "post",
        f"/api/enrolment/enrolments/{ws.pk}/reenrol/",
        {
            "edition": w.second.code,
            "contract": {
                "kind": "apprenticeship",
                "employer_name": "E",
                "employer_siret": EMPLOYER_SIRET,
                "tutor_email": "boss@example.org",
                "start_date": "2026-09-01",
                "end_date": "2027-08-31",
            },
        },
    )
    assert reenrolled.status_code == 201, reenrolled.content
    assert reenrolled.json()["year"] == w.msc2.code and reenrolled.json()["previous"] == ws.pk
    initial = services.enrolment_create_from_application(
        application=admitted(w, "api4@example.org"), actor=w.director
    )
    payload = {
        "enrolment": initial.pk,
        "host_name": "ONG Fictive",
        "tutor_name": "Tutrice",
        "start_date": "2025-03-01",
        "end_date": "2025-05-31",
    }
    short = call(staff, openapi, "post", "/api/enrolment/internships/", payload)
    assert short.status_code == 400 and short.json()["code"] == "internship_too_short"
    payload["end_date"] = "2025-07-31"
    made = call(staff, openapi, "post", "/api/enrolment/internships/", payload)
    assert made.status_code == 201
    listed = call(staff, openapi, "get", "/api/enrolment/internships/").json()
    assert listed["count"] == 1


def test_list_query_counts_fixed() -> None:
    w = world()
    staff = _login(w.director)

    def counts() -> list[int]:
        found = []
        for path in ("enrolments", "learners", "contracts", "internships"):
            with CaptureQueriesContext(connection) as ctx:
                assert staff.get(f"/api/enrolment/{path}/").status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    services.enrolment_create_from_application(
        application=admitted(w, "q0@example.org", track=Track.WORK_STUDY),
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2, tutor=user("t0@example.org")),
    )
    before = counts()
    for n in range(1, 5):
        services.enrolment_create_from_application(
            application=admitted(w, f"q{n}@example.org", track=Track.WORK_STUDY),
            actor=w.director,
            contract=contract_for(dt.date(2024, 9, 1), 2, tutor=user(f"t{n}@example.org")),
        )
    assert counts() == before
