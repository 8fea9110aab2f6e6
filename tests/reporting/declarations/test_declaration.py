"""Holders' declaration to the national register (issue 7 point 4): the flux validates against
the official XSD, one certifier per file, timestamp with an offset, nillable elements present,
access route from the track, stable idTechnique, proof URL; nothing declared twice; bad input
(empty period, incomplete identity, schema failure, mismatched report) writes nothing; the
rejected-passage round trip."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.storage import default_storage
from django.utils import translation
from lxml import etree

from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.jury.models import CertificationStatus, JurySession
from capitalis.reporting.declarations import register as declaration
from capitalis.reporting.declarations.services import (
    award_declaration_resend,
    declaration_export,
    declaration_report_import,
)
from capitalis.reporting.models import AwardDeclaration, AwardStatus, DeclarationFlux, FluxStatus
from tests.reporting.declarations.builders import AWARD_DAY, build, closed_session, decide

pytestmark = pytest.mark.django_db

NS = {"cpf": declaration.NS, "xsi": declaration.XSI}
FROM, TO = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PUBLIC_BASE_URL = "https://capitalis.example.org"


def _export(d, **kw):
    return declaration_export(
        certification=d.certification,
        date_from=kw.get("date_from", FROM),
        date_to=kw.get("date_to", TO),
        actor=d.w.director,
    )


def _passages(content: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(content)
    return {
        p.findtext("cpf:idTechnique", namespaces=NS): p
        for p in root.iterfind(".//cpf:passageCertification", NS)
    }


def _is_nil(node) -> bool:
    return node is not None and node.get(f"{{{declaration.XSI}}}nil") == "true" and not node.text


def test_official_example_validates_and_a_broken_one_does_not() -> None:
    example = declaration.OFFICIAL_EXAMPLE.read_bytes()
    assert declaration.validate(example) == []
    broken = example.replace(b"+01:00</cpf:horodatage>", b"Z</cpf:horodatage>")
    assert declaration.validate(broken)
    no_end = re.sub(rb"<cpf:dateFinValidite[^>]*>[^<]*</cpf:dateFinValidite>", b"", example)
    assert any("dateFinValidite" in e for e in declaration.validate(no_end))


def test_export_validates_against_the_official_xsd_and_marks_awards_sent() -> None:
    d = build(3)
    result = _export(d)
    flux = DeclarationFlux.objects.get()
    stored = flux.file.read()
    assert stored == result.content
    assert declaration.validate(stored) == []  # the file offered is valid
    root = etree.fromstring(stored)
    # One certifier per file, our certification, the configured identifiers.
    assert len(root.findall(".//cpf:certificateur", NS)) == 1
    assert root.findtext(".//cpf:certification/cpf:code", namespaces=NS) == d.certification.code
    assert root.findtext(".//cpf:certification/cpf:type", namespaces=NS) == "RNCP"
    assert root.findtext("cpf:idFlux", namespaces=NS) == flux.flux_id
    # Timestamp with an explicit offset, no fraction, no Z.
    stamp = root.findtext("cpf:horodatage", namespaces=NS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", stamp), stamp
    awards = list(AwardDeclaration.objects.order_by("decision__enrolment_id"))
    assert [a.status for a in awards] == [AwardStatus.SENT] * 3
    assert all(a.attempts == 1 and a.flux_id == flux.pk for a in awards)
    assert all(a.awarded_on == AWARD_DAY and a.due_on == dt.date(2025, 10, 1) for a in awards)
    passages = _passages(stored)
    assert set(passages) == {a.id_technique for a in awards}
    # Nillable elements are present, nil when we have no value.
    for p in passages.values():
        for name in ("dateFinValidite", "scoring", "mentionValidee"):
            assert _is_nil(p.find(f"cpf:{name}", NS)), name
        assert _is_nil(p.find(".//cpf:nomUsage", NS))
        assert p.findtext("cpf:obtentionCertification", namespaces=NS) == "PAR_ADMISSION"
        assert p.findtext("cpf:dateDebutValidite", namespaces=NS) == "2025-07-01"
        assert p.findtext(".//cpf:codeInsee", namespaces=NS) == "69123"
    # Access route from the track and the contract.
    routes = {
        a.decision.enrolment_id: passages[a.id_technique].findtext(
            ".//cpf:modaliteAcces", namespaces=NS
        )
        for a in awards
    }
    e = d.w.enrolments
    assert routes == {
        e[0].pk: "FORMATION_INITIALE_HORS_APPRENTISSAGE",
        e[1].pk: "FORMATION_INITIALE_APPRENTISSAGE",
        e[2].pk: "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION",
    }
    first = passages[awards[0].id_technique]
    assert first.findtext(".//cpf:prenom1", namespaces=NS) == "Camille"
    assert first.findtext(".//cpf:prenom2", namespaces=NS) == "Dominique0"
    assert first.findtext(".//cpf:sexe", namespaces=NS) == "F"
    assert AuditEvent.objects.filter(action="reporting.declaration_export").count() == 1


def test_only_certified_decisions_of_closed_sessions_in_the_period_are_declared() -> None:
    d = build(3)
    d.decisions[1].override_status = CertificationStatus.PARTIALLY_CERTIFIED
    d.decisions[1].justification = "Bloc 2 non validé"
    d.decisions[1].save()
    d.decisions[2].computed_status = CertificationStatus.NOT_CERTIFIED
    d.decisions[2].save()
    open_session = closed_session(d.w, day=dt.date(2025, 9, 1), title="Ouverte")
    JurySession.objects.filter(pk=open_session.pk).update(status="open", closed_at=None)
    decide(open_session, d.w.enrolments[2])
    later = closed_session(d.w, day=dt.date(2026, 2, 1), title="2026")
    decide(later, d.w.enrolments[1])
    result = _export(d)
    assert result.declared == 1
    assert AwardDeclaration.objects.get().decision == d.decisions[0]


def test_proof_url_is_the_verification_url_of_the_certification_credential(monkeypatch) -> None:
    d = build(1)
    from capitalis.reporting.declarations import services as services_declarations

    monkeypatch.setattr(
        services_declarations,
        "_proof_urls",
        lambda decisions: {
            decisions[0].pk: "https://capitalis.example.org/verify/7d1f/",
        },
    )
    content = _export(d).content
    passage = next(iter(_passages(content).values()))
    assert passage.findtext("cpf:urlPreuve", namespaces=NS) == (
        "https://capitalis.example.org/verify/7d1f/"
    )
    assert declaration.validate(content) == []


def test_proof_url_query_uses_certification_credentials_only() -> None:
    from capitalis.reporting.declarations.services import _proof_urls

    d = build(1)
    assert _proof_urls(d.decisions) == {}  # no credential issued: no urlPreuve


def test_nothing_is_declared_twice() -> None:
    d = build(2)
    _export(d)
    with pytest.raises(DomainError) as error:
        _export(d)
    assert error.value.code == "empty"
    assert DeclarationFlux.objects.count() == 1
    # A later certified decision of a holder already declared is not declared again either.
    later = closed_session(d.w, day=dt.date(2025, 11, 1), title="Rattrapage")
    decide(later, d.w.enrolments[0])
    with pytest.raises(DomainError):
        _export(d)
    assert AwardDeclaration.objects.count() == 2


def test_empty_period_is_a_translated_error_and_writes_nothing() -> None:
    d = build(1)
    with translation.override("fr"), pytest.raises(DomainError) as error:
        _export(d, date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31))
    assert "Rien à déclarer" in error.value.message
    assert not DeclarationFlux.objects.exists()
    assert not AwardDeclaration.objects.exists()
    with pytest.raises(DomainError) as backwards:
        _export(d, date_from=TO, date_to=FROM)
    assert backwards.value.code == "period"


def test_missing_identity_names_the_learner_and_the_field_and_writes_nothing() -> None:
    d = build(2)
    learner = d.w.enrolments[1].learner
    learner.birth_place_code = ""
    learner.sex = ""
    learner.save()
    with translation.override("en"), pytest.raises(DomainError) as error:
        _export(d)
    message = error.value.message
    assert str(learner) in message
    assert "INSEE code of the place of birth" in message and "sex" in message
    with translation.override("fr"), pytest.raises(DomainError) as french:
        _export(d)
    assert "Code INSEE du lieu de naissance" in french.value.message
    assert str(d.w.enrolments[0].learner) not in message  # complete identities are not named
    assert not DeclarationFlux.objects.exists()
    assert not AwardDeclaration.objects.exists()
    assert not default_storage.exists("reporting/declarations")


def test_a_flux_the_schema_refuses_is_never_written(settings) -> None:
    d = build(1)
    settings.DECLARATION_CERTIFIER = {"certifier_id": "SHORT7X"}  # 7 characters: invalid
    with pytest.raises(DomainError) as error:
        _export(d)
    assert error.value.code == "schema"
    assert "idClient" in error.value.message
    assert not DeclarationFlux.objects.exists()
    assert not AwardDeclaration.objects.exists()


def test_rejected_passage_round_trip() -> None:
    d = build(3)
    first = _export(d)
    awards = {a.decision_id: a for a in AwardDeclaration.objects.all()}
    ok0, ko1, ok2 = (awards[x.pk] for x in d.decisions)
    report = declaration.build_report(
        flux_id=first.flux.flux_id,
        file_name=first.flux.filename,
        accepted=[ok0.id_technique, ok2.id_technique],
        rejected=[(ko1.id_technique, "Aucun titulaire ne correspond aux critères obligatoires")],
    )
    result = declaration_report_import(content=report, filename="rapport.xml", actor=d.w.director)
    assert (result.accepted, result.rejected) == (2, 1)
    for award in (ok0, ko1, ok2):
        award.refresh_from_db()
    assert ok0.status == ok2.status == AwardStatus.ACCEPTED
    assert ko1.status == AwardStatus.REJECTED
    assert ko1.error_message == "Aucun titulaire ne correspond aux critères obligatoires"
    first.flux.refresh_from_db()
    assert first.flux.status == FluxStatus.REPORT_IMPORTED and first.flux.report_file
    # Not declared again while still rejected.
    with pytest.raises(DomainError):
        _export(d)
    # Correct the identity, then "correct and send again".
    learner = ko1.decision.enrolment.learner
    learner.birth_name = "Essai-Corrigé"
    learner.save()
    award_declaration_resend(award=ko1, actor=d.w.director)
    ko1.refresh_from_db()
    assert ko1.status == AwardStatus.TO_DECLARE
    second = _export(d)
    assert second.declared == 1
    passages = _passages(second.content)
    assert list(passages) == [ko1.id_technique]  # same stable id, accepted ones left out
    assert passages[ko1.id_technique].findtext(".//cpf:nomNaissance", namespaces=NS) == (
        "Essai-Corrigé"
    )
    ko1.refresh_from_db()
    assert ko1.status == AwardStatus.SENT and ko1.attempts == 2 and ko1.flux == second.flux
    # The old file's report cannot be imported again.
    with pytest.raises(DomainError):
        declaration_report_import(content=report, filename="rapport.xml", actor=None)
    again = declaration.build_report(
        flux_id=second.flux.flux_id,
        file_name=second.flux.filename,
        accepted=[ko1.id_technique],
        rejected=[],
    )
    declaration_report_import(content=again, filename="rapport2.xml", actor=None)
    ko1.refresh_from_db()
    assert ko1.status == AwardStatus.ACCEPTED and ko1.error_message == ""


def test_resend_only_a_rejected_award_with_a_complete_identity() -> None:
    d = build(1)
    _export(d)
    award = AwardDeclaration.objects.get()
    with pytest.raises(DomainError):
        award_declaration_resend(award=award, actor=None)  # sent, not rejected
    AwardDeclaration.objects.filter(pk=award.pk).update(status=AwardStatus.REJECTED)
    learner = award.decision.enrolment.learner
    learner.first_names = ""
    learner.save()
    with translation.override("fr"), pytest.raises(DomainError) as error:
        award_declaration_resend(award=award, actor=None)
    assert "prénoms" in error.value.message and str(learner) in error.value.message
    award.refresh_from_db()
    assert award.status == AwardStatus.REJECTED


def _state():
    return (
        sorted(AwardDeclaration.objects.values_list("id_technique", "status", "error_message")),
        sorted(DeclarationFlux.objects.values_list("pk", "status")),
    )


def test_a_report_that_does_not_match_a_sent_flux_changes_nothing() -> None:
    d = build(2)
    sent = _export(d)
    ids = list(AwardDeclaration.objects.values_list("id_technique", flat=True))
    before = _state()
    cases = {
        "unknown flux": declaration.build_report(
            flux_id="00000000-other-certifier", file_name="autre.xml", accepted=ids, rejected=[]
        ),
        "unknown idTechnique": declaration.build_report(
            flux_id=sent.flux.flux_id,
            file_name=sent.flux.filename,
            accepted=[ids[0], "not-one-of-ours"],
            rejected=[],
        ),
        "twice": declaration.build_report(
            flux_id=sent.flux.flux_id,
            file_name=sent.flux.filename,
            accepted=[ids[0]],
            rejected=[(ids[0], "x")],
        ),
        "not a report": b"<cpf:flux xmlns:cpf='urn:cdc:cpf:pc5:schema:1.0.0'/>",
        "not XML": b"PassagesOK;idTechnique\n",
        "KO without message": (
            b"<rapport><idFlux>" + sent.flux.flux_id.encode() + b"</idFlux><PassagesKO><passage>"
            b"<idTechnique>" + ids[0].encode() + b"</idTechnique></passage></PassagesKO></rapport>"
        ),
    }
    for name, content in cases.items():
        with pytest.raises(DomainError):
            declaration_report_import(content=content, filename="r.xml", actor=None)
        assert _state() == before, name
    assert not AuditEvent.objects.filter(action="reporting.declaration_report_import").exists()


def test_report_local_names_are_matched_case_insensitively() -> None:
    d = build(1)
    sent = _export(d)
    id_technique = AwardDeclaration.objects.get().id_technique
    content = (
        "<ns2:rapport xmlns:ns2='urn:cdc:cpf:pc5:rapport:schema'>"
        f"<ns2:nomFichier>{sent.flux.filename}</ns2:nomFichier><ns2:idflux>{sent.flux.flux_id}"
        "</ns2:idflux><ns2:idTraitement>51354</ns2:idTraitement>"
        f"<ns2:passagesOK><ns2:idTechnique>{id_technique}</ns2:idTechnique></ns2:passagesOK>"
        "</ns2:rapport>"
    ).encode()
    result = declaration_report_import(content=content, filename="r.xml", actor=None)
    assert result.accepted == 1


def test_access_route_rule() -> None:
    route = declaration.access_route
    assert route(track="initial", contract_kind=None, by_vae=False) == (declaration.INITIAL, "")
    assert route(track="work_study", contract_kind="apprenticeship", by_vae=False)[0] == (
        declaration.APPRENTICESHIP
    )
    assert route(track="work_study", contract_kind=None, by_vae=False) == (None, "")
    assert route(track="initial", contract_kind=None, by_vae=True) == ("VAE", "VAE_CLASSIQUE")


def test_vae_holder_is_declared_with_the_vae_route() -> None:
    from capitalis.jury.models import BlockValidation, Route

    d = build(1)
    learner = d.w.enrolments[0].learner
    for block in d.w.blocks:
        BlockValidation.objects.create(
            learner=learner,
            block=block,
            version=d.w.version,
            validated_on=AWARD_DAY,
            route=Route.VAE,
        )
    content = _export(d).content
    passage = next(iter(_passages(content).values()))
    assert passage.findtext(".//cpf:modaliteAcces", namespaces=NS) == "VAE"
    assert passage.findtext(".//cpf:voieAccessVAE", namespaces=NS) == "VAE_CLASSIQUE"
    assert declaration.validate(content) == []


def test_work_study_without_contract_has_a_nil_access_route_and_still_validates() -> None:
    from capitalis.enrolment.models import Contract

    d = build(2)
    Contract.objects.filter(enrolment=d.w.enrolments[1]).delete()
    content = _export(d).content
    nils = [_is_nil(p.find(".//cpf:modaliteAcces", NS)) for p in _passages(content).values()]
    assert sorted(nils) == [False, True]
    assert declaration.validate(content) == []
