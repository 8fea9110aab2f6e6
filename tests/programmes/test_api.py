"""The catalogue and fee API through the HTTP layer, every response validated against the
served OpenAPI schema; list query counts do not grow with the catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openapi_core import OpenAPI

from tests.programmes.builders import PROGRAMME, build_catalogue
from tests.referential.test_api import get_validated

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/programmes/programmes/",
    "/api/programmes/programmes/{code}/",
    "/api/programmes/editions/",
    "/api/programmes/editions/{id}/",
    "/api/programmes/campuses/",
    "/api/programmes/campuses/{code}/",
    "/api/programmes/courses/",
    "/api/programmes/courses/{id}/",
    "/api/finance/fee-schedules/",
    "/api/finance/fee-quote/",
]


def get(client: Client, openapi: OpenAPI, path: str, language: str = "en") -> Any:
    return get_validated(client, openapi, path, **{"accept-language": language})


def test_schema_lists_every_path(served_schema: dict[str, Any]) -> None:
    paths = served_schema["paths"]
    assert [p for p in PATHS if p not in paths] == []


def test_programmes_with_years_and_specialisations(client: Client, openapi: OpenAPI) -> None:
    build_catalogue()
    body = get(client, openapi, "/api/programmes/programmes/").json()
    assert body["count"] == 1
    [programme] = body["results"]
    assert programme["code"] == PROGRAMME
    assert programme["certification"] == "RNCP99999"
    assert [y["code"] for y in programme["years"]] == ["MSC1", "MSC2"]
    assert [s["block"] for s in programme["specialisations"]] == ["V2BC03", "V2BC04"]
    assert programme["title"] == "MSc Expert in testing"
    french = get(client, openapi, f"/api/programmes/programmes/{PROGRAMME}/", "fr").json()
    assert french["title"] == "MSc Expert en essais"


def test_editions_with_offerings_filtered_by_programme(client: Client, openapi: OpenAPI) -> None:
    build_catalogue(editions=2)
    body = get(client, openapi, f"/api/programmes/editions/?programme={PROGRAMME}").json()
    assert [e["code"] for e in body["results"]] == ["2024-25", "2026-27"]
    first = body["results"][0]
    assert {
        "campus": "CAMPUS0",
        "year": "MSC1",
        "specialisation": "SPE1",
        "track": "work_study",
    } in first["offerings"]
    one = get(client, openapi, f"/api/programmes/editions/{first['id']}/").json()
    assert one["code"] == "2024-25"
    assert get(client, openapi, "/api/programmes/editions/?programme=NOPE").json()["count"] == 0


def test_campuses(client: Client, openapi: OpenAPI) -> None:
    build_catalogue()
    body = get(client, openapi, "/api/programmes/campuses/").json()
    assert [c["code"] for c in body["results"]] == ["CAMPUS0", "CAMPUS1"]
    assert get(client, openapi, "/api/programmes/campuses/CAMPUS1/").json()["city"] == "Ville 1"


def test_courses_with_ects_and_competencies(client: Client, openapi: OpenAPI) -> None:
    build_catalogue(editions=2)
    body = get(
        client, openapi, f"/api/programmes/courses/?edition=2026-27&programme={PROGRAMME}"
    ).json()
    assert body["count"] == 4
    course = body["results"][0]
    assert course["code"] == "E1Y1C0"
    assert course["edition"] == "2026-27"
    assert course["ects"] == "7.5"
    assert course["specialisation"] is None
    assert course["teaching_methods"] == ["tutorials", "e_learning"]
    roles = {(link["role"], link["block"], link["competency"]) for link in course["competencies"]}
    assert ("assesses", "V2BC01", "C1") in roles
    assert ("develops", "V2BC01", "C2") in roles
    one = get(client, openapi, f"/api/programmes/courses/{body['results'][1]['id']}/", "fr").json()
    assert one["specialisation"] == "SPE2"
    assert one["title"] == "Cours 1 année 1"


def test_courses_filtered_by_year_and_a_bad_year_is_refused(
    client: Client, openapi: OpenAPI
) -> None:
    build_catalogue(editions=2)
    url = f"/api/programmes/courses/?edition=2026-27&programme={PROGRAMME}"
    second = get(client, openapi, f"{url}&year=MSC2").json()
    assert second["count"] == 2
    assert {c["year"] for c in second["results"]} == {"MSC2"}
    for bad in ("NOPE", "", "x" * 500):
        answer = client.get(f"{url}&year={bad}", HTTP_ACCEPT_LANGUAGE="en")
        assert answer.status_code == 400, bad
        assert answer.json()["year"][0].startswith("Unknown year")


@pytest.mark.parametrize(
    ("path", "language", "detail"),
    [
        ("/api/programmes/programmes/NOPE/", "en", "No programme has this code."),
        ("/api/programmes/campuses/NOPE/", "en", "No campus has this code."),
        ("/api/programmes/editions/999999/", "en", "No edition has this identifier."),
        ("/api/programmes/courses/999999/", "en", "No course has this identifier."),
    ],
)
def test_unknown_object_is_404(
    client: Client, openapi: OpenAPI, path: str, language: str, detail: str
) -> None:
    build_catalogue()
    response = get(client, openapi, path, language)
    assert response.status_code == 404
    assert response.json()["detail"] == detail


def test_fee_schedules(client: Client, openapi: OpenAPI) -> None:
    build_catalogue(editions=2)
    body = get(
        client, openapi, f"/api/finance/fee-schedules/?programme={PROGRAMME}&academic_year=2026-27"
    ).json()
    assert [(s["academic_year"], s["track"], s["tuition"]) for s in body["results"]] == [
        ("2026-27", "initial", "9990.00"),
        ("2026-27", "work_study", "10950.00"),
    ]
    assert body["results"][1]["third_party_pays"] is True


def test_fee_quote_initial_learner(client: Client, openapi: OpenAPI) -> None:
    build_catalogue()
    body = get(
        client,
        openapi,
        f"/api/finance/fee-quote/?programme={PROGRAMME}&academic_year=2024-25&track=initial",
    ).json()
    assert body["payer"] == "learner"
    assert (body["total"], body["deposit"], body["learner_remainder"]) == (
        "9990.00",
        "1100.00",
        "8890.00",
    )
    assert [line["kind"] for line in body["lines"]] == [
        "application_fee",
        "tuition",
        "deposit",
        "cvec",
    ]
    assert body["lines"][2]["amount"] == "-1100.00"
    assert body["lines"][3]["billed"] is False
    assert body["reasons"] == [
        "A booking deposit of 1100.00 € is paid first and deducted from the tuition."
    ]


def test_fee_quote_work_study_in_french(client: Client, openapi: OpenAPI) -> None:
    build_catalogue()
    body = get(
        client,
        openapi,
        f"/api/finance/fee-quote/?programme={PROGRAMME}&academic_year=2024-25&track=work_study&payer=opco",
        "fr",
    ).json()
    assert body["learner_remainder"] == "0.00"
    assert body["total"] == "10950.00"
    assert body["lines"][1]["payer"] == "opco"
    assert len(body["reasons"]) == 1


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("academic_year=2024-25&track=work_study&payer=learner", 400, "payer_not_allowed"),
        ("academic_year=2024-25&track=mixed", 400, "track"),
        ("academic_year=2024-25&track=initial&payer=bank", 400, "payer"),
        ("academic_year=1999-00&track=initial", 404, "not_found"),
    ],
)
def test_fee_quote_errors(
    client: Client, openapi: OpenAPI, query: str, status: int, code: str
) -> None:
    build_catalogue()
    response = get(client, openapi, f"/api/finance/fee-quote/?programme={PROGRAMME}&{query}")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/programmes/programmes/",
        "/api/programmes/editions/",
        "/api/programmes/campuses/",
        "/api/programmes/courses/",
        "/api/finance/fee-schedules/",
    ],
)
def test_list_query_count_does_not_grow(client: Client, path: str) -> None:
    build_catalogue(editions=1, campuses=1, courses=2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    build_catalogue(editions=2, campuses=3, courses=6, certification="RNCP88888", code="AAA")
    with CaptureQueriesContext(connection) as large:
        response = client.get(path)
    assert response.status_code == 200
    assert response.json()["count"] > 1
    assert len(large) == len(small), (len(small), len(large))
