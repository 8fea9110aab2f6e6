"""Issuance services: from frozen decisions only, idempotent, random status indexes, revocation
with a reason (status list re-signed), reissue linked by replaced_by; bad input changes
nothing."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.credentials import schema, services, signing, statuslist
from capitalis.credentials.models import Credential, StatusList
from tests.credentials.issuance_world import deliberated, signing_key  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key")]


def test_block_and_certification_credentials_verify_and_pass_the_schema():
    iss = deliberated()
    validations = iss.validations(0)
    assert len(validations) == 3
    block = services.credential_issue_block(validations[0])
    cert = services.credential_issue_certification(iss.decision(0))
    for credential in (block, cert):
        assert signing.verify(credential.document) == []
        assert schema.ob_schema_errors(credential.document) == []
        assert credential.document["id"] == f"urn:uuid:{credential.public_id}"
        status = credential.document["credentialStatus"]
        assert status["statusListIndex"] == str(credential.status_index)
        assert status["statusListCredential"].startswith(
            "https://certif.example.test/credentials/status/"
        )
    achievement = block.document["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "ext:BlocDeCompetences"
    assert achievement["humanCode"] == validations[0].block.code
    cert_achievement = cert.document["credentialSubject"]["achievement"]
    assert cert_achievement["achievementType"] == "Certificate"
    assert len(cert_achievement["resultDescription"]) == 4  # every block of the version
    assert len(cert.document["credentialSubject"]["result"]) == 3  # the validated ones
    assert cert.document["evidence"][0]["id"].endswith(f"/verify/{cert.public_id}/")
    # no grade anywhere
    assert "14" not in str(block.document["credentialSubject"]["result"])


def test_issuing_twice_returns_the_same_credential():
    iss = deliberated()
    v = iss.validations(0)[0]
    first = services.credential_issue_block(v)
    audits = AuditEvent.objects.filter(action="credential_issue").count()
    again = services.credential_issue_block(v)
    assert again.pk == first.pk
    assert Credential.objects.count() == 1
    assert AuditEvent.objects.filter(action="credential_issue").count() == audits == 1


def test_the_database_refuses_a_second_current_credential_for_the_same_key():
    iss = deliberated()
    first = services.credential_issue_block(iss.validations(0)[0])
    first.pk = None
    first.public_id = None
    first.status_index = first.status_index + 1
    with pytest.raises(IntegrityError):
        Credential.objects.create(
            **{
                f.attname: getattr(first, f.attname)
                for f in Credential._meta.concrete_fields
                if f.attname not in ("id", "public_id")
            }
        )


def test_status_indexes_are_random_and_distinct():
    iss = deliberated(learners=6)
    items = []
    for n in range(6):
        items += iss.validations(n)
    rows = [services.credential_issue_block(v) for v in items]
    indexes = [r.status_index for r in rows]
    assert len(set(indexes)) == len(indexes) > 4
    assert indexes != sorted(indexes) or max(indexes) > 1000  # not issue order from 0
    assert StatusList.objects.get().used == len(rows)


def test_partially_certified_gets_block_credentials_only():
    iss = deliberated()
    (validation,) = iss.validations(1)
    assert services.credential_issue_block(validation).kind == "block"
    before = (Credential.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as err:
        services.credential_issue_certification(iss.decision(1))
    assert err.value.code == "not_certified"
    assert (Credential.objects.count(), AuditEvent.objects.count()) == before


def test_no_credential_from_a_decision_not_frozen(settings):
    settings.LANGUAGE_CODE = "fr"
    iss = deliberated(close=False)
    before = (Credential.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as err:
        services.credential_issue_certification(iss.decision(0))
    assert err.value.code == "not_frozen"
    assert (Credential.objects.count(), AuditEvent.objects.count()) == before


def test_a_not_frozen_decision_error_is_translated():
    from django.utils import translation

    iss = deliberated(close=False)
    with translation.override("fr"), pytest.raises(DomainError) as err:
        services.credential_issue_certification(iss.decision(0))
    assert "procès-verbal" in err.value.message or "figée" in err.value.message


def test_revocation_needs_a_reason_and_sets_the_bit():
    iss = deliberated()
    credential = services.credential_issue_block(iss.validations(0)[0])
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as err:
        services.credential_revoke(credential=credential, actor=iss.w.president, reason="  ")
    assert err.value.code == "reason_required"
    credential.refresh_from_db()
    assert credential.revoked_at is None and AuditEvent.objects.count() == before
    status_list = StatusList.objects.get()
    assert not statuslist.is_set(bytes(status_list.bits), credential.status_index)

    services.credential_revoke(
        credential=credential, actor=iss.w.president, reason="Erreur de saisie du jury"
    )
    credential.refresh_from_db()
    assert credential.revoked_at and credential.revocation_reason == "Erreur de saisie du jury"
    status_list.refresh_from_db()
    assert statuslist.is_set(bytes(status_list.bits), credential.status_index)
    signed = status_list.signed
    assert signing.verify(signed) == []
    bits = statuslist.decode(signed["credentialSubject"]["encodedList"])
    assert statuslist.is_set(bits, credential.status_index)
    assert AuditEvent.objects.filter(action="credential_revoke").count() == 1
    with pytest.raises(DomainError) as err:
        services.credential_revoke(credential=credential, actor=iss.w.president, reason="encore")
    assert err.value.code == "already_revoked"


def test_only_the_president_or_a_director_may_revoke():
    iss = deliberated()
    credential = services.credential_issue_block(iss.validations(0)[0])
    with pytest.raises(DomainError) as err:
        services.credential_revoke(credential=credential, actor=iss.w.member, reason="non")
    assert err.value.code == "not_authorised"
    credential.refresh_from_db()
    assert credential.revoked_at is None


def test_reissue_links_the_new_credential_and_keeps_the_award_date():
    iss = deliberated()
    old = services.credential_issue_certification(iss.decision(0))
    new = services.credential_reissue(
        credential=old, actor=iss.w.director, reason="Nom corrigé à l'état civil"
    )
    old.refresh_from_db()
    assert old.replaced_by_id == new.pk and old.revoked_at is not None
    assert new.issuance_key == old.issuance_key and new.public_id != old.public_id
    assert new.document["awardedDate"] == old.document["awardedDate"]
    assert new.status_index != old.status_index
    assert signing.verify(new.document) == []
    # issuing again returns the current (new) one
    assert services.credential_issue_certification(iss.decision(0)).pk == new.pk


def test_status_list_credential_is_cached_while_fresh():
    iss = deliberated()
    credential = services.credential_issue_block(iss.validations(0)[0])
    status_list = StatusList.objects.get(pk=credential.status_list_id)
    first = services.status_list_signed(status_list)
    status_list.refresh_from_db()
    assert services.status_list_signed(status_list) == first
    assert first["credentialSubject"]["type"] == "BitstringStatusList"
    assert signing.verify(first) == []
    assert len(statuslist.decode(first["credentialSubject"]["encodedList"])) * 8 >= 131_072


def test_the_credential_names_the_certifier_its_pdf_prints():
    """The issuer of a credential is the certification's certifier as the register names it,
    the same name the certificate PDF prints (not a product name from a setting)."""
    from capitalis.credentials.queries_documents import certifier_name
    from capitalis.referential.models import CertificationCertifier

    iss = deliberated()
    certification = iss.session.version.certification
    link = CertificationCertifier.objects.filter(certification=certification).first()
    assert link is not None  # the test world's register certifier
    expected = link.commercial_name or link.certifier.name
    block = services.credential_issue_block(iss.validations(0)[0])
    cert = services.credential_issue_certification(iss.decision(0))
    for credential in (block, cert):
        assert credential.document["issuer"]["name"] == expected == certifier_name(certification)
        assert signing.verify(credential.document) == []


def test_links_follow_the_public_base_url(settings):
    """Every signed link uses the one public-address setting (SITE_URL / PUBLIC_BASE_URL)."""
    settings.PUBLIC_BASE_URL = "https://school.example.test/"
    iss = deliberated()
    cert = services.credential_issue_certification(iss.decision(0))
    status = cert.document["credentialStatus"]["statusListCredential"]
    assert status.startswith("https://school.example.test/credentials/status/")
    assert cert.document["evidence"][0]["id"] == (
        f"https://school.example.test/verify/{cert.public_id}/"
    )
