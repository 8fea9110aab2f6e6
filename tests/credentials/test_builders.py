"""Builders and rules of issuance, without the database: the unsigned credentials follow
CREDENTIALS.md §1.11 and, once signed, the official 1EdTech schema; control characters are
stripped; the OB identity hash is the spec's; refusals, state transitions and verdicts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capitalis.credentials import builders, rules, schema, signing
from capitalis.credentials.keys import IssuerKey, did_key, public_key_multibase

CERT = builders.CertificationInfo(
    code="RNCP39853",
    title_fr="Expert en relations et coopérations internationales",
    version_code="2024",
    eqf_level=7,
    rule_fr=builders.rule_text_fr(True, 1),
)
BLOCKS = (
    builders.BlockInfo("RNCP39853BC01", "Conduire un diagnostic\x0b stratégique", "Étude de cas"),
    builders.BlockInfo("RNCP39853BC02", "Élaborer une politique de coopération", ""),
    builders.BlockInfo("RNCP39853BC03", "Piloter un projet à l'international", ""),
)


def common(index: int = 94567) -> builders.Common:
    return builders.Common(
        public_id=uuid.UUID("6f1c1f2e-4d8a-4a43-9a4b-0c1f9d2b7e11"),
        issuer=builders.Issuer("did:key:z6Mk-placeholder", "Certificateur", "https://c.example"),
        holder=builders.Holder("Jeanne\x01 Exemple", "Jeanne@Example.org", "n4Cl"),
        certification=CERT,
        jury=builders.Jury("Jury de juillet", date(2026, 7, 10)),
        awarded_on=date(2026, 7, 10),
        valid_from=datetime(2026, 7, 15, 9, 30, 12, 345, tzinfo=UTC),
        status=builders.StatusEntry("https://c.example/credentials/status/rev-1/", index),
        base_url="https://c.example",
    )


def test_identity_hash_is_the_ob_spec_example():
    # OB 3.0 IdentityHash: sha256 of "a@example.com" salted with "Kosher"
    assert builders.identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_block_credential_shape():
    doc = builders.block_credential(common(), BLOCKS[0])
    assert doc["@context"] == builders.CONTEXTS
    assert doc["id"] == "urn:uuid:6f1c1f2e-4d8a-4a43-9a4b-0c1f9d2b7e11"
    assert doc["validFrom"] == "2026-07-15T09:30:12Z"
    assert doc["awardedDate"] == "2026-07-10T00:00:00Z"
    achievement = doc["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "ext:BlocDeCompetences"
    assert achievement["humanCode"] == "RNCP39853BC01"
    assert achievement["name"] == "Conduire un diagnostic stratégique"  # \x0b stripped
    assert achievement["id"] == "https://c.example/achievements/RNCP39853/2024/RNCP39853BC01/"
    targets = {a["targetType"]: a for a in achievement["alignment"]}
    assert targets["ext:RNCPBlock"]["targetCode"] == "RNCP39853BC01"
    assert (
        targets["ext:RNCP"]["targetUrl"] == "https://www.francecompetences.fr/recherche/rncp/39853/"
    )
    assert targets["ext:EQF"]["targetCode"] == "7"
    assert achievement["criteria"]["narrative"] == "Étude de cas"
    ids = doc["credentialSubject"]["identifier"]
    assert ids[0]["identityHash"] == builders.identity_hash("jeanne@example.org", "n4Cl")
    assert ids[1] == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Jeanne Exemple",
    }
    status = doc["credentialStatus"]
    assert status["statusListIndex"] == "94567" and status["id"].endswith("#94567")
    assert doc["evidence"][0]["id"] == (
        "https://c.example/verify/6f1c1f2e-4d8a-4a43-9a4b-0c1f9d2b7e11/"
    )
    assert "Jury de juillet" in doc["evidence"][0]["narrative"]
    assert signing.check_strings(doc) == []


def test_certification_lists_every_block_and_completes_the_validated():
    doc = builders.certification_credential(common(), BLOCKS, ["RNCP39853BC01", "RNCP39853BC03"])
    achievement = doc["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert achievement["humanCode"] == "RNCP39853"
    assert len(achievement["resultDescription"]) == 3
    done = {r["resultDescription"] for r in doc["credentialSubject"]["result"]}
    assert done == {
        "https://c.example/achievements/RNCP39853/2024/#RNCP39853BC01",
        "https://c.example/achievements/RNCP39853/2024/#RNCP39853BC03",
    }
    assert "1 bloc optionnel" in achievement["criteria"]["narrative"]


@pytest.fixture
def key():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    did = did_key(private.public_key())
    mb = public_key_multibase(private.public_key())
    return IssuerKey(private, did, f"{did}#{mb}", mb)


def test_signed_templates_pass_the_official_schema_and_verify(key):
    c = common()
    c = builders.Common(
        **{**c.__dict__, "issuer": builders.Issuer(key.did, "C", "https://c.example")}
    )
    for doc in (
        builders.block_credential(c, BLOCKS[1]),
        builders.certification_credential(c, BLOCKS, [b.code for b in BLOCKS]),
    ):
        signed = signing.sign(doc, key, "2026-07-15T09:30:12Z")
        assert schema.ob_schema_errors(signed) == []
        assert signing.verify(signed, resolve=lambda vm: key.private_key.public_key()) == []


@given(st.text())
def test_clean_never_leaves_a_control_character(text):
    cleaned = builders.clean(text)
    assert not any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in cleaned)


def test_refusals():
    assert rules.block_refusals(
        has_session=False, session_closed=False, minutes_sha256="", decision_status=None
    ) == [rules.Refusal.NO_SESSION]
    assert rules.block_refusals(
        has_session=True, session_closed=False, minutes_sha256="", decision_status="validated"
    ) == [rules.Refusal.NOT_FROZEN]
    assert rules.block_refusals(
        has_session=True, session_closed=True, minutes_sha256="ab", decision_status="incomplete"
    ) == [rules.Refusal.NOT_VALIDATED]
    assert (
        rules.block_refusals(
            has_session=True, session_closed=True, minutes_sha256="ab", decision_status=None
        )
        == []
    )
    assert rules.certification_refusals(
        session_closed=True, minutes_sha256="ab", status="partially_certified", superseded=False
    ) == [rules.Refusal.NOT_CERTIFIED]
    assert rules.certification_refusals(
        session_closed=True, minutes_sha256="ab", status="certified", superseded=True
    ) == [rules.Refusal.SUPERSEDED]


def test_transitions_and_revocation_refusals():
    current = rules.state_of(revoked=False, replaced=False)
    assert rules.revocation_refusals(state=current, reason="motif") == []
    assert rules.revocation_refusals(state=current, reason="  ") == [rules.Refusal.REASON_REQUIRED]
    for state in (rules.CredentialState.REVOKED, rules.CredentialState.REPLACED):
        assert rules.Refusal.ALREADY_REVOKED in rules.revocation_refusals(state=state, reason="x")


def test_verdicts():
    assert rules.verdict([]) == rules.Verdict(True, True, ())
    assert rules.verdict(["revoked"]) == rules.Verdict(True, False, ("revoked",))
    bad = rules.verdict(["bad_signature", "altered", "bad_signature"])
    assert not bad.authentic and not bad.current and bad.codes == ("bad_signature", "altered")
