"""The requests the audit sent to the running app (DEBUG off), each of which answered 500: a
non-numeric id in an API path, ``?limit=`` past bigint, a NUL byte in a path, query or form
value, a deeply nested or oversized JSON body. Each is now a 4xx with a translated message (the
API's as ``{detail, code}``) and changes nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.programmes.builders import build_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def catalogue(settings):
    settings.DEBUG = False
    return build_catalogue(editions=1, campuses=1, courses=2)


def test_a_non_numeric_id_in_an_api_path_is_a_404(client: Client, catalogue) -> None:
    for url in ("/api/programmes/courses/abc/", "/api/programmes/editions/abc/"):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/programmes/courses/99999999999999999999/").status_code == 404


def test_limit_and_offset_past_bigint_are_bounded(client: Client, catalogue, settings) -> None:
    settings.API_MAX_PAGE_SIZE = 1
    big = "99999999999999999999"
    response = client.get(f"/api/programmes/courses/?limit={big}")
    assert response.status_code == 200
    assert response.json()["count"] > 1 and len(response.json()["results"]) == 1
    response = client.get(f"/api/programmes/courses/?limit=1&offset={big}")
    assert response.status_code == 200 and response.json()["results"] == []
    response = client.get("/api/programmes/courses/?limit=-3&offset=-1")
    assert response.status_code == 200 and len(response.json()["results"]) == 1


@pytest.mark.parametrize(
    "url", ["/results/%00/", "/results/?edition=%00", "/verify/a%00b/", "/results/?x%00=1"]
)
def test_a_nul_byte_in_a_page_path_or_query_is_a_400(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_byte_in_the_api_is_a_400_with_detail_and_code(client: Client) -> None:
    response = client.get("/api/programmes/courses/?edition=%00")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    french = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/api/programmes/courses/?q=%00")
    assert french.json()["detail"] == (
        "La requête contient un caractère NUL, qui n'est pas autorisé."
    )


def test_a_nul_byte_in_a_form_field_is_a_400(client: Client) -> None:
    response = client.post("/accounts/login/", {"username": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400


def _verify(client: Client, body: bytes) -> object:
    return client.post("/api/credentials/verify/", body, content_type="application/json")


def test_a_deeply_nested_json_body_is_a_400(client: Client) -> None:
    for body in (b"[" * 5000 + b"]" * 5000, b'{"a":' * 40 + b"1" + b"}" * 40):
        response = _verify(client, body)
        assert response.status_code == 400  # type: ignore[attr-defined]
        assert response.json() == {  # type: ignore[attr-defined]
            "detail": "The JSON body is nested more than 32 levels deep.",
            "code": "json_too_deep",
        }
    shallow = _verify(client, json.dumps({"credential": {"a": [[1]]}}).encode())
    assert shallow.status_code != 500  # type: ignore[attr-defined]


def test_an_oversized_or_hostile_json_body_is_a_400(client: Client, settings) -> None:
    settings.API_JSON_MAX_BYTES = 1000
    response = _verify(client, json.dumps({"credential": "x" * 2000}).encode())
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert response.json()["code"] == "body_too_large"  # type: ignore[attr-defined]
    response = _verify(client, b'{"credential": "a\\u0000b"}')
    assert response.json()["code"] == "nul_character"  # type: ignore[attr-defined]
    response = _verify(client, b'{"credential": NaN}')
    assert response.json()["code"] == "json_invalid"  # type: ignore[attr-defined]
    response = _verify(client, b"{not json")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert response.json()["code"] == "json_invalid"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("abc", None),
        ("²", None),
        ("99999999999999999999", None),
        ("9223372036854775807", 2**63 - 1),
        ("0", None),
        ("-3", None),
        (None, None),
        ("1e3", None),
    ],
)
def test_parse_id_reads_only_ids_that_fit_in_bigint(value: object, expected: int | None) -> None:
    from capitalis.core.params import parse_id

    assert parse_id(value) == expected
