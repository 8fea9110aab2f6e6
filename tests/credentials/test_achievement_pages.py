"""Public achievement pages: the ``achievement.id`` of every issued credential opens a page (no
login) in FR and EN with the title, code, level, competencies and criteria, the certification
rule and the register link; JSON on ``Accept: application/json``; unknown ids are a 404."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from capitalis.credentials import services
from capitalis.credentials.models import Credential
from capitalis.referential.models import Block, Competency, EvaluationCriterion
from tests.credentials.issuance_world import TEST_KEY, deliberated, signing_key  # noqa: F401
from tests.shared_db import built_once

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key")]


@pytest.fixture(scope="module")
def _issued_once(django_db_setup, django_db_blocker):
    """The deliberated session, one competency of learner a's block given its texts and a
    criterion, and learner a's block and certification credentials: built once for the module
    (tests.shared_db) with the test signing key; each test runs in its own savepoint, rolled
    back after it."""

    def build():
        iss = deliberated()
        validation = iss.validations(0)[0]
        block = Block.objects.get(pk=validation.block_id)
        competency = Competency.objects.filter(block=block).order_by("position").first()
        if competency is None:
            competency = Competency.objects.create(
                block=block, code="C1", statement_fr="Analyser le besoin"
            )
        competency.statement_fr = "Analyser le besoin du client"
        competency.statement_en = "Analyse the client's need"
        competency.save()
        EvaluationCriterion.objects.create(
            competency=competency,
            code="CR-Z",
            text_fr="Le besoin est reformulé par écrit",
            text_en="The need is restated in writing",
        )
        cred_block = services.credential_issue_block(validation)
        cred_cert = services.credential_issue_certification(iss.decision(0))
        return iss, [block.pk, cred_block.pk, cred_cert.pk]

    with (
        override_settings(
            CREDENTIALS_SIGNING_KEY=TEST_KEY,
            CREDENTIALS_DID_WEB_DOMAIN="",
            PUBLIC_BASE_URL="https://certif.example.test",
        ),
        translation.override(settings.LANGUAGE_CODE),
        built_once(django_db_blocker, build) as built,
    ):
        yield built


@pytest.fixture
def issued(_issued_once):
    iss, (block, cred_block, cred_cert) = _issued_once
    return (
        iss,
        Block.objects.get(pk=block),
        Credential.objects.get(pk=cred_block),
        Credential.objects.get(pk=cred_cert),
    )


def _path(credential) -> str:
    url = credential.document["credentialSubject"]["achievement"]["id"]
    assert url.startswith("https://certif.example.test/achievements/")
    return urlsplit(url).path


def test_block_achievement_page_fr_and_en(client, issued):
    _iss, block, cred_block, _cert = issued
    path = _path(cred_block)
    fr = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
    assert fr.status_code == 200
    html = fr.content.decode()
    assert block.code in html and block.title_fr in html
    assert "Analyser le besoin du client" in html
    assert "CR-Z — Le besoin est reformulé par écrit" in html
    assert "Règle de certification" in html  # translated heading
    assert "francecompetences.fr/recherche/" in html
    assert 'name="viewport"' in html  # the base template: readable on a phone
    en = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Analyse the client&#x27;s need" in en
    assert "The need is restated in writing" in en
    assert "Certification rule" in en and "Competencies and evaluation criteria" in en


def test_certification_achievement_page_lists_blocks_and_rule(client, issued):
    iss, _block, _cred_block, cred_cert = issued
    path = _path(cred_cert)
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    cert = cred_cert.version.certification
    assert cert.code in html
    rule = cred_cert.document["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert "no compensation between blocks" in html  # the rule in English
    assert rule in client.get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()  # official
    for blk in iss.w.blocks:
        assert blk.code in html
        assert f'href="{path}{blk.code}/"' in html
    if cert.eqf_level:
        assert f"EQF level {cert.eqf_level}" in html


def test_json_on_accept_header(client, issued):
    _iss, block, cred_block, cred_cert = issued
    data = client.get(_path(cred_block), HTTP_ACCEPT="application/json").json()
    assert data["id"] == cred_block.document["credentialSubject"]["achievement"]["id"]
    assert data["block"]["code"] == block.code
    criteria = [c for comp in data["block"]["competencies"] for c in comp["criteria"]]
    assert ["CR-Z", "Le besoin est reformulé par écrit"] in criteria
    data = client.get(_path(cred_cert), HTTP_ACCEPT="application/json").json()
    assert data["id"] == cred_cert.document["credentialSubject"]["achievement"]["id"]
    assert data["block"] is None and len(data["blocks"]) == len(issued[0].w.blocks)


def test_no_login_needed_and_query_count_flat(client, issued):
    _iss, block, cred_block, _cert = issued
    path = _path(cred_block)
    client.logout()
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    for n in range(5):
        comp = Competency.objects.create(block=block, code=f"CX{n}", statement_fr=f"C {n}")
        EvaluationCriterion.objects.create(competency=comp, code=f"K{n}", text_fr=f"K {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "path",
    [
        "/achievements/RNCP0/none/",
        "/achievements/RNCP0/none/BC01/",
    ],
)
def test_unknown_achievement_is_404(client, issued, path):
    assert client.get(path).status_code == 404


def test_a_nul_byte_in_the_address_is_a_400_before_any_query(client, issued):
    assert client.get("/achievements/%00/x/").status_code == 400


def test_unknown_block_of_a_known_version_is_404(client, issued):
    _iss, _block, _cred_block, cred_cert = issued
    assert client.get(_path(cred_cert) + "NOPE/").status_code == 404
