"""PATCH /api/enrolment/learners/<id>/: her campus staff record a learner's INE, date of birth
and civil-status identity (what the holders' declaration needs); fields left out keep their
value; bad input is refused at the field, nothing changed; anyone else gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.enrolment.builders import admitted, world
from tests.openapi_checks import answer_validated
from tests.referential.test_api import openapi  # noqa: F401

pytestmark = pytest.mark.django_db


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _learner(w):
    from capitalis.enrolment import services

    application = admitted(w, "learner@example.org")
    return services.enrolment_create_from_application(
        application=application, actor=w.coordinator
    ).learner


def test_staff_record_the_identity_in_parts(openapi) -> None:  # noqa: F811
    w = world()
    learner = _learner(w)
    path = f"/api/enrolment/learners/{learner.pk}/"
    staff = _as(w.coordinator)
    first = staff.patch(path, {"birth_name": "Martin", "sex": "F"}, format="json")
    answer_validated(openapi, path, first, "patch")
    assert first.status_code == 200
    second = staff.patch(path, {"date_of_birth": "2001-04-12"}, format="json")
    assert second.status_code == 200 and second.json()["date_of_birth"] == "2001-04-12"
    learner.refresh_from_db()
    assert (learner.birth_name, learner.sex) == ("Martin", "F")
    assert learner.date_of_birth == dt.date(2001, 4, 12)


def test_bad_input_changes_nothing_and_others_get_404(openapi) -> None:  # noqa: F811
    w = world()
    learner = _learner(w)
    path = f"/api/enrolment/learners/{learner.pk}/"
    staff = _as(w.coordinator)
    bad_code = staff.patch(path, {"birth_name": "X", "birth_place_code": "6912*"}, format="json")
    answer_validated(openapi, path, bad_code, "patch")
    assert bad_code.status_code == 400 and bad_code.json()["code"] == "birth_place_code"
    bad_sex = staff.patch(path, {"sex": "Z"}, format="json")
    assert bad_sex.status_code == 400 and "sex" in bad_sex.json()
    learner.refresh_from_db()
    assert learner.birth_name == "" and learner.sex == ""
    # the learner herself reads her record but does not write it
    assert _as(learner.user).patch(path, {"sex": "F"}, format="json").status_code == 404
