"""The shipped catalogue (data/programmes, data/finance) loads through ``load_data``: both
editions, campuses and offerings as SPEC §2 says, every course of seeds 000 and 001, rhythms,
closures, calendars and fee schedules; a second load writes nothing (a bad file loads nothing:
test_data_refused.py)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from capitalis.core.models import AuditEvent
from capitalis.finance.models import FeeSchedule
from capitalis.programmes.models import (
    Calendar,
    CampusRhythm,
    Course,
    CourseCompetency,
    Edition,
    Offering,
    SchoolClosure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English here (French is the default language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def loaded(referential_data_once: object) -> None:
    """The shipped data (data/) loaded once for the module
    (tests.shared_db): every test here reads it, each in its own savepoint. The bad files that
    must load nothing, on an empty database, are in test_data_refused.py."""


def _offered(edition: str) -> set[tuple[str, str]]:
    return set(
        Offering.objects.filter(edition__code=edition).values_list(
            "campus__code", "specialisation__code"
        )
    )


def test_editions_and_offerings_follow_spec(loaded: None) -> None:
    editions = {e.code: e for e in Edition.objects.all()}
    assert set(editions) == {"2024-25", "2026-27"}
    assert editions["2024-25"].end_date < editions["2026-27"].start_date
    assert _offered("2024-25") == {
        ("PAR", "SPE1"),
        ("PAR", "SPE2"),
        ("LYO", "SPE1"),
        ("BDX", "SPE1"),
    }
    assert _offered("2026-27") == {("PAR", "SPE1"), ("PAR", "SPE2"), ("LYO", "SPE1")}
    # both years, both tracks everywhere
    for edition in editions.values():
        rows = Offering.objects.filter(edition=edition)
        assert set(rows.values_list("year__code", flat=True)) == {"MSC1", "MSC2"}
        assert set(rows.values_list("track", flat=True)) == {"initial", "work_study"}


def test_every_seed_course_is_there_with_titles_as_written(loaded: None) -> None:
    c26 = Course.objects.filter(edition__code="2026-27")
    c24 = Course.objects.filter(edition__code="2024-25")
    assert c26.count() == 54  # seed 001: 17 + 5 + 5 (MSc 1), 16 + 5 + 6 (MSc 2)
    # seed 000: 15 (MSc 1) + the initial track's feedback report (its assessment methods), 22
    # (MSc 2)
    assert c24.count() == 38
    assert c26.filter(title_fr="OSINT (Open source intelligence)", year__code="MSC1").exists()
    assert c26.filter(
        title_fr="Cybercriminalité et cyberdéfense", specialisation__code="SPE2"
    ).exists()
    assert c26.filter(title_fr="Serious Game").count() == 2
    assert c24.filter(title_en="Defense strategy and external operations").get().specialisation
    assert c24.filter(title_en="Research dissertation", specialisation=None).exists()
    assert c24.get(title_en="Feedback report").track == "initial"
    for course in Course.objects.all():
        assert course.title_fr and course.title_en
        assert "school's choice" in course.provenance
        assert "school's mapping, proposed" in course.provenance
        assert course.ects > 0 and course.teaching_methods
    assert c24.get(title_en="E-learning cybersecurity").teaching_methods == ["e_learning"]


def test_every_course_links_the_current_version(loaded: None) -> None:
    links = CourseCompetency.objects.select_related(
        "competency__block__version", "course__edition__programme"
    )
    assert links.exists()
    for link in links:
        assert link.competency.block.version_id == (
            link.course.edition.programme.certification_version_id
        )


def test_rhythms_closures_calendars(loaded: None) -> None:
    rhythms = {
        (r.edition.code, r.campus.code, r.track): r
        for r in CampusRhythm.objects.select_related("edition", "campus")
    }
    assert len(rhythms) == 10
    paris_ws = rhythms[("2026-27", "PAR", "work_study")]
    assert paris_ws.kind == "alternating_weeks"
    assert paris_ws.params["company_weeks"] == 2 and paris_ws.params["school_weeks"] == 1
    assert rhythms[("2026-27", "PAR", "initial")].kind == "internship"
    assert rhythms[("2024-25", "BDX", "initial")].params == {"school_weekdays": [3, 4]}
    assert SchoolClosure.objects.count() == 4
    calendars = set(Calendar.objects.values_list("edition__code", "campus__code", "track"))
    assert len(calendars) == 10
    assert ("2024-25", "BDX", "work_study") in calendars
    assert ("2026-27", "BDX", "initial") not in calendars


def test_fee_schedules(loaded: None) -> None:
    fees = {(f.academic_year, f.track): f for f in FeeSchedule.objects.all()}
    assert fees[("2025-26", "initial")].tuition == Decimal("9990.00")
    assert fees[("2025-26", "initial")].deposit == Decimal("1100.00")
    assert fees[("2025-26", "initial")].application_fee == Decimal("80.00")
    assert fees[("2025-26", "initial")].cvec == Decimal("103.00")
    assert fees[("2026-27", "work_study")].tuition == Decimal("10950.00")
    assert fees[("2026-27", "work_study")].third_party_pays
    assert fees[("2026-27", "initial")].tuition == Decimal("10350.00")


def test_second_load_writes_nothing(loaded: None) -> None:
    audits = AuditEvent.objects.count()
    history = Course.history.count()
    out = StringIO()
    call_command("load_data", stdout=out)
    assert "Nothing to change" in out.getvalue()
    assert AuditEvent.objects.count() == audits
    assert Course.history.count() == history


def test_catalogue_for_shapes_the_shipped_catalogue(loaded: None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from capitalis.programmes.queries import catalogue_for

    with CaptureQueriesContext(connection) as ctx:
        catalogue = catalogue_for(programme_code="MSC-ERCI")
    assert catalogue is not None
    assert len(ctx.captured_queries) <= 8
    assert [e.edition.code for e in catalogue.editions] == ["2024-25", "2026-27"]
    e26 = catalogue.editions[1]
    assert [c.campus.code for c in e26.campuses] == ["PAR", "LYO"]
    assert [s.code for s in e26.campuses[0].specialisations] == ["SPE1", "SPE2"]
    msc1 = e26.years[0]
    assert [g.specialisation.code if g.specialisation else None for g in msc1.groups] == [
        None,
        "SPE1",
        "SPE2",
    ]
    assert msc1.groups[0].ects + msc1.groups[1].ects == Decimal(60)
    first = msc1.groups[0].courses[0]
    assert {c.code for c in first.assesses} == {"BC01.C1", "BC01.C5"}
    one = catalogue_for(programme_code="MSC-ERCI", edition_code="2026-27")
    assert one is not None and len(one.editions) == 1
    assert catalogue_for(programme_code="MSC-ERCI", edition_code="1999-00") is None
    assert catalogue_for(programme_code="NOPE") is None
