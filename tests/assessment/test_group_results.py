"""Group results (SPEC §5): the course's lecturer (or a programme director) enters one result for
an assessment group — a grade and/or competency levels with a comment — on a page or through the
API, and every member receives it; a grade outside 0–20, an unknown group or a group of another
lecturer's course give a translated refusal and write nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from capitalis.assessment import services
from capitalis.assessment.models import Result
from capitalis.core.exceptions import DomainError
from tests.assessment.builders import exam, world
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


@pytest.fixture
def group(w):
    a = exam(w)
    return services.assessment_group_set(
        assessment=a, name="Équipe A", members=w.enrolments[:3], actor=w.lecturer
    )


def _api(group) -> str:
    return f"/api/assessment/groups/{group.pk}/results/"


def test_service_reaches_every_member_with_grade_and_levels(w, group):
    c0 = w.competencies[0]
    results = services.group_results_enter(
        group=group,
        grade="13,5",
        levels={c0.pk: "acquired"},
        comment="Bon travail",
        actor=w.lecturer,
    )
    assert len(results) == 6
    whole = Result.objects.filter(competency__isnull=True)
    assert sorted(r.enrolment_id for r in whole) == sorted(e.pk for e in w.enrolments[:3])
    assert {r.grade for r in whole} == {Decimal("13.50")}
    assert {r.level for r in Result.objects.filter(competency=c0)} == {"acquired"}
    assert {r.comment for r in Result.objects.all()} == {"Bon travail"}
    assert not Result.objects.filter(enrolment=w.enrolments[3]).exists()


def test_service_refusals_write_nothing(w, group):
    c0 = w.competencies[0]
    cases = [
        ({"grade": "21", "actor": w.lecturer}, "grade"),
        # the level is bad: the grade that came first is rolled back too
        ({"grade": "12", "levels": {c0.pk: "genius"}, "actor": w.lecturer}, "level"),
        ({"levels": {999999: "acquired"}, "actor": w.lecturer}, "competency"),
        ({"actor": w.lecturer}, "empty"),
        ({"grade": "12", "actor": w.other_lecturer}, "not_authorised"),
    ]
    for kwargs, code in cases:
        with pytest.raises(DomainError) as refused:
            services.group_results_enter(group=group, **kwargs)
        assert refused.value.code == code
    assert Result.objects.count() == 0


def test_page_enters_the_group_result(client, w, group):
    client.force_login(w.lecturer)
    results_page = client.get(f"/assessment/{group.assessment_id}/results/").content.decode()
    url = f"/assessment/{group.assessment_id}/groups/"
    assert url in results_page
    assert url in client.get("/assessment/").content.decode()
    page = client.get(url, headers={"accept-language": "fr"})
    assert page.status_code == 200 and "Équipe A" in page.content.decode()
    c1 = w.competencies[1]
    done = client.post(
        url,
        {
            "group": group.pk,
            "grade": "15",
            "absence": "none",
            f"level-{c1.pk}": "mastered",
            "comment": "Soutenance claire",
        },
        headers={"accept-language": "fr"},
        follow=True,
    )
    assert "3 membre(s)" in done.content.decode()
    assert Result.objects.filter(grade=Decimal("15.00")).count() == 3
    assert Result.objects.filter(competency=c1, level="mastered").count() == 3


def test_page_bad_input_is_a_translated_error(client, w, group):
    client.force_login(w.lecturer)
    url = f"/assessment/{group.assessment_id}/groups/"
    bad = client.post(url, {"group": group.pk, "grade": "25"}, headers={"accept-language": "fr"})
    assert bad.status_code == 400
    assert "comprise entre 0 et 20" in bad.content.decode()
    unknown = client.post(url, {"group": 999999, "grade": "12"}, headers={"accept-language": "fr"})
    assert unknown.status_code == 400
    assert "Groupe inconnu" in unknown.content.decode()
    assert Result.objects.count() == 0
    client.force_login(w.other_lecturer)  # another lecturer's course
    assert client.get(url).status_code == 404
    assert client.post(url, {"group": group.pk, "grade": "12"}).status_code == 404
    assert Result.objects.count() == 0


def test_api_enters_and_refuses(w, group, openapi):
    api = APIClient()
    api.force_authenticate(w.director)
    path = _api(group)
    c0 = w.competencies[0]
    ok = answer_validated(
        openapi,
        path,
        api.post(path, {"grade": "11", "levels": {str(c0.pk): "in_progress"}}, "json"),
    )
    assert ok.status_code == 200 and ok.json()["members"] == 3
    assert len(ok.json()["results"]) == 6
    before = list(Result.objects.values_list("pk", "grade", "level"))
    api.force_authenticate(w.lecturer)
    for body, code in (
        ({"grade": "20.5"}, "grade"),
        ({"grade": "abc"}, "grade"),
        ({"levels": {"x": "acquired"}}, "competency"),
        ({}, "empty"),
    ):
        refused = answer_validated(
            openapi, path, api.post(path, body, "json", HTTP_ACCEPT_LANGUAGE="fr")
        )
        assert refused.status_code == 400 and refused.json()["code"] == code
    assert (
        "comprise entre 0 et 20"
        in api.post(path, {"grade": "-1"}, "json", HTTP_ACCEPT_LANGUAGE="fr").json()["detail"]
    )
    unknown = "/api/assessment/groups/999999/results/"
    assert (
        answer_validated(openapi, unknown, api.post(unknown, {"grade": "12"}, "json")).status_code
        == 404
    )
    api.force_authenticate(w.other_lecturer)
    other = answer_validated(openapi, path, api.post(path, {"grade": "12"}, "json"))
    assert other.status_code == 404
    assert list(Result.objects.values_list("pk", "grade", "level")) == before


def test_page_forms_a_group(client, w):
    a = exam(w)
    client.force_login(w.lecturer)
    url = f"/assessment/{a.pk}/groups/"
    page = client.get(url, headers={"accept-language": "fr"}).content.decode()
    assert "Former un groupe" in page
    members = [w.enrolments[0].pk, w.enrolments[1].pk]
    done = client.post(
        url,
        {"step": "group_set", "name": "Binôme 1", "members": members},
        headers={"accept-language": "fr"},
        follow=True,
    )
    assert "enregistré avec 2 membre(s)" in done.content.decode()
    (group,) = a.groups.all()
    assert sorted(group.members.values_list("pk", flat=True)) == sorted(members)
    refused = client.post(url, {"step": "group_set", "name": " ", "members": members}, follow=True)
    assert a.groups.count() == 1 and refused.status_code == 200
