"""Staff edit the catalogue and fee schedules in the admin: every page renders, changes go
through validation (negative ECTS, overlapping editions, rhythm below 110 company days, fee
with three decimals are refused and nothing is saved) and leave a history row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from capitalis.finance.models import FeeSchedule
from capitalis.programmes.models import (
    Calendar,
    CalendarEvent,
    Campus,
    CampusRhythm,
    Course,
    CourseCompetency,
    Edition,
    Offering,
    Programme,
    ProgrammeYear,
    SchoolClosure,
    Specialisation,
)
from tests.programmes.builders import build_catalogue

pytestmark = pytest.mark.django_db

MODELS = [
    Campus,
    Programme,
    ProgrammeYear,
    Specialisation,
    Edition,
    Offering,
    Course,
    CourseCompetency,
    CampusRhythm,
    SchoolClosure,
    Calendar,
    FeeSchedule,
]


@pytest.fixture
def admin_client_(django_user_model: Any) -> Client:
    user = django_user_model.objects.create_superuser(
        email="staff@example.org", password="pw-Secret-123"
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def programme() -> Programme:
    return build_catalogue(editions=1, campuses=1, courses=1)


def _url(model: type, action: str, *args: object) -> str:
    meta = model._meta  # type: ignore[attr-defined]
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_page_renders(admin_client_: Client, programme: Programme, model: type) -> None:
    assert admin_client_.get(_url(model, "changelist")).status_code == 200
    assert admin_client_.get(_url(model, "add")).status_code == 200
    obj = model._default_manager.first()  # type: ignore[attr-defined]
    if obj is not None:
        assert admin_client_.get(_url(model, "change", obj.pk)).status_code == 200
    assert CalendarEvent  # registered as an inline of Calendar


def _course_post(course: Course, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "edition": course.edition_id,
        "year": course.year_id,
        "specialisation": course.specialisation_id or "",
        "code": course.code,
        "title_fr": course.title_fr,
        "title_en": course.title_en,
        "ects": str(course.ects),
        "hours": course.hours or "",
        "language": course.language,
        "teaching_methods": ["face_to_face"],
        "position": course.position,
        "provenance": course.provenance,
        "competency_links-TOTAL_FORMS": 0,
        "competency_links-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_course_edit_records_history(admin_client_: Client, programme: Programme) -> None:
    course = Course.objects.first()
    assert course is not None
    response = admin_client_.post(_url(Course, "change", course.pk), _course_post(course, ects="4"))
    assert response.status_code == 302, response.content[:2000]
    course.refresh_from_db()
    assert course.ects == Decimal(4)
    assert course.teaching_methods == ["face_to_face"]
    assert course.history.first().history_user.email == "staff@example.org"  # type: ignore[attr-defined]


def test_course_negative_ects_refused(admin_client_: Client, programme: Programme) -> None:
    course = Course.objects.first()
    assert course is not None
    old = course.ects
    response = admin_client_.post(
        _url(Course, "change", course.pk), _course_post(course, ects="-2")
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    course.refresh_from_db()
    assert course.ects == old


def test_overlapping_edition_refused(admin_client_: Client, programme: Programme) -> None:
    edition = Edition.objects.get()
    response = admin_client_.post(
        _url(Edition, "add"),
        {
            "programme": programme.pk,
            "code": "OVER",
            "label": "Over",
            "start_date": (edition.start_date + dt.timedelta(days=10)).isoformat(),
            "end_date": (edition.end_date + dt.timedelta(days=10)).isoformat(),
            "provenance": "",
            "offerings-TOTAL_FORMS": 0,
            "offerings-INITIAL_FORMS": 0,
            "closures-TOTAL_FORMS": 0,
            "closures-INITIAL_FORMS": 0,
            "courses-TOTAL_FORMS": 0,
            "courses-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "overlaps edition" in response.content.decode()
    assert Edition.objects.count() == 1


def test_rhythm_below_110_days_refused(admin_client_: Client, programme: Programme) -> None:
    edition = Edition.objects.get()
    campus = Campus.objects.first()
    assert campus is not None
    response = admin_client_.post(
        _url(CampusRhythm, "add"),
        {
            "edition": edition.pk,
            "campus": campus.pk,
            "track": "work_study",
            "kind": "alternating_weeks",
            "params": '{"company_weeks": 1, "school_weeks": 4}',
            "min_company_days": 110,
        },
    )
    assert response.status_code == 200
    assert "at least 110 required" in response.content.decode()
    assert not CampusRhythm.objects.exists()


def test_fee_with_three_decimals_refused(admin_client_: Client, programme: Programme) -> None:
    before = FeeSchedule.objects.count()
    response = admin_client_.post(
        _url(FeeSchedule, "add"),
        {
            "programme": programme.pk,
            "academic_year": "2030-31",
            "track": "initial",
            "tuition": "9990.005",
            "deposit": "1100",
            "application_fee": "80",
            "cvec": "103",
            "provenance": "",
        },
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert FeeSchedule.objects.count() == before
