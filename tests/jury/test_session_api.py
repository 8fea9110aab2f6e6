"""Scheduling jury sessions through the API (POST, PATCH, preview), every answer validated
against the served OpenAPI schema: only a programme director writes; bad input is a 400 in
the documented error shape and changes nothing; a jury member sees her session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from capitalis.accounts.models import RoleAssignment, User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.jury.models import JurySession
from tests.jury.builders import person, world
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db

URL = "/api/jury/sessions/"


def as_user(user, language: str = "fr") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(user)
    return c


def _world():
    w = world(learners=2)
    User.objects.filter(pk__in=[w.president.pk, w.member.pk, w.member2.pk]).update(is_staff=True)
    return w


def _body(w, **changes):
    body = {
        "title": "Jury de juin",
        "version": w.version.pk,
        "date": "2026-06-01",
        "appeal_days": 30,
        "president": w.president.pk,
        "members": [w.member.pk],
        "filters": {"edition": w.edition.pk},
    }
    body.update(changes)
    return body


def _post(openapi, c: Client, url: str, body: dict, method: str = "post"):
    r = getattr(c, method)(url, body, content_type="application/json")
    return answer_validated(openapi, url, r, method=method)


def test_director_previews_then_creates_and_the_member_sees_it(openapi):
    w = _world()
    director = as_user(w.director)
    r = _post(openapi, director, URL + "preview/", {"version": w.version.pk, "filters": {}})
    assert r.status_code == 200
    assert sorted(x["enrolment"] for x in r.json()["learners"]) == [e.pk for e in w.enrolments]
    assert JurySession.objects.count() == 0  # a dry run
    r = _post(openapi, director, URL, _body(w))
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["members"] == [w.member.pk] and data["president"] == w.president.pk
    assert data["scope"]["edition"] == w.edition.pk and data["edition"] == w.edition.pk
    s = JurySession.objects.get(pk=data["id"])
    assert s.learners.count() == 2
    assert RoleAssignment.objects.filter(
        user=w.member, role=Role.JURY_MEMBER, scope=ScopeKind.JURY_SESSION, scope_id=s.pk
    ).exists()
    r = as_user(w.member).get(URL)
    assert [x["id"] for x in r.json()["results"]] == [s.pk]


def test_director_edits_with_patch_and_the_removed_member_loses_her_grant(openapi):
    w = _world()
    created = _post(openapi, as_user(w.director), URL, _body(w)).json()
    url = f"{URL}{created['id']}/"
    r = _post(
        openapi,
        as_user(w.director),
        url,
        {"members": [w.member2.pk], "date": "2026-06-03"},
        "patch",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["members"] == [w.member2.pk] and r.json()["date"] == "2026-06-03"
    assert r.json()["title"] == "Jury de juin"  # left out: kept
    assert not RoleAssignment.objects.filter(user=w.member, role=Role.JURY_MEMBER).exists()
    assert as_user(w.member).get(url).status_code == 404
    assert as_user(w.member2).get(url).status_code == 200


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        (lambda w: {"members": [w.president.pk]}, "president_is_member"),
        (lambda w: {"version": 999999}, "version"),
        (lambda w: {"president": w.enrolments[0].learner.user_id}, "president"),
        (lambda w: {"members": [999999]}, "members"),
        (lambda w: {"date": "demain"}, "invalid"),
        (lambda w: {"filters": {"campus": 999999}}, "campus"),
        (lambda w: {"title": ""}, "title"),
    ],
)
def test_bad_input_is_a_documented_400_and_changes_nothing(openapi, changes, code):
    w = _world()
    r = _post(openapi, as_user(w.director), URL, _body(w, **changes(w)))
    assert r.status_code == 400 and r.json()["code"] == code and r.json()["detail"]
    assert JurySession.objects.count() == 0


def test_only_a_programme_director_writes(openapi):
    w = _world()
    created = _post(openapi, as_user(w.director), URL, _body(w)).json()
    url = f"{URL}{created['id']}/"
    r = _post(openapi, as_user(w.president), URL, _body(w, title="Le mien"))
    assert r.status_code == 403 and r.json()["code"] == "not_authorised"
    r = _post(openapi, as_user(w.president), url, {"title": "Renommé"}, "patch")
    assert r.status_code == 403
    r = _post(openapi, as_user(w.member), URL + "preview/", {"version": w.version.pk})
    assert r.status_code == 403
    outsider = person("out@example.org", "Dehors")
    assert as_user(outsider).patch(url, {}, content_type="application/json").status_code == 404
    assert JurySession.objects.get().title == "Jury de juin"


def test_closed_session_patch_refused_and_close_before_its_date(openapi):
    from capitalis.jury import services
    from tests.jury.builders import grade

    w = _world()
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    created = _post(openapi, as_user(w.director), URL, _body(w, date=future)).json()
    s = JurySession.objects.get(pk=created["id"])
    grade(w, w.enrolments[0], w.blocks[0], 12)
    services.deliberate(session=s, actor=w.president)
    r = _post(openapi, as_user(w.president), f"{URL}{s.pk}/close/", {})
    assert r.status_code == 400 and r.json()["code"] == "before_date"
    JurySession.objects.filter(pk=s.pk).update(status="closed", closed_at=dt.datetime.now(dt.UTC))
    r = _post(openapi, as_user(w.director, "en"), f"{URL}{s.pk}/", {"title": "X"}, "patch")
    assert r.status_code == 409 and r.json()["code"] == "session_closed"
    assert "closed" in r.json()["detail"]
    assert JurySession.objects.get(pk=s.pk).title == "Jury de juin"
