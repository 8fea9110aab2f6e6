"""VAE and appeal pages (SPEC §6): staff register a candidate and decide admissibility, the
dossier gets documents mapped to blocks, the session's jury records the interview and a
partial validation (capitalised, shown in the candidate's blocks); the learner lodges an appeal
on her blocks page within the period (after it: a French error), a later session's president
decides it from his dashboard, the learner sees the outcome. Scoping: others get 404."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from capitalis.jury import services
from capitalis.jury.models import (
    Appeal,
    BlockValidation,
    CertificationDecision,
    JurySession,
    VaeCandidate,
    VaeDocument,
)
from tests.jury.builders import grade, person, session, world

pytestmark = pytest.mark.django_db


def client_for(user, lang: str = "fr") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def test_vae_pages_from_registration_to_partial_validation(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    w = world(learners=1)
    s = session(w)
    staff = client_for(w.director)
    # only staff see the list
    assert client_for(w.member).get(reverse("jury:vae-list")).status_code == 404
    assert staff.get(reverse("jury:vae-list")).status_code == 200
    # bad input: no version → a French error, nothing created
    r = staff.post(
        reverse("jury:vae-list"),
        {"email": "vae@example.org", "full_name": "Candidate Vae", "years": "8", "version": ""},
    )
    assert r.status_code == 400
    assert "Choisissez la version de la certification" in r.content.decode()
    assert not VaeCandidate.objects.exists()
    r = staff.post(
        reverse("jury:vae-list"),
        {
            "email": "vae@example.org",
            "full_name": "Candidate Vae",
            "years": "8",
            "version": str(w.version.pk),
            "summary": "Huit ans de coopération (fictif).",
        },
    )
    candidate = VaeCandidate.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("jury:vae-detail", args=[candidate.pk])
    url = reverse("jury:vae-detail", args=[candidate.pk])
    # admissibility needs a note
    staff.post(url, {"action": "admissibility", "admissible": "yes", "note": ""})
    candidate.refresh_from_db()
    assert candidate.admissibility == "pending"
    staff.post(url, {"action": "admissibility", "admissible": "yes", "note": "Expérience utile"})
    candidate.refresh_from_db()
    assert candidate.admissibility == "admissible" and candidate.admissibility_note
    # the candidate herself adds a document mapped to two blocks
    own = client_for(candidate.learner.user)
    assert own.get(reverse("jury:my-vae")).status_code == 302
    r = own.post(
        url,
        {
            "action": "document",
            "title": "Livret 2",
            "blocks": [str(w.blocks[0].pk), str(w.blocks[1].pk)],
            "file": SimpleUploadedFile("livret.pdf", b"%PDF-1.4 demo", "application/pdf"),
        },
    )
    doc = VaeDocument.objects.get()
    assert set(doc.blocks.all()) == {w.blocks[0], w.blocks[1]} and doc.file
    # a document mapped to no block: French error, nothing added
    r = own.post(url, {"action": "document", "title": "Sans bloc"}, follow=True)
    assert "Rattachez la pièce à au moins un bloc" in r.content.decode()
    assert VaeDocument.objects.count() == 1
    # another learner, or a stranger, sees nothing
    other = person("other@example.org", "Autre")
    assert client_for(other).get(url).status_code == 404
    # the president records the interview, then a partial validation
    pres = client_for(w.president)
    r = pres.post(url, {"action": "interview", "session": "abc", "on": "2025-07-01"}, follow=True)
    assert "Choisissez la session de jury qui tient l&#x27;entretien" in r.content.decode()
    r = pres.post(url, {"action": "interview", "session": str(s.pk), "on": ""}, follow=True)
    assert "Saisissez la date de l&#x27;entretien" in r.content.decode()
    r = pres.post(
        url, {"action": "interview", "session": str(s.pk), "on": "2025-07-01", "note": "Bon."}
    )
    candidate.dossier.refresh_from_db()
    assert candidate.dossier.session == s and candidate.dossier.interview_on == dt.date(2025, 7, 1)
    r = pres.post(
        url,
        {
            "action": "outcome",
            f"block-{w.blocks[0].pk}": "validated",
            f"justification-{w.blocks[0].pk}": "Entretien convaincant",
            f"block-{w.blocks[1].pk}": "not_validated",
            f"justification-{w.blocks[1].pk}": "Preuves insuffisantes",
        },
        follow=True,
    )
    assert "1 bloc(s) validé(s)" in r.content.decode()
    validation = BlockValidation.objects.get(learner=candidate.learner)
    assert validation.block == w.blocks[0] and validation.route == "vae"
    # a member of no session cannot decide
    assert client_for(other).post(url, {"action": "outcome"}).status_code == 404
    # the candidate's blocks page shows the capitalised block through VAE
    body = own.get(reverse("jury:my-blocks")).content.decode()
    assert w.blocks[0].code in body and "validé" in body and "VAE" in body
    assert "non validé (VAE)" in body and "Preuves insuffisantes" in body
    body = own.get(url).content.decode()
    assert "Preuves insuffisantes" in body and "Livret 2" in body


def _closed():
    w = world(learners=2)
    for e in w.enrolments:
        grade(w, e, w.blocks[0], 12)
        grade(w, e, w.blocks[1], 7)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    s = services.session_close(session=s, actor=w.president)
    return w, s


def test_appeal_lodged_on_the_blocks_page_and_decided_by_a_later_session():
    w, s = _closed()
    learner = w.enrolments[0].learner.user
    decision = CertificationDecision.objects.get(session=s, enrolment=w.enrolments[0])
    me = client_for(learner)
    page = me.get(reverse("jury:my-blocks"))
    assert page.status_code == 200 and "Déposer un recours" in page.content.decode()
    # without a reason: French error, nothing lodged
    r = me.post(reverse("jury:my-blocks"), {"decision": decision.pk, "reason": " "}, follow=True)
    assert "Un recours doit être motivé" in r.content.decode()
    assert not Appeal.objects.exists()
    # someone else's decision: 404
    theirs = CertificationDecision.objects.get(session=s, enrolment=w.enrolments[1])
    r = me.post(reverse("jury:my-blocks"), {"decision": theirs.pk, "reason": "x"})
    assert r.status_code == 404
    me.post(reverse("jury:my-blocks"), {"decision": decision.pk, "reason": "Note mal reportée"})
    appeal = Appeal.objects.get()
    # the president of the same (closed, earlier) session has nothing to decide yet
    assert (
        "Recours à trancher"
        not in client_for(w.president).get(reverse("jury:dashboard")).content.decode()
    )
    later = session(w, day=dt.date(2025, 9, 1), title="Jury septembre")
    dash = client_for(w.president).get(reverse("jury:dashboard")).content.decode()
    decide = reverse("jury:appeal-decide", args=[later.pk, appeal.pk])
    assert "Recours à trancher" in dash and decide in dash
    # the learner may not open it; a note is required
    assert me.get(decide).status_code == 404
    r = client_for(w.president).post(decide, {"outcome": "upheld", "note": ""}, follow=True)
    assert "La décision sur un recours doit être motivée" in r.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "lodged"
    # the earlier (closed) session cannot decide it
    early = reverse("jury:appeal-decide", args=[s.pk, appeal.pk])
    client_for(w.president).post(early, {"outcome": "upheld", "note": "x"})
    appeal.refresh_from_db()
    assert appeal.status == "lodged"
    r = client_for(w.president).post(decide, {"outcome": "rejected", "note": "Notes vérifiées"})
    assert r.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "rejected" and appeal.decided_in == later
    body = me.get(reverse("jury:my-blocks")).content.decode()
    assert "Notes vérifiées" in body and "Jury septembre" in body


def test_appeal_after_the_period_is_refused_in_french():
    w, s = _closed()
    JurySession.objects.filter(pk=s.pk).update(
        closed_at=timezone.now() - timedelta(days=s.appeal_days + 2)
    )
    decision = CertificationDecision.objects.get(session=s, enrolment=w.enrolments[0])
    me = client_for(w.enrolments[0].learner.user)
    r = me.post(
        reverse("jury:my-blocks"), {"decision": decision.pk, "reason": "Trop tard"}, follow=True
    )
    assert "Le délai de recours a pris fin le" in r.content.decode()
    assert not Appeal.objects.exists()


def test_my_blocks_lists_the_version_blocks_and_the_year(settings):
    w = world(learners=1)
    grade(w, w.enrolments[0], w.blocks[0], 12)
    body = client_for(w.enrolments[0].learner.user).get(reverse("jury:my-blocks")).content.decode()
    for b in w.blocks:
        assert b.code in body
    assert "pas encore délibéré" in body
    assert "ECTS obtenus" in body


def test_vae_list_and_appeals_dashboard_query_counts_do_not_grow():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w, s = _closed()
    later = session(w, day=dt.date(2025, 9, 1), title="Jury septembre")
    assert later.pk

    def add(n: int) -> None:
        for i in range(n):
            user = person(f"vae{i}-{VaeCandidate.objects.count()}@example.org", f"Vae {i}")
            services.vae_candidate_create(
                user=user, version=w.version, experience_summary="", experience_years=3, actor=None
            )

    def lodge(enrolment) -> None:
        decision = CertificationDecision.objects.get(session=s, enrolment=enrolment)
        services.appeal_lodge(decision=decision, reason="Motif", actor=enrolment.learner.user)

    add(1)
    lodge(w.enrolments[0])
    staff, pres = client_for(w.director), client_for(w.president)
    with CaptureQueriesContext(connection) as small_list:
        assert staff.get(reverse("jury:vae-list")).status_code == 200
    with CaptureQueriesContext(connection) as small_dash:
        assert "Recours à trancher" in pres.get(reverse("jury:dashboard")).content.decode()
    add(5)
    lodge(w.enrolments[1])
    with CaptureQueriesContext(connection) as big_list:
        staff.get(reverse("jury:vae-list"))
    with CaptureQueriesContext(connection) as big_dash:
        body = pres.get(reverse("jury:dashboard")).content.decode()
    assert body.count("Trancher le recours") == 2
    assert len(big_list) == len(small_list)
    assert len(big_dash) == len(small_dash)
