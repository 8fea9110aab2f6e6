"""A reissue checks the decision again, corrections included: a certification decision that a
later session corrected is refused (nothing changes); a block credential follows the correction
of its block decision — refused while the correcting session is open or when the correction
withdrew the block, reissued naming the correcting session once it is closed and validates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.credentials import queries, services, signing
from capitalis.credentials.models import Credential
from capitalis.jury import services as jury_services
from capitalis.jury.models import BlockDecision, CertificationDecision
from tests.credentials.issuance_world import Issuance, deliberated, signing_key  # noqa: F401
from tests.jury.builders import session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key")]


def _later(iss: Issuance):
    return session(iss.w, day=dt.date(2025, 9, 15), title="Jury septembre")


def _snapshot():
    return (
        Credential.objects.count(),
        Credential.objects.filter(revoked_at__isnull=False).count(),
        AuditEvent.objects.count(),
    )


def test_reissue_of_a_corrected_certification_decision_is_refused():
    iss = deliberated()
    old = services.credential_issue_certification(iss.decision(0))
    later = _later(iss)
    decision = iss.decision(0)
    CertificationDecision.objects.create(
        session=later,
        enrolment=decision.enrolment,
        computed_status=decision.computed_status,
        validated_blocks=decision.validated_blocks,
        cites=decision,
    )
    before = _snapshot()
    with translation.override("fr"), pytest.raises(DomainError) as refused:
        services.credential_reissue(credential=old, actor=iss.w.director, reason="Nom corrigé")
    assert refused.value.code == "superseded"
    assert "session ultérieure" in refused.value.message  # translated
    assert _snapshot() == before
    old.refresh_from_db()
    assert old.revoked_at is None and old.replaced_by_id is None


def _correct(iss: Issuance, later, status: str) -> BlockDecision:
    validation = iss.validations(0)[0]
    assert validation.decision is not None
    return jury_services.decision_correct(
        old=validation.decision,
        session=later,
        status=status,
        justification="Erreur de report de note",
        actor=iss.w.president,
    )


def test_block_reissue_waits_for_the_correcting_session_then_follows_it():
    iss = deliberated()
    validation = iss.validations(0)[0]
    old = services.credential_issue_block(validation)
    later = _later(iss)
    _correct(iss, later, "validated")
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        services.credential_reissue(credential=old, actor=iss.w.director, reason="Correction")
    assert refused.value.code == "not_frozen"
    assert _snapshot() == before
    later = jury_services.session_close(session=later, actor=iss.w.president)
    new = services.credential_reissue(credential=old, actor=iss.w.director, reason="Correction")
    old.refresh_from_db()
    assert old.replaced_by_id == new.pk
    assert new.session_id == later.pk and new.block_validation_id == validation.pk
    narrative = new.document["evidence"][0]["narrative"]
    assert "Jury septembre" in narrative and "2025-09-15" in narrative
    assert new.document["awardedDate"] == old.document["awardedDate"]  # held since then
    assert signing.verify(new.document) == []


def test_block_reissue_refused_when_the_correction_withdrew_the_block():
    iss = deliberated()
    old = services.credential_issue_block(iss.validations(0)[0])
    later = _later(iss)
    _correct(iss, later, "not_validated")
    jury_services.session_close(session=later, actor=iss.w.president)
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        services.credential_reissue(credential=old, actor=iss.w.director, reason="Correction")
    assert refused.value.code == "not_validated"
    assert _snapshot() == before
    # the plain revocation stays possible
    services.credential_revoke(credential=old, actor=iss.w.director, reason="Bloc retiré")


def test_latest_correction_of_a_chain_wins():
    iss = deliberated()
    validation = iss.validations(0)[0]
    later = _later(iss)
    first = _correct(iss, later, "not_validated")
    jury_services.session_close(session=later, actor=iss.w.president)
    last_session = session(iss.w, day=dt.date(2025, 11, 3), title="Jury novembre")
    second = jury_services.decision_correct(
        old=BlockDecision.objects.select_related("session").get(pk=first.pk),
        session=last_session,
        status="validated",
        justification="Recours accepté",
        actor=iss.w.president,
    )
    assert queries.latest_block_corrections([validation.decision_id]) == {
        validation.decision_id: second
    }
    (item,) = queries.block_issuables(validation_ids=[validation.pk])
    assert item.session_id == last_session.pk and item.refusals == ("not_frozen",)
