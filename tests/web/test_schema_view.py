"""The OpenAPI schema is generated once per process and language, then served as it was:
generating it walks every view (about two CPU-seconds), and it changes only with the code."""

from __future__ import annotations

import pytest

from capitalis.web import views_api_docs

JSON = "application/vnd.oai.openapi+json"
PER_PAGE_EN = "Number of results to return per page."


@pytest.fixture
def fresh_cache():
    views_api_docs._SCHEMAS.clear()
    yield
    views_api_docs._SCHEMAS.clear()


class _Refuses:
    def __init__(self, *args, **kwargs) -> None:
        raise AssertionError("the schema was generated again")


def test_the_schema_is_generated_once_per_language(client, fresh_cache, monkeypatch) -> None:
    french = client.get("/api/schema/", HTTP_ACCEPT=JSON)
    english = client.get("/api/schema/?lang=en", HTTP_ACCEPT=JSON)
    assert french.status_code == english.status_code == 200
    assert PER_PAGE_EN in english.content.decode()
    assert PER_PAGE_EN not in french.content.decode()  # its texts are translated
    monkeypatch.setattr(views_api_docs.SchemaView, "generator_class", _Refuses)
    assert client.get("/api/schema/", HTTP_ACCEPT=JSON).content == french.content
    again = client.get("/api/schema/", HTTP_ACCEPT=JSON, HTTP_ACCEPT_LANGUAGE="en")
    assert again.content == english.content


def test_a_changed_setting_generates_it_again(client, fresh_cache, settings) -> None:
    client.get("/api/schema/", HTTP_ACCEPT=JSON)
    assert views_api_docs._SCHEMAS
    settings.SPECTACULAR_SETTINGS = {**settings.SPECTACULAR_SETTINGS, "VERSION": "9.9.9"}
    assert not views_api_docs._SCHEMAS
