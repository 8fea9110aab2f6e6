"""Programme services refuse bad input with a clear translated error and save nothing:
overlapping editions, negative ECTS, a rhythm that cannot reach 110 company days, a calendar
for an offering that does not exist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.programmes import services
from capitalis.programmes.models import (
    Calendar,
    Campus,
    CampusRhythm,
    Course,
    Edition,
    Programme,
)
from tests.programmes.builders import build_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English here (French is the default language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def programme() -> Programme:
    return build_catalogue(editions=1, campuses=1, courses=1)


@pytest.fixture
def edition(programme: Programme) -> Edition:
    return programme.editions.order_by("start_date").first()  # type: ignore[return-value]


def _counts() -> tuple[int, int, int, int]:
    return (
        Edition.objects.count(),
        Course.objects.count(),
        CampusRhythm.objects.count(),
        AuditEvent.objects.count(),
    )


def test_edition_create_and_audit(programme: Programme, edition: Edition) -> None:
    start = edition.end_date + dt.timedelta(days=1)
    created = services.edition_create(
        programme=programme,
        code="NEXT",
        label="Next",
        start_date=start,
        end_date=start + dt.timedelta(days=364),
    )
    assert created.pk
    assert AuditEvent.objects.filter(action="edition_create", target_id=str(created.pk)).exists()


def test_overlapping_edition_is_refused(programme: Programme, edition: Edition) -> None:
    before = _counts()
    with pytest.raises(DomainError, match="overlaps edition") as exc:
        services.edition_create(
            programme=programme,
            code="OVERLAP",
            label="Overlap",
            start_date=edition.start_date + dt.timedelta(days=30),
            end_date=edition.end_date + dt.timedelta(days=30),
        )
    assert exc.value.code == "overlap"
    assert _counts() == before


def test_overlap_message_is_translated(programme: Programme, edition: Edition) -> None:
    with translation.override("fr"), pytest.raises(DomainError) as exc:
        services.edition_create(
            programme=programme,
            code="OVERLAP",
            label="Overlap",
            start_date=edition.start_date,
            end_date=edition.end_date,
        )
    assert "chevauche" in exc.value.message


def test_negative_ects_is_refused(edition: Edition) -> None:
    year = edition.programme.years.first()
    before = _counts()
    with pytest.raises(DomainError, match="cannot be negative") as exc:
        services.course_create(
            edition=edition,
            year=year,  # type: ignore[arg-type]
            specialisation=None,
            code="NEG",
            title_fr="Négatif",
            ects=Decimal("-1"),
        )
    assert exc.value.code == "negative_ects"
    assert _counts() == before


def test_course_update_negative_ects_keeps_the_old_value(edition: Edition) -> None:
    course = Course.objects.filter(edition=edition).first()
    assert course is not None
    old = course.ects
    with pytest.raises(DomainError, match="cannot be negative"):
        services.course_update(course=course, ects=Decimal("-0.5"))
    course.refresh_from_db()
    assert course.ects == old


def test_course_update_writes_only_changes(edition: Edition) -> None:
    course = Course.objects.filter(edition=edition).first()
    assert course is not None
    _course, changed = services.course_update(course=course, ects=course.ects)
    assert not changed
    _course, changed = services.course_update(course=course, ects=Decimal("8.5"))
    assert changed
    course.refresh_from_db()
    assert course.ects == Decimal("8.5")
    assert AuditEvent.objects.filter(action="course_update").count() == 1


def test_unknown_teaching_method_is_refused(edition: Edition) -> None:
    year = edition.programme.years.first()
    with pytest.raises(DomainError, match="unknown teaching method"):
        services.course_create(
            edition=edition,
            year=year,  # type: ignore[arg-type]
            specialisation=None,
            code="TM",
            title_fr="Méthodes",
            ects=Decimal(3),
            teaching_methods=["lecture_by_hologram"],
        )


def test_rhythm_below_110_company_days_is_refused(edition: Edition) -> None:
    campus = Campus.objects.first()
    assert campus is not None
    before = _counts()
    with pytest.raises(DomainError, match=r"company days in the year, at least 110") as exc:
        services.campus_rhythm_set(
            edition=edition,
            campus=campus,
            track="work_study",
            kind="alternating_weeks",
            params={"company_weeks": 1, "school_weeks": 4, "first": "school"},
        )
    assert exc.value.code == "min_company_days"
    assert _counts() == before


def test_rhythm_reaching_110_days_is_saved_once(edition: Edition) -> None:
    campus = Campus.objects.first()
    assert campus is not None
    params = {"company_weeks": 2, "school_weeks": 1, "first": "school"}
    rhythm, changed = services.campus_rhythm_set(
        edition=edition, campus=campus, track="work_study", kind="alternating_weeks", params=params
    )
    assert changed and rhythm.pk
    audits = AuditEvent.objects.count()
    _rhythm, changed = services.campus_rhythm_set(
        edition=edition, campus=campus, track="work_study", kind="alternating_weeks", params=params
    )
    assert not changed
    assert AuditEvent.objects.count() == audits


def test_internship_too_short_is_refused(edition: Edition) -> None:
    campus = Campus.objects.first()
    assert campus is not None
    start = dt.date(edition.start_date.year + 1, 3, 1)
    with pytest.raises(DomainError, match="between 4 and 6") as exc:
        services.campus_rhythm_set(
            edition=edition,
            campus=campus,
            track="initial",
            kind="internship",
            params={"start": start.isoformat(), "months": 3},
            min_company_days=0,
        )
    assert exc.value.code == "internship_length"
    assert not CampusRhythm.objects.exists()


def test_rhythm_with_bad_params_is_refused(edition: Edition) -> None:
    campus = Campus.objects.first()
    assert campus is not None
    with pytest.raises(DomainError, match="parameters are incomplete"):
        services.campus_rhythm_set(
            edition=edition,
            campus=campus,
            track="initial",
            kind="alternating_weeks",
            params={"company_weeks": 2},
        )


def test_calendar_for_an_offering_that_does_not_exist(edition: Edition) -> None:
    other = Campus.objects.create(code="NOWHERE", name="Nowhere")
    with pytest.raises(DomainError, match="No offering runs") as exc:
        services.calendar_ensure(edition=edition, campus=other, track="initial")
    assert exc.value.code == "no_offering"
    assert not Calendar.objects.filter(campus=other).exists()
