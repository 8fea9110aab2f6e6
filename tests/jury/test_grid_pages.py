"""The deliberation grid, paged (50 learners a page), searchable by name and filtered by the
certification decision ("needs attention": not certified, partially, or not deliberated): the
query count stays flat whatever the session's size, page or filter; an override made from a
page returns to that page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capitalis.enrolment.models import Enrolment, Learner
from capitalis.jury import queries, services
from capitalis.jury.models import BlockDecision
from tests.jury.builders import grade, person, session, world

pytestmark = pytest.mark.django_db


def client_for(user, lang: str = "fr") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def _add_learners(w, s, count: int, start: int = 100, value: int = 12) -> list[Enrolment]:
    first = w.enrolments[0]
    more = []
    for n in range(start, start + count):
        user = person(f"extra{n}@example.org", f"Extra {n:03d}")
        e = Enrolment.objects.create(
            learner=Learner.objects.create(user=user),
            edition=first.edition,
            year=first.year,
            campus=first.campus,
            track=first.track,
            specialisation=first.specialisation,
        )
        for blk in w.blocks[:3]:
            grade(w, e, blk, value)
        more.append(e)
    services.session_learners_add(session=s, enrolments=more, actor=w.president)
    return more


def _rows(html: str) -> int:
    return html.count('id="row-')


def test_grid_pages_of_fifty_with_a_flat_query_count():
    w = world(learners=2)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    c = client_for(w.president)
    url = reverse("jury:grid", args=[s.pk])
    with CaptureQueriesContext(connection) as small:
        r = c.get(url)
    assert _rows(r.content.decode()) == 2
    _add_learners(w, s, 118)  # 120 learners: pages of 50, 50, 20
    services.deliberate(session=s, actor=w.president)
    with CaptureQueriesContext(connection) as big:
        r = c.get(url)
    page = r.content.decode()
    assert _rows(page) == queries.GRID_PAGE_SIZE == 50
    assert "120 apprenants — page 1 sur 3" in page
    assert len(big) == len(small)
    with CaptureQueriesContext(connection) as last:
        r = c.get(url, {"page": 3})
    assert _rows(r.content.decode()) == 20 and "page 3 sur 3" in r.content.decode()
    assert len(last) == len(small)
    assert _rows(c.get(url, {"page": 99}).content.decode()) == 20  # clamped to the last
    assert _rows(c.get(url, {"page": "x"}).content.decode()) == 50  # malformed: the first
    assert len(small) <= 16, [q["sql"][:80] for q in small.captured_queries]


def test_search_by_name_and_filter_needs_attention_with_a_flat_query_count():
    w = world(learners=2)
    good, weak = w.enrolments
    for blk in w.blocks[:3]:
        grade(w, good, blk, 14)  # certified
    grade(w, weak, w.blocks[0], 12)  # partially certified
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    c = client_for(w.president)
    url = reverse("jury:grid", args=[s.pk])
    with CaptureQueriesContext(connection) as small:
        r = c.get(url, {"status": "attention"})
    page = r.content.decode()
    assert f'id="row-{weak.pk}"' in page and f'id="row-{good.pk}"' not in page

    more = _add_learners(w, s, 60, value=14)  # all certified once deliberated
    late = _add_learners(w, s, 1, start=500)[0]  # deliberated below: certified
    services.deliberate(session=s, actor=w.president)
    services.session_learners_add(
        session=s, enrolments=[_add_learners(w, s, 1, start=600)[0]], actor=w.president
    )
    with CaptureQueriesContext(connection) as big:
        r = c.get(url, {"status": "attention"})
    page = r.content.decode()
    assert len(big) == len(small)
    assert f'id="row-{weak.pk}"' in page and f'id="row-{more[0].pk}"' not in page
    assert "Extra 600" in page  # not deliberated yet: needs attention
    assert f'id="row-{late.pk}"' not in page  # deliberated and certified
    certified = c.get(url, {"status": "certified"}).content.decode()
    assert f'id="row-{good.pk}"' in certified and f'id="row-{weak.pk}"' not in certified

    found = c.get(url, {"q": "extra 105"}).content.decode()
    assert _rows(found) == 1 and "Extra 105" in found
    found = c.get(url, {"q": w.enrolments[1].learner.user.email}).content.decode()
    assert _rows(found) == 1 and f'id="row-{weak.pk}"' in found
    none = c.get(url, {"q": "personne"}).content.decode()
    assert _rows(none) == 0 and "Aucun apprenant ne correspond." in none


def test_an_override_from_a_filtered_page_returns_to_it():
    w = world(learners=2)
    weak = w.enrolments[1]
    grade(w, weak, w.blocks[0], 12)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    d = BlockDecision.objects.get(session=s, enrolment=weak, block=w.blocks[1])
    grid = reverse("jury:grid", args=[s.pk])
    c = client_for(w.president)
    form = c.get(
        reverse("jury:override", args=[s.pk, "block", d.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{grid}?q=Apprenant&status=attention&evil=1",
    ).content.decode()
    assert 'name="back" value="q=Apprenant&amp;status=attention"' in form
    r = c.post(
        reverse("jury:override", args=[s.pk, "block", d.pk]),
        {
            "status": "validated",
            "justification": "Stage probant",
            "version": d.version,
            "back": "q=Apprenant&status=attention&next=//evil.example",
        },
    )
    assert r["Location"] == f"{grid}?q=Apprenant&status=attention#row-{weak.pk}"
