"""Jury API: scoped (a jury member only her session, a learner only herself), validated against
the served OpenAPI schema; overrides (justification, concurrency → 409), closing, verifying."""

from __future__ import annotations

import pytest
from django.test import Client

from capitalis.jury import services
from capitalis.jury.models import BlockDecision
from tests.jury.builders import grade, person, session, world
from tests.openapi_checks import answer_validated
from tests.referential.test_api import get_validated

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="fr")
    c.force_login(user)
    return c


def _ready():
    w = world(learners=2)
    for e in w.enrolments:
        grade(w, e, w.blocks[0], 13)
        grade(w, e, w.blocks[1], 6)
    s = session(w)
    other = session(w, title="Autre jury")
    other.members.clear()
    services.deliberate(session=s, actor=w.president)
    return w, s, other


def test_member_sees_only_her_sessions_and_decisions(openapi):
    w, s, other = _ready()
    outsider = person("out@example.org", "Dehors")
    c = as_user(w.member)
    r = get_validated(c, openapi, "/api/jury/sessions/")
    assert [x["id"] for x in r.json()["results"]] == [s.pk]  # not the session she does not sit on
    r = get_validated(c, openapi, f"/api/jury/sessions/{s.pk}/decisions/")
    assert len(r.json()) == 2 * len(w.blocks)
    assert as_user(w.member).get(f"/api/jury/sessions/{other.pk}/decisions/").status_code == 404
    assert as_user(outsider).get(f"/api/jury/sessions/{s.pk}/").status_code == 404
    learner = w.enrolments[0].learner.user
    assert as_user(learner).get(f"/api/jury/sessions/{s.pk}/decisions/").status_code == 404
    assert Client().get("/api/jury/sessions/").status_code in (401, 403)


def test_override_via_api_justification_and_conflict(openapi):
    w, s, _ = _ready()
    d = BlockDecision.objects.get(session=s, enrolment=w.enrolments[0], block=w.blocks[1])
    url = f"/api/jury/sessions/{s.pk}/override/"
    body = {"kind": "block", "decision": d.pk, "status": "validated", "version": d.version}

    def post(user, justification):
        r = as_user(user).post(
            url, {**body, "justification": justification}, content_type="application/json"
        )
        return answer_validated(openapi, url, r)  # refusals too have their documented shape

    r = post(w.member, "")
    assert r.status_code == 400 and "justification" in r.json()["detail"]
    assert r.json()["code"] == "justification_required"
    r = post(w.member, "Stage")
    assert r.status_code == 200 and r.json()["status"] == "validated"
    r = post(w.member2, "Autre")
    assert r.status_code == 409 and "Autre" in r.json()["detail"]
    assert r.json()["code"] == "conflict"
    r = as_user(w.member).post(
        url, {**body, "decision": 0, "justification": "x"}, content_type="application/json"
    )
    assert answer_validated(openapi, url, r).status_code == 404


def test_close_verify_then_writes_refused():
    w, s, _ = _ready()
    # only the president closes: a member is refused (403, not_authorised)
    refused = as_user(w.member).post(f"/api/jury/sessions/{s.pk}/close/")
    assert refused.status_code == 403 and refused.json()["code"] == "not_authorised"
    r = as_user(w.president).post(f"/api/jury/sessions/{s.pk}/close/")
    # a background job: 202, the job (run at once without a broker) and its address
    assert r.status_code == 202 and r["Location"] == r.json()["api_url"]
    job = as_user(w.president).get(r["Location"]).json()
    assert job["status"] == "done" and len(job["result"]["minutes_sha256"]) == 64
    assert as_user(w.member).get(f"/api/jury/sessions/{s.pk}/verify/").json()["ok"] is True
    r = as_user(w.president).post(f"/api/jury/sessions/{s.pk}/deliberate/")
    assert r.status_code == 409 and r.json()["code"] == "closed"


def test_learner_sees_only_herself(openapi):
    w, s, _ = _ready()
    services.session_close(session=s, actor=w.president)
    me = w.enrolments[0]
    r = get_validated(as_user(me.learner.user), openapi, "/api/jury/me/blocks/")
    data = r.json()
    assert [d["enrolment"] for d in data["decisions"]] == [me.pk]
    assert [v["block"] for v in data["validated"]] == [w.blocks[0].code]


