"""Corrections after the minutes are frozen (issue 5 point 5): from a later open session the
president opens a learner's decision of a closed session, reads it and records the corrected
status with a mandatory justification; the new decision cites the old one; the grid and the
learner's page show the correction and what it corrects. A missing justification is a
translated error with nothing saved; a direct change of the closed session's decision is
refused. Also through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from capitalis.jury import services
from capitalis.jury.models import BlockDecision, BlockValidation, CertificationDecision
from tests.jury.builders import grade, session, world

pytestmark = pytest.mark.django_db


def client_for(user, lang: str = "fr") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def _closed_and_later():
    """Learner 0 fails block 2 (8/20) in a closed July session; a September session is open."""
    w = world(learners=2)
    for e in w.enrolments:
        grade(w, e, w.blocks[0], 12)
        grade(w, e, w.blocks[1], 8)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    s = services.session_close(session=s, actor=w.president)
    later = session(w, day=dt.date(2025, 9, 1), title="Jury septembre")
    old = BlockDecision.objects.get(session=s, enrolment=w.enrolments[0], block=w.blocks[1])
    return w, s, later, old


def test_the_president_finds_opens_and_corrects_a_decision_shown_in_grid_and_learner_page():
    w, s, later, old = _closed_and_later()
    learner = w.enrolments[0].learner
    c = client_for(w.president)
    grid = c.get(reverse("jury:grid", args=[later.pk])).content.decode()
    assert reverse("jury:corrections", args=[later.pk]) in grid

    found = c.get(reverse("jury:corrections", args=[later.pk]), {"q": learner.user.full_name})
    page = found.content.decode()
    url = reverse("jury:correct", args=[later.pk, old.pk])
    assert url in page and "Jury juillet" in page
    other = BlockDecision.objects.get(session=s, enrolment=w.enrolments[1], block=w.blocks[1])
    assert reverse("jury:correct", args=[later.pk, other.pk]) not in page  # another learner

    opened = c.get(url).content.decode()
    assert "non validé" in opened and "compétences sous le seuil" in opened  # the old decision
    assert "Enregistrer la correction" in opened

    r = c.post(url, {"status": "validated", "justification": "Note de C2 mal reportée"})
    assert r.status_code == 302
    new = BlockDecision.objects.get(session=later, cites=old)
    assert new.status == "validated" and new.justification == "Note de C2 mal reportée"
    assert new.computed_status == "not_validated"  # what the earlier decision said, kept beside
    old.refresh_from_db()
    assert old.status == "not_validated" and old.version == 1  # the frozen decision untouched
    assert services.minutes_verify(session=s).ok

    grid = c.get(r["Location"]).content.decode()
    assert f'id="row-{w.enrolments[0].pk}"' in grid
    assert "corrige la décision de Jury juillet" in grid and "Note de C2 mal reportée" in grid
    listed = c.get(reverse("jury:corrections", args=[later.pk])).content.decode()
    assert "Note de C2 mal reportée" in listed

    # the later session closes: the block is capitalised by the correction, and the learner
    # reads what was corrected and why
    services.deliberate(session=later, actor=w.president)
    services.session_close(session=later, actor=w.president)
    held = BlockValidation.objects.get(learner=learner, block=w.blocks[1])
    assert held.decision == new and held.session == later
    mine = client_for(learner.user).get(reverse("jury:my-blocks")).content.decode()
    assert "Correction décidée par Jury septembre" in mine
    assert "corrige la décision de Jury juillet" in mine and "Note de C2 mal reportée" in mine


def test_correction_without_justification_is_a_translated_error_and_nothing_is_saved():
    w, _s, later, old = _closed_and_later()
    url = reverse("jury:correct", args=[later.pk, old.pk])
    r = client_for(w.president).post(url, {"status": "validated", "justification": "   "})
    assert r.status_code == 400
    assert "Une correction exige une justification écrite." in r.content.decode()
    assert not BlockDecision.objects.filter(session=later).exists()
    r = client_for(w.president, "en").post(url, {"status": "validated", "justification": ""})
    assert "A correction needs a written justification." in r.content.decode()
    assert not BlockDecision.objects.filter(session=later).exists()


def test_only_the_president_records_a_correction():
    w, _s, later, old = _closed_and_later()
    url = reverse("jury:correct", args=[later.pk, old.pk])
    member = client_for(w.member)
    assert "Enregistrer la correction" not in member.get(url).content.decode()
    r = member.post(url, {"status": "validated", "justification": "Erreur"})
    assert r.status_code == 400
    assert "Seul le président de cette session de jury peut le faire." in r.content.decode()
    assert not BlockDecision.objects.filter(session=later).exists()


def test_the_service_itself_refuses_a_correction_by_a_member():
    """The rule lives in the service, not only in the page and the API: any caller is held."""
    from capitalis.core.exceptions import DomainError
    from capitalis.core.models import AuditEvent

    w, _s, later, old = _closed_and_later()
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError) as error:
        services.decision_correct(
            old=old, session=later, status="validated", justification="Erreur", actor=w.member
        )
    assert error.value.code == "not_authorised"
    assert not BlockDecision.objects.filter(session=later).exists()
    assert AuditEvent.objects.count() == audits


def test_editing_the_closed_sessions_decision_directly_is_refused():
    w, s, _later, old = _closed_and_later()
    c = client_for(w.president)
    # overriding it in its own (closed) session
    override = reverse("jury:override", args=[s.pk, "block", old.pk])
    r = c.post(
        override,
        {"status": "validated", "justification": "Erreur", "version": old.version},
        follow=True,
    )
    assert "Cette session de jury est close" in r.content.decode()
    # "correcting" it from the closed session itself
    r = c.post(
        reverse("jury:correct", args=[s.pk, old.pk]),
        {"status": "validated", "justification": "Erreur"},
    )
    assert r.status_code == 400 and "Cette session de jury est close" in r.content.decode()
    old.refresh_from_db()
    assert old.status == "not_validated" and old.override_status is None and old.version == 1
    assert not BlockDecision.objects.filter(cites=old).exists()
    assert services.minutes_verify(session=s).ok


def test_a_correction_of_a_deliberated_learner_updates_her_certification_decision():
    w, _s, later, old = _closed_and_later()
    grade(w, w.enrolments[0], w.blocks[2], 14)  # the optional block, validated in September
    services.deliberate(session=later, actor=w.president)
    before = CertificationDecision.objects.get(session=later, enrolment=w.enrolments[0])
    assert before.status == "partially_certified"
    services.decision_correct(
        old=old, session=later, status="validated", justification="Erreur", actor=w.president
    )
    after = CertificationDecision.objects.get(session=later, enrolment=w.enrolments[0])
    assert after.status == "certified"


def test_correction_through_the_api():
    w, _s, later, old = _closed_and_later()
    url = f"/api/jury/sessions/{later.pk}/correct/"
    api = client_for(w.president)
    r = api.post(url, {"decision": old.pk, "status": "validated", "justification": ""})
    assert r.status_code == 400 and r.json()["code"] == "justification_required"
    assert not BlockDecision.objects.filter(session=later).exists()
    r = client_for(w.member).post(
        url, {"decision": old.pk, "status": "validated", "justification": "Erreur"}
    )
    assert r.status_code == 403 and r.json()["code"] == "not_authorised"
    r = api.post(url, {"decision": old.pk, "status": "validated", "justification": "Erreur"})
    assert r.status_code == 201, r.content
    assert r.json()["cites"] == old.pk and r.json()["status"] == "validated"
