"""``manage.py check_programme EDITION``: the shipped data passes for both editions; it fails
(non-zero, with the reason) when a competency loses its last assessing course, a course's ECTS
change, or a specialisation is offered nowhere."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from capitalis.core.services import data_load
from capitalis.programmes import queries
from capitalis.programmes.models import Course, CourseCompetency, Edition, Offering
from tests.shared_db import built_once

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English here (French is the default language)."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def _loaded_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The shipped data loaded once for the module, in English as each test runs
    (tests.shared_db): each test changes it in its own savepoint, rolled back after it."""

    def build() -> None:
        data_load(data_dir=Path(settings.BASE_DIR) / "data")

    with translation.override("en"), built_once(django_db_blocker, build):
        yield


@pytest.fixture
def loaded(_loaded_once: None) -> None:
    return None


def _run(edition: str) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("check_programme", edition, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.mark.parametrize("edition", ["2024-25", "2026-27"])
def test_shipped_editions_pass(loaded: None, edition: str) -> None:
    out, error = _run(edition)
    assert error is None, out
    assert "The catalogue is complete." in out


def test_competency_without_course_fails(loaded: None) -> None:
    # BC04.C4 is assessed by one 2026-27 course only (crisis management and communication)
    CourseCompetency.objects.filter(
        course__edition__code="2026-27",
        competency__code="BC04.C4",
        role=CourseCompetency.Role.ASSESSES,
    ).delete()
    out, error = _run("2026-27")
    assert error is not None and error.returncode == 1
    assert "Competencies assessed by no course" in out
    assert "BC04.C4" in out


def test_changed_ects_fails(loaded: None) -> None:
    course = Course.objects.get(edition__code="2026-27", code="M1-01")
    course.ects = course.ects + Decimal(1)
    course.save()
    out, error = _run("2026-27")
    assert error is not None and error.returncode == 1
    assert "MSC1 + SPE1: 61.0 ECTS, 60.0 expected." in out
    assert "MSC2" not in out


def test_specialisation_offered_nowhere_fails(loaded: None) -> None:
    Offering.objects.filter(edition__code="2024-25", specialisation__code="SPE2").delete()
    out, error = _run("2024-25")
    assert error is not None
    assert "SPE2 is offered on no campus." in out


def test_unknown_edition() -> None:
    with pytest.raises(CommandError, match="No edition 1999-00"):
        call_command("check_programme", "1999-00", stdout=StringIO())


def test_facts_use_a_fixed_number_of_queries(loaded: None) -> None:
    edition = Edition.objects.select_related("programme").get(code="2026-27")
    with CaptureQueriesContext(connection) as ctx:
        facts = queries.edition_facts(edition)
    assert len(ctx.captured_queries) <= 6
    assert len(facts.courses) == 54
