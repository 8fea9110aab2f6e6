"""Jury services: deliberation from evidence, overrides (justified, concurrent), closing with
frozen minutes, verification, corrections, notifications, appeals, what-if, VAE."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from capitalis.accounts.queries import grants_for
from capitalis.accounts.rules import Role, ScopeKind, has_role
from capitalis.core.exceptions import DomainError
from capitalis.jury import services
from capitalis.jury.models import (
    BlockDecision,
    BlockValidation,
    CertificationDecision,
    JurySession,
    VaeDossier,
)
from tests.jury.builders import grade, session, world

pytestmark = pytest.mark.django_db


def _decision(s: JurySession, enrolment, block) -> BlockDecision:
    return BlockDecision.objects.get(session=s, enrolment=enrolment, block=block)


def _deliberated():
    w = world(learners=3)
    a, b, _c = w.enrolments
    b1, b2, b3, _b4 = w.blocks
    for blk in (b1, b2, b3):
        grade(w, a, blk, 14)  # a: common blocks + one optional → certified
    grade(w, b, b1, 12)
    grade(w, b, b2, 8)  # b: b1 only → partially certified
    # c: no evidence at all → not certified, blocks incomplete
    s = session(w)
    services.deliberate(session=s, actor=w.member)
    return w, s


def test_session_create_grants_scoped_roles():
    w = world(learners=1)
    s = session(w)
    assert has_role(
        grants_for(user=w.president), Role.JURY_PRESIDENT, ScopeKind.JURY_SESSION, s.pk
    ).ok
    assert has_role(grants_for(user=w.member), Role.JURY_MEMBER, ScopeKind.JURY_SESSION, s.pk).ok
    assert not has_role(
        grants_for(user=w.member), Role.JURY_PRESIDENT, ScopeKind.JURY_SESSION, s.pk
    ).ok


def test_deliberation_computes_statuses_with_reasons():
    w, s = _deliberated()
    a, b, c = w.enrolments
    b1, b2 = w.blocks[:2]
    assert _decision(s, a, b1).computed_status == "validated"
    assert _decision(s, b, b2).computed_status == "not_validated"
    assert _decision(s, c, b1).computed_status == "incomplete"
    reasons = _decision(s, b, b2).reasons
    assert {"code": "below_threshold", "params": {"competencies": ["C1", "C2"]}} in reasons
    cert = {d.enrolment_id: d for d in CertificationDecision.objects.filter(session=s)}
    assert cert[a.pk].computed_status == "certified"
    assert cert[b.pk].computed_status == "partially_certified"
    assert cert[b.pk].validated_blocks == [b1.code]
    assert cert[c.pk].computed_status == "not_certified"


def test_a_stranger_cannot_deliberate():
    w = world(learners=1)
    s = session(w)
    with pytest.raises(DomainError) as err:
        services.deliberate(session=s, actor=w.director)
    assert err.value.code == "not_authorised"


def test_override_needs_a_justification_and_keeps_the_computed_value():
    w, s = _deliberated()
    d = _decision(s, w.enrolments[1], w.blocks[1])
    with translation.override("fr"), pytest.raises(DomainError) as err:
        services.decision_override(
            decision=d,
            status="validated",
            justification="  ",
            expected_version=d.version,
            actor=w.member,
        )
    assert "justification" in err.value.message
    assert _decision(s, w.enrolments[1], w.blocks[1]).override_status is None
    services.decision_override(
        decision=d,
        status="validated",
        justification="Stage validé par le tuteur",
        expected_version=d.version,
        actor=w.member,
    )
    d = _decision(s, w.enrolments[1], w.blocks[1])
    assert (d.computed_status, d.override_status, d.status) == (
        "not_validated",
        "validated",
        "validated",
    )
    assert d.overridden_by == w.member
    # the certification decision follows the final block statuses: b1 + b2 common → certified? no
    # optional block, k = 1 → still partially certified, now with two blocks
    cert = CertificationDecision.objects.get(session=s, enrolment=w.enrolments[1])
    assert cert.validated_blocks == [w.blocks[0].code, w.blocks[1].code]


def test_two_members_override_at_once_one_wins_the_other_is_told():
    w, s = _deliberated()
    d = _decision(s, w.enrolments[1], w.blocks[1])
    seen = d.version
    services.decision_override(
        decision=d,
        status="validated",
        justification="Premier",
        expected_version=seen,
        actor=w.member,
    )
    with translation.override("fr"), pytest.raises(DomainError) as err:
        services.decision_override(
            decision=d,
            status="incomplete",
            justification="Second avis",
            expected_version=seen,
            actor=w.member2,
        )
    assert err.value.code == "conflict"
    assert "Second avis" in err.value.message  # the loser's text comes back: nothing lost
    assert "membre du jury" in err.value.message or "jury" in err.value.message
    d = _decision(s, w.enrolments[1], w.blocks[1])
    assert (d.override_status, d.justification) == ("validated", "Premier")


def test_close_freezes_minutes_and_refuses_every_later_write():
    w, s = _deliberated()
    with pytest.raises(DomainError):
        services.session_close(session=s, actor=w.member)  # president only
    s = services.session_close(session=s, actor=w.president)
    assert s.status == "closed" and s.signed_by == w.president
    data = s.minutes_pdf.open("rb").read()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == s.minutes_sha256
    assert services.minutes_verify(session=s).ok
    d = _decision(s, w.enrolments[1], w.blocks[1])
    with translation.override("fr"), pytest.raises(DomainError) as err:
        services.decision_override(
            decision=d,
            status="validated",
            justification="Trop tard",
            expected_version=d.version,
            actor=w.president,
        )
    assert err.value.code == "closed" and "close" in err.value.message.lower()
    with pytest.raises(DomainError):
        services.deliberate(session=s, actor=w.president)
    assert _decision(s, w.enrolments[1], w.blocks[1]).override_status is None
    # capitalised: every validated block, route training, dated the session
    held = set(BlockValidation.objects.values_list("learner_id", "block__code", "route"))
    a = w.enrolments[0].learner_id
    assert (a, w.blocks[0].code, "training") in held
    assert len([h for h in held if h[0] == a]) == 3


def test_minutes_tampering_is_detected_by_the_command(capsys):
    w, s = _deliberated()
    s = services.session_close(session=s, actor=w.president)
    call_command("verify_minutes", str(s.pk))
    assert s.minutes_sha256 in capsys.readouterr().out
    name = s.minutes_pdf.name
    storage = s.minutes_pdf.storage
    storage.delete(name)
    storage.save(name, __import__("io").BytesIO(b"%PDF-1.7 forged"))
    check = services.minutes_verify(session=s)
    assert not check.ok
    with pytest.raises(SystemExit):
        call_command("verify_minutes", str(s.pk))


def test_learners_are_notified_on_close_in_their_language(django_capture_on_commit_callbacks):
    w, s = _deliberated()
    en = w.enrolments[0].learner.user
    en.preferred_language = "en"
    en.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_close(session=s, actor=w.president)
    assert len(mail.outbox) == 3
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "has decided: certified" in by_to[en.email].body
    fr = by_to[w.enrolments[1].learner.user.email]
    assert "a décidé : certifié partiellement" in fr.body
    assert "recours dans les 30 jours" in fr.body


def test_a_correction_is_a_new_decision_in_a_later_session_citing_the_old():
    w, s = _deliberated()
    services.session_close(session=s, actor=w.president)
    old = _decision(s, w.enrolments[1], w.blocks[1])
    later = session(w, day=dt.date(2025, 9, 1), title="Jury septembre")
    with pytest.raises(DomainError):
        services.decision_correct(
            old=old, session=later, status="validated", justification="", actor=w.president
        )
    new = services.decision_correct(
        old=old,
        session=later,
        status="validated",
        justification="Erreur de saisie",
        actor=w.president,
    )
    assert new.cites == old and new.session == later and new.status == "validated"
    assert _decision(s, w.enrolments[1], w.blocks[1]).status == "not_validated"  # frozen
    assert services.minutes_verify(session=JurySession.objects.get(pk=s.pk)).ok


def test_appeal_within_the_period_decided_by_a_later_session():
    w, s = _deliberated()
    s = services.session_close(session=s, actor=w.president)
    decision = CertificationDecision.objects.get(session=s, enrolment=w.enrolments[1])
    learner = w.enrolments[1].learner.user
    closed_on = timezone.localdate(s.closed_at)
    with pytest.raises(DomainError) as err:
        services.appeal_lodge(
            decision=decision,
            reason="Note mal reportée",
            actor=learner,
            today=closed_on + dt.timedelta(days=s.appeal_days + 1),
        )
    assert err.value.code == "too_late"
    with pytest.raises(DomainError):
        services.appeal_lodge(decision=decision, reason="x", actor=w.enrolments[0].learner.user)
    appeal = services.appeal_lodge(decision=decision, reason="Note mal reportée", actor=learner)
    with pytest.raises(DomainError):
        services.appeal_decide(appeal=appeal, session=s, upheld=True, note="ok", actor=w.president)
    later = session(w, day=dt.date(2025, 9, 1), title="Jury septembre")
    appeal = services.appeal_decide(
        appeal=appeal, session=later, upheld=False, note="Notes vérifiées", actor=w.president
    )
    assert appeal.status == "rejected" and appeal.decided_in == later


def test_what_if_recomputes_without_saving():
    w, s = _deliberated()
    b = w.enrolments[1]
    comp = w.blocks[1].competencies.order_by("position").first()
    before = list(BlockDecision.objects.filter(session=s).values_list("computed_status", "version"))
    result = services.what_if(
        session=s, enrolment=b, competency=comp, grade=Decimal("12"), actor=w.member
    )
    row = {blk.code: (now, then) for blk, now, then, _r in result.blocks}
    assert row[w.blocks[1].code] == ("not_validated", "not_validated")  # C2 still at 8
    both = services.what_if(
        session=s, enrolment=b, competency=comp, grade=Decimal("12"), actor=w.member
    )
    assert both.decision_now == "partially_certified"
    with pytest.raises(DomainError):
        services.what_if(
            session=s, enrolment=b, competency=comp, grade=Decimal("21"), actor=w.member
        )
    after = list(BlockDecision.objects.filter(session=s).values_list("computed_status", "version"))
    assert before == after


def test_capitalised_block_survives_a_later_failed_session():
    w, s = _deliberated()
    services.session_close(session=s, actor=w.president)
    a = w.enrolments[0]
    grade(w, a, w.blocks[0], 3)  # later evidence fails
    later = session(w, day=dt.date(2026, 7, 1), title="Jury 2026")
    services.deliberate(session=later, actor=w.president)
    d = _decision(later, a, w.blocks[0])
    assert d.computed_status == "validated"
    assert d.reasons[0]["code"] == "capitalised"


def test_earlier_version_block_carried_over_by_a_whole_crosswalk_entry():
    from capitalis.referential.models import CrosswalkEntry

    w = world(learners=1)
    a = w.enrolments[0]
    old_block = w.earlier.blocks.order_by("position").first()
    CrosswalkEntry.objects.create(
        crosswalk=w.version.crosswalks_in.get(),
        from_block=old_block,
        to_block=w.blocks[0],
        coverage="whole",
    )
    BlockValidation.objects.create(
        learner=a.learner,
        block=old_block,
        version=w.earlier,
        validated_on=dt.date(2023, 7, 1),
        route="training",
    )
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    d = _decision(s, a, w.blocks[0])
    assert d.computed_status == "validated" and d.reasons[0]["code"] == "carried_over"
    assert d.reasons[0]["params"]["from_block"] == old_block.code


def test_vae_total_or_partial_validation_capitalised_like_training():
    w = world(learners=1)
    learner = w.enrolments[0].learner
    cand = services.vae_candidate_create(
        learner=learner,
        version=w.version,
        experience_summary="Dix ans",
        experience_years=10,
        actor=w.director,
    )
    services.vae_admissibility_decide(
        candidate=cand, admissible=True, note="", actor=w.director, today=dt.date(2025, 3, 1)
    )
    dossier = VaeDossier.objects.get(candidate=cand)
    with pytest.raises(DomainError):
        services.vae_document_add(dossier=dossier, title="Livret 2", blocks=[], actor=w.director)
    services.vae_document_add(
        dossier=dossier, title="Livret 2", blocks=w.blocks[:2], actor=w.director
    )
    s = session(w)
    with pytest.raises(DomainError):
        services.vae_outcome_decide(
            dossier=dossier, outcomes={w.blocks[0].pk: (True, "")}, actor=w.member
        )
    services.vae_interview_record(
        dossier=dossier, session=s, on=dt.date(2025, 7, 1), note="Entretien", actor=w.member
    )
    dossier.refresh_from_db()
    services.vae_outcome_decide(
        dossier=dossier,
        outcomes={
            w.blocks[0].pk: (True, "Preuves solides"),
            w.blocks[1].pk: (False, "Insuffisant"),
        },
        actor=w.president,
    )
    held = list(BlockValidation.objects.filter(learner=learner).values_list("block_id", "route"))
    assert held == [(w.blocks[0].pk, "vae")]
    services.deliberate(session=s, actor=w.president)
    assert _decision(s, w.enrolments[0], w.blocks[0]).computed_status == "validated"


def test_a_vae_candidate_who_was_not_a_learner_becomes_one_through_enrolment():
    """The jury registers the candidate; the learner record is enrolment's: created with the
    learner role and its audit row, like an admitted candidate's."""
    from capitalis.core.audit import Action
    from capitalis.core.models import AuditEvent
    from tests.factories.accounts import UserFactory

    w = world(learners=0)
    person = UserFactory(email="vae-new@example.org")
    cand = services.vae_candidate_create(
        user=person,
        version=w.version,
        experience_summary="Douze ans",
        experience_years=12,
        actor=w.director,
    )
    assert cand.learner.user == person
    assert has_role(grants_for(user=person), Role.LEARNER)
    created = AuditEvent.objects.filter(
        action=Action.LEARNER_CREATE, target_id=str(cand.learner.pk)
    )
    assert created.get().actor == w.director
