"""The lecturer's assessment form and API (SPEC §5): create and edit an assessment of his
course (modality, date, weight, session, competencies with criteria); another's course or
assessment answers 404; bad input answers translated errors and saves nothing."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client
from django.urls import reverse

from capitalis.assessment.models import Assessment
from capitalis.programmes.models import CalendarEvent
from capitalis.referential.models import EvaluationCriterion
from tests.assessment.builders import exam, world

pytestmark = pytest.mark.django_db


def client_for(user, lang: str = "fr") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def text(response) -> str:
    return html.unescape(response.content.decode())


def _criteria(w):
    c0, c1 = w.competencies[:2]
    k0 = EvaluationCriterion.objects.create(competency=c0, code="CR0", text_fr="Critère 0")
    k1 = EvaluationCriterion.objects.create(competency=c1, code="CR1", text_fr="Critère 1")
    return k0, k1


def _post(w, **over):
    data = {
        "course": str(w.course.pk),
        "code": "CAS-1",
        "title_fr": "Étude de cas",
        "title_en": "Case study",
        "modality": "group_case_study",
        "date": "2025-02-10",
        "weight": "2",
        "session": "first",
        "competencies": [str(w.competencies[0].pk), str(w.competencies[1].pk)],
    }
    data.update(over)
    return data


def test_lecturer_creates_an_assessment_with_competencies_and_criteria():
    w = world(learners=2)
    k0, k1 = _criteria(w)
    c = client_for(w.lecturer)
    page = c.get(reverse("assessment:create"))
    assert page.status_code == 200 and "Nouvelle évaluation" in page.content.decode()
    # only his course is offered
    markup = page.content.decode()
    select = markup[markup.index('name="course"') :]
    select = select[: select.index("</select>")]
    assert f'value="{w.course.pk}"' in select and f'value="{w.other_course.pk}"' not in select
    r = c.post(reverse("assessment:create"), _post(w, criteria=[str(k0.pk), str(k1.pk)]))
    assert r.status_code == 302
    a = Assessment.objects.get(code="CAS-1")
    assert a.course == w.course and a.modality == "group_case_study" and a.weight == 2
    links = {link.competency_id: set(link.criteria.all()) for link in a.competency_links.all()}
    assert links == {w.competencies[0].pk: {k0}, w.competencies[1].pk: {k1}}
    # its date is on the learners' calendars
    assert CalendarEvent.objects.filter(uid__startswith=f"assessment-{a.pk}-").exists()


def test_bad_input_answers_french_errors_and_saves_nothing():
    w = world(learners=1)
    k0, _k1 = _criteria(w)
    c = client_for(w.lecturer)
    # another lecturer's course: not offered
    r = c.post(reverse("assessment:create"), _post(w, course=str(w.other_course.pk)))
    assert r.status_code == 400 and "Sélectionnez un choix valide" in text(r)
    # weight 0 → the service's message
    r = c.post(reverse("assessment:create"), _post(w, weight="0"))
    assert r.status_code == 400 and "coefficient" in text(r).lower()
    # a criterion of a competency not evaluated
    r = c.post(
        reverse("assessment:create"),
        _post(w, competencies=[str(w.competencies[1].pk)], criteria=[str(k0.pk)]),
    )
    assert r.status_code == 400 and "Critères d'une compétence non évaluée" in text(r)
    # no date, unknown modality
    r = c.post(reverse("assessment:create"), _post(w, date="", modality="chess"))
    body = text(r)
    assert r.status_code == 400 and "Ce champ est obligatoire" in body
    # duplicate code
    exam(w, code="CAS-1")
    r = c.post(reverse("assessment:create"), _post(w))
    assert r.status_code == 400 and "existe déjà" in text(r)
    assert Assessment.objects.count() == 1


def test_edit_only_by_the_course_lecturer():
    w = world(learners=1)
    a = exam(w, code="EX1")
    url = reverse("assessment:edit", args=[a.pk])
    assert client_for(w.other_lecturer).get(url).status_code == 404
    assert client_for(w.other_lecturer).post(url, _post(w, code="HACK")).status_code == 404
    c = client_for(w.lecturer)
    page = c.get(url)
    assert page.status_code == 200 and 'value="EX1"' in page.content.decode()
    r = c.post(
        url,
        _post(w, code="EX1", date="2025-03-01", session="resit", weight="3", modality="oral_exam"),
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert (a.date, a.session, a.weight, a.modality) == (
        dt.date(2025, 3, 1),
        "resit",
        3,
        "oral_exam",
    )
    # bad edit: nothing changed
    r = c.post(url, _post(w, code="EX1", weight="-1"))
    assert r.status_code == 400
    a.refresh_from_db()
    assert a.weight == 3


def test_api_create_and_edit_with_scoping():
    w = world(learners=1)
    k0, _k1 = _criteria(w)
    c = client_for(w.lecturer, "en")
    body = {
        "course": w.course.pk,
        "code": "API-1",
        "title_fr": "Oral",
        "modality": "oral_exam",
        "date": "2025-04-01",
        "weight": "1.5",
        "session": "first",
        "competencies": [w.competencies[0].pk],
        "criteria": [k0.pk],
    }
    r = c.post(reverse("assessment-api:assessment-create"), body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["code"] == "API-1" and r.json()["competencies"] == [w.competencies[0].code]
    pk = r.json()["id"]
    edit = reverse("assessment-api:assessment-edit", args=[pk])
    r = c.put(edit, {**body, "weight": "0"}, content_type="application/json")
    assert r.status_code == 400 and "greater than 0" in str(r.json()["errors"])
    r = c.put(edit, {**body, "title_fr": "Oral final"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["title_fr"] == "Oral final"
    other = client_for(w.other_lecturer, "fr")
    assert other.put(edit, body, content_type="application/json").status_code == 404
    r = other.post(
        reverse("assessment-api:assessment-create"), body, content_type="application/json"
    )
    assert r.status_code == 400 and "course" in r.json()["errors"]
    assert Assessment.objects.count() == 1
    schema = client_for(w.lecturer).get("/api/schema/").content.decode()
    assert "/api/assessment/assessments/new/" in schema
