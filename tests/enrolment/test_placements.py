"""Initial-track placements follow the campus rhythm (SPEC §2, §4): one continuous internship
from March where the rhythm is an internship block (Paris), alternating with school over the
year where it alternates (Lyon, Bordeaux); at least 110 placement days counted on the campus
calendar either way, at most 6 months of working days for an alternating one."""

from __future__ import annotations

import datetime as dt
import json

import holidays as holidays_lib
import pytest
from django.test import Client
from django.utils import translation

from capitalis.core.exceptions import DomainError
from capitalis.enrolment import rules, services
from capitalis.enrolment.models import Internship
from capitalis.enrolment.services import InternshipInput
from capitalis.programmes import rules as programme_rules
from capitalis.programmes.models import CampusRhythm, Track
from tests.enrolment.builders import admitted, world

YEAR_START, YEAR_END = dt.date(2024, 9, 1), dt.date(2025, 8, 31)
LYON = programme_rules.AlternatingWeeks(company_weeks=2, school_weeks=1)
BORDEAUX = programme_rules.AlternatingDays(school_weekdays=(3, 4))
PARIS = programme_rules.InternshipBlock(start=dt.date(2025, 3, 1), months=6)


def _year(pattern: programme_rules.Pattern) -> programme_rules.YearCalendar:
    found = holidays_lib.France(years=(2024, 2025))
    return programme_rules.build_year(
        pattern=pattern,
        start=YEAR_START,
        end=YEAR_END,
        holidays={d: str(n) for d, n in found.items() if YEAR_START <= d <= YEAR_END},
    )


def _rhythm(pattern: programme_rules.Pattern) -> rules.PlacementRhythm:
    continuous = isinstance(pattern, programme_rules.InternshipBlock)
    return rules.PlacementRhythm(
        mode=rules.PlacementMode.CONTINUOUS if continuous else rules.PlacementMode.ALTERNATING,
        calendar=_year(pattern),
        earliest_start=pattern.start
        if isinstance(pattern, programme_rules.InternshipBlock)
        else None,
    )


# --- rules (no database) ------------------------------------------------------------------


def test_alternating_placement_counts_company_days_of_the_campus_calendar() -> None:
    lyon = _rhythm(LYON)
    check = rules.placement_fits(
        rules.PlacementMode.ALTERNATING, YEAR_START, dt.date(2025, 5, 31), lyon
    )
    assert check.ok, check.reason
    days = check.params["days"]
    assert isinstance(days, int) and 110 <= days <= 132
    assert days == rules.placement_days(lyon.calendar, YEAR_START, dt.date(2025, 5, 31))
    # two weeks in three: far fewer placement days than working days in the span
    assert days < 0.75 * sum(
        1 for d in lyon.calendar.days if d.day <= dt.date(2025, 5, 31) and d.day.weekday() < 5
    )
    bordeaux = _rhythm(BORDEAUX)
    assert rules.placement_fits(
        rules.PlacementMode.ALTERNATING, YEAR_START, dt.date(2025, 5, 31), bordeaux
    ).ok


def test_alternating_placement_needs_110_days_and_at_most_six_months_of_them() -> None:
    lyon = _rhythm(LYON)
    short = rules.placement_fits(
        rules.PlacementMode.ALTERNATING, YEAR_START, dt.date(2025, 3, 31), lyon
    )
    assert not short.ok and short.code == "placement_days_short"
    assert short.params["minimum"] == 110
    long = rules.placement_fits(rules.PlacementMode.ALTERNATING, YEAR_START, YEAR_END, lyon)
    assert not long.ok and long.code == "placement_days_long"
    assert long.params["maximum"] == 132


def test_mode_must_be_the_campus_rhythms() -> None:
    # a continuous internship in Lyon, an alternating one in Paris: refused with the reason
    lyon = rules.placement_fits(
        rules.PlacementMode.CONTINUOUS, dt.date(2025, 3, 1), dt.date(2025, 8, 31), _rhythm(LYON)
    )
    assert not lyon.ok and lyon.code == "placement_mode"
    assert lyon.params == {"expected": "alternating", "mode": "continuous"}
    paris = rules.placement_fits(
        rules.PlacementMode.ALTERNATING, YEAR_START, dt.date(2025, 5, 31), _rhythm(PARIS)
    )
    assert not paris.ok and paris.code == "placement_mode"