def test_what_if_via_api():
    w, s, _ = _ready()
    comp = w.blocks[1].competencies.order_by("position").first()
    r = as_user(w.member).post(
        f"/api/jury/sessions/{s.pk}/what-if/",
        {"enrolment": w.enrolments[0].pk, "competency": comp.pk, "grade": "19"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert r.json()["blocks"][1]["now"] == "not_validated"


def test_appeal_lodged_by_the_learner_decided_by_a_later_session():
    import datetime as dt

    from capitalis.jury.models import CertificationDecision

    w, s, _ = _ready()
    services.session_close(session=s, actor=w.president)
    mine = CertificationDecision.objects.get(session=s, enrolment=w.enrolments[0])
    theirs = CertificationDecision.objects.get(session=s, enrolment=w.enrolments[1])
    me = as_user(w.enrolments[0].learner.user)
    r = me.post("/api/jury/me/appeals/", {"decision": theirs.pk, "reason": "x"})
    assert r.status_code == 404  # not hers
    r = me.post("/api/jury/me/appeals/", {"decision": mine.pk, "reason": ""})
    assert r.status_code == 400
    r = me.post("/api/jury/me/appeals/", {"decision": mine.pk, "reason": "Note mal reportée"})
    assert r.status_code == 201 and r.json()["status"] == "lodged"
    appeal_id = r.json()["id"]
    later = session(w, day=dt.date(2025, 9, 1), title="Jury septembre")
    body = {"appeal": appeal_id, "upheld": True, "note": "Erreur de report confirmée"}
    r = as_user(w.member).post(
        f"/api/jury/sessions/{s.pk}/decide-appeal/", body, content_type="application/json"
    )
    assert r.status_code == 409  # the closed session cannot decide
    r = as_user(w.member).post(
        f"/api/jury/sessions/{later.pk}/decide-appeal/", body, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "upheld"


def test_vae_outcome_via_api_capitalises_the_block():
    import datetime as dt

    from capitalis.jury.models import BlockValidation, VaeDossier

    w = world(learners=1)
    s = session(w)
    cand = services.vae_candidate_create(
        user=person("vae@example.org", "Candidat VAE"),
        version=w.version,
        experience_summary="",
        experience_years=8,
        actor=w.director,
    )
    services.vae_admissibility_decide(
        candidate=cand, admissible=True, note="", actor=w.director, today=dt.date(2025, 3, 1)
    )
    dossier = VaeDossier.objects.get(candidate=cand)
    services.vae_interview_record(
        dossier=dossier, session=s, on=s.date, note="Entretien", actor=w.president
    )
    body = {
        "dossier": dossier.pk,
        "block": w.blocks[2].pk,
        "validated": True,
        "justification": "Ok",
    }
    r = as_user(w.member).post(
        f"/api/jury/sessions/{s.pk}/vae-outcome/", body, content_type="application/json"
    )
    assert r.status_code == 200 and r.json() == {"validated_blocks": 1}
    assert BlockValidation.objects.get(learner=cand.learner).route == "vae"
    outsider = person("out2@example.org", "Dehors")
    r = as_user(outsider).post(
        f"/api/jury/sessions/{s.pk}/vae-outcome/", body, content_type="application/json"
    )
    assert r.status_code == 404


@pytest.mark.parametrize("justification", [None, "", "   ", "\n\t"])
def test_override_refuses_a_null_or_blank_justification_and_changes_nothing(justification):
    w, s, _ = _ready()
    d = BlockDecision.objects.get(session=s, enrolment=w.enrolments[0], block=w.blocks[1])
    before = (d.status, d.version, d.overridden_at)
    r = as_user(w.member).post(
        f"/api/jury/sessions/{s.pk}/override/",
        {
            "kind": "block",
            "decision": d.pk,
            "status": "validated",
            "version": d.version,
            "justification": justification,
        },
        content_type="application/json",
    )
    assert r.status_code == 400
    body = r.content.decode()
    # In French: the service's message, or DRF's own for a null.
    assert "justification" in body or "nul" in body, body
    d.refresh_from_db()
    assert (d.status, d.version, d.overridden_at) == before


@pytest.mark.parametrize("justification", ["", "   "])
def test_override_page_refuses_a_blank_justification(justification):
    w, s, _ = _ready()
    d = BlockDecision.objects.get(session=s, enrolment=w.enrolments[0], block=w.blocks[1])
    before = (d.status, d.version, d.overridden_at)
    r = as_user(w.member).post(
        f"/jury/sessions/{s.pk}/override/block/{d.pk}/",
        {"status": "validated", "version": d.version, "justification": justification},
        follow=True,
    )
    assert r.status_code == 200
    assert "Modifier une décision exige une justification écrite." in r.content.decode()
    d.refresh_from_db()
    assert (d.status, d.version, d.overridden_at) == before
