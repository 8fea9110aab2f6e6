"""Jury pages: scoping, the grid (reasons on demand, flat query count), overrides through the
form (justification required, conflict told), close & verify, what-if, the learner's blocks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capitalis.jury import services
from capitalis.jury.models import BlockDecision
from tests.jury.builders import grade, person, session, world

pytestmark = pytest.mark.django_db


def client_for(user, lang: str = "fr") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def _ready(learners: int = 2):
    w = world(learners=learners)
    for e in w.enrolments:
        grade(w, e, w.blocks[0], 12)
        grade(w, e, w.blocks[1], 7)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    return w, s


def test_grid_in_french_with_reasons_and_override_forms():
    w, s = _ready()
    r = client_for(w.member).get(reverse("jury:grid", args=[s.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'lang="fr"' in body
    d = BlockDecision.objects.get(session=s, enrolment=w.enrolments[0], block=w.blocks[1])
    why = reverse("jury:reasons", args=[s.pk, "block", d.pk])
    assert f'href="{why}"' in body and "Pourquoi" in body
    part = client_for(w.member).get(why, headers={"HX-Request": "true"}).content.decode()
    assert part.startswith('<ul class="reasons">')
    assert "note pondérée 7.00/20, sous le seuil de 10" in part  # the reason, in French
    assert "note pondérée 7.00/20" in client_for(w.member).get(why).content.decode()
    url = reverse("jury:override", args=[s.pk, "block", d.pk])
    assert f'href="{url}"' in body
    form = client_for(w.member).get(url, headers={"HX-Request": "true"}).content.decode()
    assert form.startswith("<form") and "Justification (obligatoire)" in form
    page = client_for(w.member).get(url).content.decode()
    assert "<html" in page and "Justification (obligatoire)" in page


def test_a_stranger_or_learner_gets_404():
    w, s = _ready()
    learner = w.enrolments[0].learner.user
    assert client_for(learner).get(reverse("jury:grid", args=[s.pk])).status_code == 404
    other = person("x@example.org", "X")
    assert client_for(other).get(reverse("jury:grid", args=[s.pk])).status_code == 404
    assert client_for(w.director).get(reverse("jury:grid", args=[s.pk])).status_code == 200


def test_grid_query_count_does_not_grow_with_learners():
    w, s = _ready(learners=2)
    c = client_for(w.president)
    with CaptureQueriesContext(connection) as small:
        c.get(reverse("jury:grid", args=[s.pk]))
    from tests.jury.builders import Enrolment, Learner, person

    more = []
    for n in range(10, 18):
        u = person(f"extra{n}@example.org", f"Extra {n}")
        more.append(
            Enrolment.objects.create(
                learner=Learner.objects.create(user=u),
                edition=w.edition,
                year=w.enrolments[0].year,
                campus=w.enrolments[0].campus,
                track=w.enrolments[0].track,
                specialisation=w.enrolments[0].specialisation,
            )
        )
    services.session_learners_add(session=s, enrolments=more, actor=w.president)
    services.deliberate(session=s, actor=w.president)
    with CaptureQueriesContext(connection) as big:
        r = c.get(reverse("jury:grid", args=[s.pk]))
    assert r.content.decode().count('id="row-') == 10
    assert len(big) == len(small)


def test_override_without_justification_is_refused_in_french():
    w, s = _ready()
    d = BlockDecision.objects.get(session=s, enrolment=w.enrolments[0], block=w.blocks[1])
    url = reverse("jury:override", args=[s.pk, "block", d.pk])
    r = client_for(w.member).post(
        url, {"status": "validated", "justification": "", "version": d.version}, follow=True
    )
    assert "justification" in r.content.decode()
    d.refresh_from_db()
    assert d.override_status is None
    r = client_for(w.member).post(
        url, {"status": "validated", "justification": "Stage", "version": d.version}, follow=True
    )
    d.refresh_from_db()
    assert d.override_status == "validated"
    # a second member's form, opened before, is told and his text comes back
    r = client_for(w.member2).post(
        url,
        {"status": "incomplete", "justification": "Mon avis", "version": d.version - 1},
        follow=True,
    )
    assert "Mon avis" in r.content.decode()
    d.refresh_from_db()
    assert (d.override_status, d.justification) == ("validated", "Stage")


def test_close_verify_and_nothing_changes_after():
    w, s = _ready()
    assert (
        client_for(w.member).post(reverse("jury:close", args=[s.pk]), follow=True).status_code
        == 400
    )
    s.refresh_from_db()
    assert s.status == "open"  # a member cannot close
    r = client_for(w.president).post(reverse("jury:close", args=[s.pk]), follow=True)
    s.refresh_from_db()
    assert s.status == "closed"
    # closing ran as a background job: its page shows the outcome and links to the minutes
    page = r.content.decode()
    assert r.redirect_chain[-1][0].startswith("/jobs/")
    assert "La session est close" in page and reverse("jury:verify", args=[s.pk]) in page
    r = client_for(w.president).get(reverse("jury:verify", args=[s.pk]))
    assert s.minutes_sha256 in r.content.decode()
    assert 'data-ok="true"' in r.content.decode()
    pdf = client_for(w.president).get(reverse("jury:minutes", args=[s.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    d = BlockDecision.objects.get(session=s, enrolment=w.enrolments[0], block=w.blocks[1])
    client_for(w.member).post(
        reverse("jury:override", args=[s.pk, "block", d.pk]),
        {"status": "validated", "justification": "Trop tard", "version": d.version},
    )
    d.refresh_from_db()
    assert d.override_status is None


def test_what_if_page():
    w, s = _ready(learners=1)
    e = w.enrolments[0]
    comps = list(w.blocks[1].competencies.order_by("position"))
    url = reverse("jury:what-if", args=[s.pk, e.pk])
    r = client_for(w.member, "en").get(url, {"competency": comps[0].pk, "grade": "15"})
    assert r.status_code == 200 and "not validated" in r.content.decode()
    r = client_for(w.member, "en").get(url, {"competency": comps[0].pk, "grade": "25"})
    assert "between 0 and 20" in r.content.decode()


def test_learner_blocks_page_phone_readable_and_own_only():
    w, s = _ready()
    services.session_close(session=s, actor=w.president)
    me = w.enrolments[0].learner.user
    r = client_for(me, "en").get(reverse("jury:my-blocks"))
    body = r.content.decode()
    assert r.status_code == 200
    assert 'name="viewport"' in body
    assert w.blocks[0].code in body and "validated" in body
    assert "below threshold" in body  # why block 2 remains
    assert client_for(w.member).get(reverse("jury:my-blocks")).status_code == 404


@pytest.mark.parametrize(("learners", "told"), [(1, "1 apprenant."), (2, "2 apprenants.")])
def test_deliberation_message_counts_learners_in_french(learners, told):
    w = world(learners=learners)
    s = session(w)
    r = client_for(w.president).post(reverse("jury:deliberate", args=[s.pk]), follow=True)
    assert f"Délibération calculée pour {told}" in r.content.decode()
