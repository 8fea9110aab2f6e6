"""Courses of one track (SPEC §5: the end of MSc 1 differs by track; seed 000: initial = a
research dissertation and a feedback report, work-study = a report on their experience): the
shipped 2024/25 catalogue marks them, each track's year sums to 60 ECTS, the catalogue page and
the courses API show the courses of a chosen track, a learner's year and an assessment's
learners follow her track."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from capitalis.assessment.queries import concerned_enrolments
from capitalis.core.services import data_load
from capitalis.jury.queries import year_courses
from capitalis.programmes import queries, rules
from capitalis.programmes.models import Course, Edition, Track
from tests.assessment.builders import exam, world

DATA = Path(settings.BASE_DIR) / "data"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _facts(track_of_c: str | None, ects_c: str) -> rules.ProgrammeFacts:
    def course(code: str, ects: str, track: str | None = None) -> rules.CourseFacts:
        return rules.CourseFacts(code, "Y1", None, Decimal(ects), frozenset({"C1"}), track)

    return rules.ProgrammeFacts(
        years=("Y1",),
        year_ects={"Y1": Decimal(60)},
        specialisations=(),
        offered_specialisations=frozenset(),
        competencies=("C1",),
        courses=(
            course("A", "44"),
            course("DISSERTATION", "16", "initial"),
            course("REPORT", ects_c, track_of_c),
        ),
        tracks=("initial", "work_study"),
    )


def test_each_tracks_year_sums_to_its_ects() -> None:
    ok = rules.check_programme(_facts("work_study", "16"))
    assert ok.ok
    sums = [r for r in ok.reasons if r.code == "year_ects"]
    assert [(r.params["track"], r.params["total"]) for r in sums] == [
        ("initial", Decimal(60)),
        ("work_study", Decimal(60)),
    ]
    short = rules.check_programme(_facts("work_study", "10"))
    assert [r.params["track"] for r in short.failures] == ["work_study"]
    assert "Y1 (work_study): 54 ECTS, 60 expected" in short.failures[0].message


@pytest.mark.django_db
def test_shipped_catalogue_per_track_page_and_api(client: Client) -> None:
    data_load(data_dir=DATA)
    first = Edition.objects.select_related("programme").get(code="2024-25")
    tracks = dict(
        Course.objects.filter(edition=first, code__in=("M1-09", "M1-12", "M1-16")).values_list(
            "code", "track"
        )
    )
    assert tracks == {"M1-09": "initial", "M1-16": "initial", "M1-12": "work_study"}
    assert not Course.objects.filter(edition__code="2026-27").exclude(track="").exists()
    result = rules.check_programme(queries.edition_facts(first))
    assert result.ok, result.failures
    assert {r.params["track"] for r in result.reasons if r.code == "year_ects"} == {
        "initial",
        "work_study",
    }
    # a second load changes nothing (the tracks included)
    assert not data_load(data_dir=DATA).changed
    assert Course.objects.get(edition=first, code="M1-12").track == "work_study"

    url = "/programmes/MSC-ERCI/2024-25/"
    every = client.get(url, headers={"accept-language": "en"}).text
    assert "Research dissertation" in every and "Professional experience report" in every
    assert "only" in every  # the track of the track-only courses is said
    work_study = client.get(url + "?track=work_study", headers={"accept-language": "en"}).text
    assert "Professional experience report" in work_study
    assert "Research dissertation" not in work_study and "Feedback report" not in work_study
    initial = client.get(url + "?track=initial", headers={"accept-language": "en"}).text
    assert "Research dissertation" in initial and "Feedback report" in initial
    assert "Professional experience report" not in initial
    assert client.get(url + "?track=nonsense").status_code == 200

    api = client.get("/api/programmes/courses/?edition=2024-25&track=work_study&page_size=200")
    assert api.status_code == 200
    codes = {c["code"] for c in api.json()["results"]}
    assert "M1-12" in codes and "M1-09" not in codes and "M1-16" not in codes
    bad = client.get("/api/programmes/courses/?track=nonsense")
    assert bad.status_code == 400 and "track" in bad.json()


@pytest.mark.django_db
def test_a_learners_year_and_an_assessments_learners_follow_her_track() -> None:
    w = world(learners=4)  # learners 0, 1 initial; 2, 3 work-study
    initial, work_study = w.enrolments[0], w.enrolments[2]
    assert initial.track == Track.INITIAL and work_study.track == Track.WORK_STUDY
    assert w.course in list(year_courses(work_study))
    everyone = set(concerned_enrolments(exam(w)))
    w.course.track = Track.INITIAL
    w.course.save()
    assert w.course in list(year_courses(initial))
    assert w.course not in list(year_courses(work_study))
    # an assessment of the initial-track course concerns only the initial-track learners
    concerned = set(concerned_enrolments(exam(w, code="EX2")))
    assert concerned == {e for e in everyone if e.track == Track.INITIAL} and concerned