def test_continuous_placement_from_march_with_110_days() -> None:
    paris = _rhythm(PARIS)
    six = rules.placement_fits(
        rules.PlacementMode.CONTINUOUS, dt.date(2025, 3, 1), dt.date(2025, 8, 31), paris
    )
    assert six.ok and six.params["days"] >= 110
    # 5 months from March are within 4–6 months but count fewer than 110 working days
    five = rules.placement_fits(
        rules.PlacementMode.CONTINUOUS, dt.date(2025, 3, 1), dt.date(2025, 7, 31), paris
    )
    assert not five.ok and five.code == "placement_days_short"
    early = rules.placement_fits(
        rules.PlacementMode.CONTINUOUS, dt.date(2025, 2, 1), dt.date(2025, 7, 31), paris
    )
    assert not early.ok and early.code == "placement_too_early"
    seven = rules.placement_fits(
        rules.PlacementMode.CONTINUOUS, dt.date(2025, 3, 1), dt.date(2025, 9, 30), paris
    )
    assert not seven.ok and seven.code == "placement_outside_year"
    backwards = rules.placement_fits(
        rules.PlacementMode.CONTINUOUS, dt.date(2025, 8, 1), dt.date(2025, 3, 1), paris
    )
    assert backwards.code == "internship_dates"


def test_without_a_rhythm_only_a_continuous_internship_of_4_to_6_months() -> None:
    start = dt.date(2025, 3, 1)
    assert rules.placement_fits(
        rules.PlacementMode.CONTINUOUS, start, dt.date(2025, 7, 31), None
    ).ok
    assert (
        rules.placement_fits(rules.PlacementMode.CONTINUOUS, start, dt.date(2025, 5, 31), None).code
        == "internship_too_short"
    )
    assert (
        rules.placement_fits(
            rules.PlacementMode.ALTERNATING, start, dt.date(2025, 7, 31), None
        ).code
        == "placement_no_rhythm"
    )


# --- service, page and API (database) -----------------------------------------------------


@pytest.fixture
def w(settings):
    w = world()
    # campus: continuous internship from March (Paris); other campus: 2 weeks / 1 week (Lyon)
    CampusRhythm.objects.create(
        edition=w.first,
        campus=w.campus,
        track=Track.INITIAL,
        kind="internship",
        params={"start": "2025-03-01", "months": 6},
    )
    CampusRhythm.objects.create(
        edition=w.first,
        campus=w.other_campus,
        track=Track.INITIAL,
        kind="alternating_weeks",
        params={"company_weeks": 2, "school_weeks": 1, "first": "school"},
    )
    return w


def _input(start: dt.date, end: dt.date, mode: str | None = None) -> InternshipInput:
    return InternshipInput(
        host_name="Organisation Fictive",
        tutor_name="Tutrice",
        start_date=start,
        end_date=end,
        mode=mode,
    )


@pytest.mark.django_db
def test_service_records_an_alternating_placement_in_lyon(w) -> None:
    enrolment = services.enrolment_create_from_application(
        application=admitted(w, "lyon@example.org", campus=w.other_campus), actor=w.director
    )
    assert services.placement_rhythm(enrolment).mode is rules.PlacementMode.ALTERNATING
    with translation.override("fr"), pytest.raises(DomainError) as refused:
        services.internship_create(
            enrolment=enrolment,
            internship=_input(dt.date(2025, 3, 1), dt.date(2025, 8, 31), "continuous"),
            actor=w.director,
        )
    assert refused.value.code == "placement_mode"
    assert "alternance" in refused.value.message and "continu" in refused.value.message
    assert not Internship.objects.exists()
    # the mode left out follows the campus rhythm
    made = services.internship_create(
        enrolment=enrolment,
        internship=_input(dt.date(2024, 9, 1), dt.date(2025, 5, 31)),
        actor=w.director,
    )
    assert made.mode == "alternating" and made.placement_days is not None
    assert 110 <= made.placement_days <= 132


