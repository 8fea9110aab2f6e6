"""The printed demo learner login is an enrolled learner with results: after ``seed_demo`` her
"My blocks" page lists her blocks and her year (courses, grades, ECTS); the API gives her own
years (GET /api/jury/me/years/), and nothing to someone else."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from capitalis.accounts.demo import demo_email
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role
from capitalis.assessment import services as assessment_services
from capitalis.assessment.models import Result
from capitalis.enrolment.models import Learner
from capitalis.referential.models import Block
from tests.assessment.builders import exam, world

pytestmark = pytest.mark.django_db


def client_for(user, lang: str = "fr") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def test_demo_learner_login_sees_her_blocks_and_year(
    referential_data: None, tmp_path: Path, settings: Any
) -> None:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    out = StringIO()
    call_command("seed_demo", stdout=out)
    login = User.objects.get(email=demo_email(Role.LEARNER))
    learner = Learner.objects.get(user=login)
    enrolment = learner.enrolments.get()
    assert Result.objects.filter(enrolment=enrolment).exists()
    r = client_for(login).get(reverse("jury:my-blocks"))
    assert r.status_code == 200
    body = r.content.decode()
    version = enrolment.edition.programme.certification_version
    codes = list(Block.objects.filter(version=version).values_list("code", flat=True))
    assert codes and all(code in body for code in codes)
    assert "ECTS obtenus" in body and "/20" in body
    record = client_for(login).get(reverse("enrolment:me"), follow=True)  # "My record"
    assert record.status_code == 200
    # the printed note says so; a second seed changes nothing
    assert demo_email(Role.LEARNER) in out.getvalue()
    call_command("seed_demo", stdout=StringIO())
    assert Learner.objects.get(user=login).pk == learner.pk


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
