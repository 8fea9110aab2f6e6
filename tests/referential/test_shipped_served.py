"""The shipped RNCP39853 référentiel as the API and the public pages serve it, in both
languages, with query counts that do not grow with it. The référentiel is loaded once for this
module (tests.shared_db): each test reads it in its own savepoint, rolled back after it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from openapi_core import OpenAPI

from capitalis.referential.models import Certification, Crosswalk, CrosswalkEntry
from tests.referential.test_api import LIST_URL, _count_queries, get_validated, make_certification
from tests.web.builders import add_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def referential_data(referential_data_once):
    return referential_data_once


def test_shipped_referential_is_served(
    client: Client, openapi: OpenAPI, referential_data: Any
) -> None:
    """The shipped RNCP39853 référentiel, as an API client sees it, in both languages."""
    listed = get_validated(client, openapi, LIST_URL).json()["results"]
    assert "RNCP39853" in [c["code"] for c in listed]
    fr = get_validated(client, openapi, LIST_URL + "RNCP39853/", accept_language="fr").json()
    en = get_validated(client, openapi, LIST_URL + "RNCP39853/", accept_language="en").json()
    assert fr["title"] == "Expert en relations et coopérations internationales"
    assert en["title"] == "Expert in International Relations and Cooperation"
    assert fr["eqf_level"] == 7
    current = next(v for v in fr["versions"] if v["status"] == "current")
    kinds = [b["kind"] for b in current["blocks"]]
    assert kinds.count("common") == 4
    assert current["rule"]["optional_blocks_required"] == 1
    assert all(b["competencies"] for b in current["blocks"])
    assert fr["crosswalks"], "the earlier version is linked to the current one"


def test_shipped_referential_query_count_matches_a_tiny_one(
    client: Client, referential_data: Any
) -> None:
    tiny = make_certification("RNCP00001", blocks=1, versions=2)
    old, new = tiny.versions.order_by("position")
    cw = Crosswalk.objects.create(from_version=old, to_version=new)
    CrosswalkEntry.objects.create(
        crosswalk=cw, from_block=old.blocks.get(), to_block=new.blocks.get()
    )
    one = _count_queries(client, LIST_URL + "RNCP00001/")
    assert _count_queries(client, LIST_URL + "RNCP39853/") <= one


def test_detail_query_count_does_not_grow_with_blocks(
    client, referential_data, django_assert_max_num_queries
):
    """Counted on the shipped RNCP39853, then again with a third version of 8 blocks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as shipped:
        response = client.get("/referential/RNCP39853/")
    assert response.status_code == 200
    assert len(shipped.captured_queries) <= 15
    certification = Certification.objects.get(code="RNCP39853")
    add_version(certification, code="V3", position=9, blocks=8, optional=3, competencies=5)
    with django_assert_max_num_queries(len(shipped.captured_queries)):
        response = client.get("/referential/RNCP39853/")
    assert response.content.decode().count('class="version"') == 3


def test_shipped_certification_page(client, referential_data):
    html = client.get("/referential/RNCP39853/").content.decode()
    assert "Expert en relations et coopérations internationales" in html
    assert html.count('class="block block--common"') == 4 + 3
    assert html.count('class="block block--optional"') == 2 + 3
    assert "RNCP39853BC06" in html and "CO3.6" in html and "C20" in html
    assert "K1704" in html and "28 novembre 2024" in html
