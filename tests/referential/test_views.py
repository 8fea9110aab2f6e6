"""The public référentiel pages: list, detail with versions side by side and crosswalks, both
languages, a translated 404, and a query count that does not grow with the data."""

from __future__ import annotations

import pytest
from django.test import Client

from capitalis.referential.models import Certification
from tests.web.builders import build_certification

pytestmark = pytest.mark.django_db

CODE = "RNCP99999"


def english_client() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_list_shows_each_certification_with_a_link(client):
    build_certification(CODE)
    response = client.get("/referential/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Référentiel : certifications" in html
    assert f'href="/referential/{CODE}/"' in html
    assert "Expert en essais" in html


def test_list_in_english_shows_english_titles():
    build_certification(CODE)
    html = english_client().get("/referential/").content.decode()
    assert '<html lang="en">' in html
    assert "Référentiel: certifications" in html
    assert "Expert in testing" in html


def test_detail_shows_versions_blocks_and_crosswalk_in_french(client):
    build_certification(CODE)
    response = client.get(f"/referential/{CODE}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Versions côte à côte" in html
    assert html.count('class="version"') == 2
    assert "Bloc 1 de V2" in html and "Bloc 3 de V1" in html
    assert html.count('<span class="badge badge--optional">optionnel</span>') == 3
    assert html.count('<span class="badge badge--common">commun</span>') == 4
    assert "Énoncé officiel 1.1" in html
    assert "Étude de cas" in html
    assert "tous les blocs communs + 1 bloc optionnel" in html
    assert "Correspondances entre versions" in html
    assert "proposée, à confirmer par le certificateur" in html
    assert "partielle" in html
    assert "28 novembre 2029" in html
    assert "formation initiale" in html


def test_detail_in_english_uses_english_texts():
    build_certification(CODE)
    html = english_client().get(f"/referential/{CODE}/").content.decode()
    assert "Versions side by side" in html
    assert "Block 1 of V2" in html
    assert "Statement 1.1" in html
    assert "all common blocks + 1 optional block" in html
    assert "proposed, to be confirmed by the certifier" in html
    assert "Statements differ" in html


def test_english_falls_back_to_french_where_no_translation(client):
    build_certification(CODE)
    Certification.objects.filter(code=CODE).update(title_en="")
    html = english_client().get(f"/referential/{CODE}/").content.decode()
    assert "Expert en essais" in html


def test_every_page_has_the_language_switch_and_landmarks(client):
    build_certification(CODE)
    for url in ["/", "/referential/", f"/referential/{CODE}/", "/accounts/login/"]:
        html = client.get(url).content.decode()
        assert 'action="/i18n/setlang/"' in html, url
        assert 'name="language"' in html, url
        assert '<main id="main"' in html, url
        assert 'href="#main"' in html, url


def test_language_switch_form_changes_the_page_language(client):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/referential/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/referential/"
    assert '<html lang="en">' in response.content.decode()


def test_unknown_code_is_a_translated_404(client):
    response = client.get("/referential/NOPE123/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    response = english_client().get("/referential/NOPE123/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_home_links_to_the_referential(client):
    html = client.get("/").content.decode()
    assert 'href="/referential/"' in html


def test_list_query_count_does_not_grow_with_certifications(client, django_assert_max_num_queries):
    build_certification(CODE)
    with django_assert_max_num_queries(3):
        client.get("/referential/")
    for n in range(5):
        build_certification(f"RNCP1000{n}")
    with django_assert_max_num_queries(3):
        response = client.get("/referential/")
    assert response.content.decode().count('href="/referential/RNCP') == 6
