"""The référentiel REST API, through the HTTP layer, validated against the served OpenAPI schema."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openapi_core import OpenAPI

from capitalis.referential.models import (
    Activity,
    Block,
    BlockKind,
    Certification,
    CertificationRule,
    CertificationVersion,
    Competency,
    Crosswalk,
    CrosswalkEntry,
    EvaluationCriterion,
    EvaluationModality,
    VersionStatus,
)
from tests import openapi_checks
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db

# The served schema's fixture (tests.openapi_checks), also imported from here by other modules.
openapi = openapi_checks.openapi

LIST_URL = "/api/referential/certifications/"


def make_certification(code: str, *, blocks: int = 2, versions: int = 1) -> Certification:
    """A small certification: ``versions`` versions of ``blocks`` blocks, each with an
    activity, two competencies with a criterion each, and a modality."""
    cert = Certification.objects.create(
        code=code,
        title_fr=f"Titre officiel {code}",
        title_en=f"English title {code}",
        eqf_level=7,
    )
    for v in range(versions):
        version = CertificationVersion.objects.create(
            certification=cert,
            code=f"V{v + 1}",
            label_fr=f"Version {v + 1}",
            label_en=f"Version {v + 1} (en)",
            status=VersionStatus.CURRENT if v == versions - 1 else VersionStatus.EARLIER,
            position=v,
        )
        CertificationRule.objects.create(
            version=version,
            optional_blocks_required=1,
            description_fr="Tous les blocs communs et un bloc optionnel",
            description_en="All common blocks and one optional block",
        )
        for b in range(blocks):
            block = Block.objects.create(
                version=version,
                code=f"{code}BC{b + 1:02d}",
                title_fr=f"Bloc {b + 1}",
                title_en=f"Block {b + 1}",
                kind=BlockKind.COMMON if b < 2 else BlockKind.OPTIONAL,
                position=b,
            )
            activity = Activity.objects.create(
                block=block, code="A1", title_fr="Activité", title_en="Activity"
            )
            EvaluationModality.objects.create(
                block=block, code="M1", label_fr="Étude de cas", label_en="Case study"
            )
            for c in range(2):
                competency = Competency.objects.create(
                    block=block,
                    activity=activity,
                    code=f"C{c + 1}",
                    statement_fr=f"Énoncé {c + 1}",
                    statement_en="" if c else f"Statement {c + 1}",
                    position=c,
                )
                EvaluationCriterion.objects.create(
                    competency=competency, code="CR1", text_fr="Critère", text_en="Criterion"
                )
    return cert


def get_validated(client: Client, openapi: OpenAPI, path: str, **headers: str) -> Any:
    """GET ``path`` and validate the response against the served OpenAPI schema."""
    response = client.get(path, headers=headers)
    answer_validated(openapi, path, response, "get")
    return response


def test_schema_lists_both_paths(client: Client) -> None:
    schema = client.get("/api/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/referential/certifications/" in schema["paths"]
    assert "/api/referential/certifications/{code}/" in schema["paths"]


def test_docs_page_is_html(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    # Swagger UI's start-up script (served apart, Content-Security-Policy) loads the schema.
    assert b'<script src="/api/docs/?script=">' in response.content
    assert b"/api/schema/" in client.get("/api/docs/?script=").content


def test_list_is_paginated_and_valid(client: Client, openapi: OpenAPI) -> None:
    make_certification("RNCP00001")
    make_certification("RNCP00002", blocks=3, versions=2)
    response = get_validated(client, openapi, LIST_URL + "?limit=1")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["next"] is not None
    assert [c["code"] for c in body["results"]] == ["RNCP00001"]
    full = client.get(LIST_URL).json()["results"]
    second = full[1]
    assert second["version_count"] == 2
    assert second["block_count"] == 6
    assert second["url"].endswith("/api/referential/certifications/RNCP00002/")


def test_detail_nests_versions_blocks_competencies(client: Client, openapi: OpenAPI) -> None:
    make_certification("RNCP00001", blocks=3)
    response = get_validated(client, openapi, LIST_URL + "RNCP00001/")
    assert response.status_code == 200
    body = response.json()
    (version,) = body["versions"]
    assert version["rule"]["optional_blocks_required"] == 1
    assert [b["code"] for b in version["blocks"]] == [
        "RNCP00001BC01",
        "RNCP00001BC02",
        "RNCP00001BC03",
    ]
    block = version["blocks"][2]
    assert block["kind"] == "optional"
    assert block["activities"][0]["code"] == "A1"
    assert block["modalities"][0]["label_fr"] == "Étude de cas"
    competency = block["competencies"][0]
    assert competency["statement_fr"] == "Énoncé 1"
    assert competency["activity"] == "A1"
    assert competency["criteria"][0]["text_fr"] == "Critère"


def test_texts_follow_accept_language(client: Client, openapi: OpenAPI) -> None:
    make_certification("RNCP00001", blocks=1)
    fr = get_validated(client, openapi, LIST_URL + "RNCP00001/", accept_language="fr").json()
    en = get_validated(client, openapi, LIST_URL + "RNCP00001/", accept_language="en").json()
    assert fr["title"] == fr["title_fr"] == "Titre officiel RNCP00001"
    assert en["title"] == en["title_en"] == "English title RNCP00001"
    # Both languages are always present as separate fields.
    assert fr["title_en"] == en["title_en"]
    fr_block = fr["versions"][0]["blocks"][0]
    en_block = en["versions"][0]["blocks"][0]
    assert (fr_block["title"], en_block["title"]) == ("Bloc 1", "Block 1")
    # An untranslated statement falls back to the official French text.
    assert en_block["competencies"][0]["statement"] == "Statement 1"
    assert en_block["competencies"][1]["statement"] == "Énoncé 2"


def test_detail_lists_crosswalks(client: Client, openapi: OpenAPI) -> None:
    cert = make_certification("RNCP00001", blocks=2, versions=2)
    old, new = cert.versions.order_by("position")
    crosswalk = Crosswalk.objects.create(from_version=old, to_version=new, note_fr="Note")
    CrosswalkEntry.objects.create(
        crosswalk=crosswalk,
        from_block=old.blocks.get(position=0),
        to_block=new.blocks.get(position=0),
        coverage="partial",
    )
    body = get_validated(client, openapi, LIST_URL + "RNCP00001/").json()
    (cw,) = body["crosswalks"]
    assert cw["from_version"] == {"certification": "RNCP00001", "code": "V1"}
    assert cw["to_version"] == {"certification": "RNCP00001", "code": "V2"}
    assert cw["entries"] == [
        {
            "from_block": "RNCP00001BC01",
            "to_block": "RNCP00001BC01",
            "coverage": "partial",
            "note": "",
            "note_fr": "",
            "note_en": "",
        }
    ]


def test_unknown_code_is_json_404(client: Client, openapi: OpenAPI) -> None:
    response = get_validated(client, openapi, LIST_URL + "RNCP99999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_api_is_read_only(client: Client, django_user_model: Any) -> None:
    make_certification("RNCP00001", blocks=1)
    staff = django_user_model.objects.create_user(
        email="staff@example.org", password="pw-Secret-123", is_staff=True
    )
    client.force_login(staff)
    assert client.post(LIST_URL, {"code": "X"}).status_code == 405
    assert client.delete(LIST_URL + "RNCP00001/").status_code == 405
    assert Certification.objects.count() == 1


def _count_queries(client: Client, path: str) -> int:
    """How many queries one GET of ``path`` makes."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow(client: Client, django_assert_max_num_queries: Any) -> None:
    make_certification("RNCP00001", blocks=1)
    one = _count_queries(client, LIST_URL)
    for i in range(2, 12):
        make_certification(f"RNCP{i:05d}", blocks=3)
    with django_assert_max_num_queries(one):
        body = client.get(LIST_URL).json()
    assert body["count"] == 11


def test_detail_query_count_does_not_grow(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    def link_versions(cert: Certification) -> None:
        versions = list(cert.versions.order_by("position"))
        for a, b in itertools.pairwise(versions):
            cw = Crosswalk.objects.create(from_version=a, to_version=b)
            for block_a, block_b in zip(a.blocks.all(), b.blocks.all(), strict=True):
                CrosswalkEntry.objects.create(crosswalk=cw, from_block=block_a, to_block=block_b)

    link_versions(make_certification("RNCP00001", blocks=1, versions=2))
    one = _count_queries(client, LIST_URL + "RNCP00001/")
    link_versions(make_certification("RNCP00002", blocks=8, versions=3))
    with django_assert_max_num_queries(one):
        body = client.get(LIST_URL + "RNCP00002/").json()
    assert sum(len(v["blocks"]) for v in body["versions"]) == 24
    assert len(body["crosswalks"]) == 2


def test_schema_generates_without_warnings(tmp_path: Any) -> None:
    """Every API in the project documents cleanly (no duplicate component names, no guesses)."""
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "CertificationNotFound" in (tmp_path / "schema.yaml").read_text()
