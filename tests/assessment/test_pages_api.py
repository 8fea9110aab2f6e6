"""Assessment pages and API: the lecturer's list and grid (his courses only), entry with the
checks (nothing half-saved), the learner's results, the scoped API valid against the schema,
the assessment in the iCal feed, flat query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openapi_core import OpenAPI

from capitalis.assessment.models import Result
from capitalis.assessment.services import result_set
from capitalis.programmes.models import Calendar, CampusRhythm
from tests.assessment.builders import exam, world
from tests.referential.test_api import get_validated

pytestmark = pytest.mark.django_db


def _grid_post(w: Any, a: Any, values: dict[str, str]) -> dict[str, str]:
    data = {}
    for e in w.enrolments:
        for c in w.competencies[:2]:
            data[f"grade-{e.pk}-{c.pk}"] = ""
            data[f"absence-{e.pk}-{c.pk}"] = "none"
    data.update(values)
    return data


def test_lecturer_sees_only_his_courses_and_enters_a_grid(client: Client) -> None:
    w = world()
    a = exam(w)
    client.force_login(w.lecturer)
    page = client.get("/assessment/", headers={"accept-language": "en"})
    assert a.code in page.content.decode()
    grid = client.get(f"/assessment/{a.pk}/results/")
    assert grid.status_code == 200
    e0, e1 = w.enrolments[:2]
    c0 = w.competencies[0]
    response = client.post(
        f"/assessment/{a.pk}/results/",
        _grid_post(w, a, {f"grade-{e0.pk}-{c0.pk}": "12,5", f"grade-{e1.pk}-{c0.pk}": "14"}),
    )
    assert response.status_code == 302
    assert sorted(Result.objects.values_list("grade", flat=True)) == [  # type: ignore[type-var]
        Decimal("12.50"),
        Decimal("14.00"),
    ]
    # one bad cell: nothing saved, the cell says why
    response = client.post(
        f"/assessment/{a.pk}/results/",
        _grid_post(w, a, {f"grade-{e0.pk}-{c0.pk}": "5", f"grade-{e1.pk}-{c0.pk}": "25"}),
        headers={"accept-language": "fr"},
    )
    assert response.status_code == 400
    assert "comprise entre 0 et 20" in response.content.decode()
    assert "Rien n&#x27;a été enregistré" in response.content.decode()
    assert Result.objects.get(enrolment=e0).grade == Decimal("12.50")
    # another lecturer: 404
    client.force_login(w.other_lecturer)
    assert client.get(f"/assessment/{a.pk}/results/").status_code == 404
    assert client.post(f"/assessment/{a.pk}/results/", {}).status_code == 404


def test_grid_query_count_does_not_grow_with_learners(client: Client) -> None:
    counts = []
    w = world(learners=8)
    a = exam(w)
    client.force_login(w.lecturer)
    for n in (2, 8):
        for e in w.enrolments[:n]:
            result_set(assessment=a, enrolment=e, competency=w.competencies[0], grade=10,
                       actor=w.lecturer)  # fmt: skip
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/assessment/{a.pk}/results/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_learner_sees_only_her_results(client: Client) -> None:
    w = world(learners=2)
    a = exam(w)
    e0, e1 = w.enrolments
    result_set(assessment=a, enrolment=e0, competency=w.competencies[0], grade=9, actor=w.lecturer)
    result_set(assessment=a, enrolment=e1, competency=w.competencies[0], grade=17,
               comment="bravo", actor=w.lecturer)  # fmt: skip
    client.force_login(e1.learner.user)
    page = client.get("/assessment/my-results/").content.decode()
    assert "17/20" in page and "bravo" in page and "9/20" not in page
    assert client.get(f"/assessment/{a.pk}/results/").status_code == 404


def test_api_scoped_and_checked(client: Client, openapi: OpenAPI) -> None:
    w = world(learners=2)
    a = exam(w)
    e0, e1 = w.enrolments
    c0 = w.competencies[0]
    client.force_login(w.lecturer)
    created = client.post(
        "/api/assessment/results/",
        {"assessment": a.pk, "enrolment": e0.pk, "competency": c0.pk, "grade": "13.5"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    bad = client.post(
        "/api/assessment/results/",
        {"assessment": a.pk, "enrolment": e1.pk, "competency": c0.pk, "grade": "21"},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert bad.status_code == 400 and "between 0 and 20" in bad.json()["detail"]
    rid = created.json()["id"]
    patched = client.patch(
        f"/api/assessment/results/{rid}/", {"grade": "15"}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["grade"] == "15.00"
    listing = get_validated(client, openapi, "/api/assessment/results/")
    assert [r["grade"] for r in listing.json()["results"]] == ["15.00"]
    assert get_validated(client, openapi, "/api/assessment/assessments/").status_code == 200
    # another lecturer: sees nothing, may not write
    client.force_login(w.other_lecturer)
    refused = client.post(
        "/api/assessment/results/",
        {"assessment": a.pk, "enrolment": e1.pk, "competency": c0.pk, "grade": "10"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert (
        client.patch(
            f"/api/assessment/results/{rid}/", {"grade": "2"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/api/assessment/results/").json()["count"] == 0
    # the learner: her own only
    client.force_login(e0.learner.user)
    rows = client.get("/api/assessment/results/").json()["results"]
    assert [r["id"] for r in rows] == [rid]
    client.force_login(e1.learner.user)
    assert client.get("/api/assessment/results/").json()["count"] == 0
    assert Result.objects.get().grade == Decimal("15.00")


def test_assessment_appears_in_the_ics_feed(client: Client) -> None:
    w = world(learners=1)
    e = w.enrolments[0]
    CampusRhythm.objects.create(
        edition=w.edition,
        campus=e.campus,
        track=e.track,
        kind="alternating_weeks",
        params={"company_weeks": 3, "school_weeks": 1, "first": "school"},
    )
    a = exam(w, when=dt.date(2025, 1, 15))
    calendar = Calendar.objects.get(edition=w.edition, campus=e.campus, track=e.track)
    feed = client.get(f"/programmes/calendars/{calendar.token}.ics").content.decode()
    assert f"UID:assessment-{a.pk}-{calendar.pk}@capitalis" in feed
    assert "DTSTART;VALUE=DATE:20250115" in feed