@pytest.mark.django_db
def test_service_refuses_a_non_continuous_or_short_internship_in_paris(w) -> None:
    enrolment = services.enrolment_create_from_application(
        application=admitted(w, "paris@example.org"), actor=w.director
    )
    with translation.override("fr"):
        with pytest.raises(DomainError) as alternating:
            services.internship_create(
                enrolment=enrolment,
                internship=_input(dt.date(2024, 9, 1), dt.date(2025, 5, 31), "alternating"),
                actor=w.director,
            )
        assert alternating.value.code == "placement_mode"
        assert "stage continu" in alternating.value.message
        with pytest.raises(DomainError) as short:
            services.internship_create(
                enrolment=enrolment,
                internship=_input(dt.date(2025, 3, 1), dt.date(2025, 7, 31)),
                actor=w.director,
            )
        assert short.value.code == "placement_days_short"
        assert "au moins 110" in short.value.message
        with pytest.raises(DomainError) as early:
            services.internship_create(
                enrolment=enrolment,
                internship=_input(dt.date(2025, 2, 1), dt.date(2025, 7, 31)),
                actor=w.director,
            )
        assert early.value.code == "placement_too_early" and "2025" in early.value.message
    assert not Internship.objects.exists()
    made = services.internship_create(
        enrolment=enrolment,
        internship=_input(dt.date(2025, 3, 1), dt.date(2025, 8, 31)),
        actor=w.director,
    )
    assert made.mode == "continuous" and made.placement_days >= 110


@pytest.mark.django_db
def test_page_accepts_alternating_in_lyon_and_refuses_it_in_paris(w) -> None:
    lyon = services.enrolment_create_from_application(
        application=admitted(w, "pl@example.org", campus=w.other_campus), actor=w.director
    )
    paris = services.enrolment_create_from_application(
        application=admitted(w, "pp@example.org"), actor=w.director
    )
    client = Client(headers={"accept-language": "fr"})
    client.force_login(w.director)
    form = client.get(f"/enrolment/enrolments/{lyon.pk}/internship/")
    assert form.status_code == 200 and 'value="alternating" selected' in form.text
    post = {
        "mode": "alternating",
        "host_name": "ONG Fictive",
        "tutor_name": "Tutrice",
        "start_date": "2024-09-01",
        "end_date": "2025-05-31",
    }
    refused = client.post(f"/enrolment/enrolments/{paris.pk}/internship/", post)
    assert refused.status_code == 200 and "stage continu" in refused.text
    assert not Internship.objects.exists()
    done = client.post(f"/enrolment/enrolments/{lyon.pk}/internship/", post)
    assert done.status_code == 302
    record = client.get(done["Location"])
    internship = Internship.objects.get()
    assert internship.mode == "alternating"
    assert "en alternance avec l’école toute l’année" in record.text
    assert f"{internship.placement_days} jours en structure d’accueil" in record.text


@pytest.mark.django_db
def test_api_accepts_alternating_in_lyon_and_refuses_it_in_paris(w, openapi) -> None:
    from tests.openapi_checks import answer_validated

    client = Client(headers={"accept-language": "en"})
    client.force_login(w.director)
    lyon = services.enrolment_create_from_application(
        application=admitted(w, "al@example.org", campus=w.other_campus), actor=w.director
    )
    paris = services.enrolment_create_from_application(
        application=admitted(w, "ap@example.org"), actor=w.director
    )
    payload = {
        "host_name": "ONG Fictive",
        "tutor_name": "Tutrice",
        "start_date": "2024-09-01",
        "end_date": "2025-05-31",
        "mode": "alternating",
    }

    def post(body: dict[str, object]):
        path = "/api/enrolment/internships/"
        response = client.post(path, data=json.dumps(body), content_type="application/json")
        answer_validated(openapi, path, response, "post")
        return response

    refused = post({**payload, "enrolment": paris.pk})
    assert refused.status_code == 400 and refused.json()["code"] == "placement_mode"
    bad = post({**payload, "enrolment": lyon.pk, "mode": "sometimes"})
    assert bad.status_code == 400
    made = post({**payload, "enrolment": lyon.pk})
    assert made.status_code == 201, made.content
    assert made.json()["mode"] == "alternating" and made.json()["placement_days"] >= 110
