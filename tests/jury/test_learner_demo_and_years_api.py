"""The API gives a learner her own years (GET /api/jury/me/years/), and nothing to someone else.
That the printed demo learner login sees her blocks and her year after ``seed_demo`` is checked
on the demo seeded once, in tests/demo/test_seeded_demo.py."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from capitalis.assessment import services as assessment_services
from tests.assessment.builders import exam, world

pytestmark = pytest.mark.django_db


def client_for(user, lang: str = "fr") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def test_years_api_gives_the_learner_her_own_year_only() -> None:
    w = world(learners=2)
    a = exam(w)
    assessment_services.result_set(
        assessment=a,
        enrolment=w.enrolments[0],
        competency=w.competencies[0],
        grade="14",
        actor=w.lecturer,
    )
    me = w.enrolments[0].learner.user
    r = client_for(me, "en").get(reverse("jury-api:my-years"))
    assert r.status_code == 200
    (year,) = r.json()
    assert year["enrolment"] == w.enrolments[0].pk
    course = next(c for c in year["courses"] if c["code"] == w.course.code)
    assert course["grade"] == "14.00" and course["passed"] and course["ects_earned"] == "7.5"
    assert year["status"] in ("incomplete", "not_validated", "validated")
    assert any("ECTS earned of" in reason for reason in year["reasons"])
    other = client_for(w.enrolments[1].learner.user).get(reverse("jury-api:my-years")).json()
    assert [y["enrolment"] for y in other] == [w.enrolments[1].pk]
    assert all(c["grade"] is None for c in other[0]["courses"])
    assert client_for(w.lecturer).get(reverse("jury-api:my-years")).json() == []
    assert Client().get(reverse("jury-api:my-years")).status_code in (401, 403)
