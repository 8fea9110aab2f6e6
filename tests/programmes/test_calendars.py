"""Calendars from campus rhythms (calendars.py) and the calendar page (SPEC §2, §4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from capitalis.core.exceptions import DomainError
from capitalis.programmes import calendars
from capitalis.programmes.models import CampusRhythm, Offering
from capitalis.programmes.rules import DayKind
from tests.programmes.calendar_builders import EDITION, build_calendars

pytestmark = pytest.mark.django_db

PAGE = f"/programmes/calendars/{EDITION}/PARIS/work_study/"


def test_paris_work_study_year_has_holidays_closures_and_enough_company_days() -> None:
    calendar = build_calendars()[("PARIS", "work_study")]
    year = calendars.year_for(calendar)
    assert (year.start, year.end) == (dt.date(2026, 9, 1), dt.date(2027, 8, 31))
    assert year.kind_on(dt.date(2026, 11, 11)) is DayKind.HOLIDAY  # Armistice, a Wednesday
    assert year.kind_on(dt.date(2026, 9, 1)) is DayKind.SCHOOL
    assert year.kind_on(dt.date(2026, 9, 7)) is DayKind.COMPANY
    # Christmas weeks are company weeks in Paris: the school's closure leaves them at work.
    assert year.kind_on(dt.date(2026, 12, 21)) is DayKind.COMPANY
    assert year.kind_on(dt.date(2026, 12, 25)) is DayKind.HOLIDAY


def test_bordeaux_school_days_during_the_christmas_closure_are_closed() -> None:
    calendar = build_calendars()[("BORDEAUX", "work_study")]
    year = calendars.year_for(calendar)
    assert year.kind_on(dt.date(2026, 12, 24)) is DayKind.CLOSURE  # a Thursday
    assert year.kind_on(dt.date(2026, 12, 22)) is DayKind.COMPANY  # a Tuesday
    assert year.kind_on(dt.date(2027, 1, 7)) is DayKind.SCHOOL


def test_paris_work_study_passes_the_110_day_rule() -> None:
    calendar = build_calendars()[("PARIS", "work_study")]
    check = calendars.check_for(calendar)
    assert check.ok
    assert check.reasons[0].params["count"] >= 110


def test_paris_initial_track_is_an_internship_from_march() -> None:
    calendar = build_calendars()[("PARIS", "initial")]
    view = calendars.build(calendar)
    assert view.year.kind_on(dt.date(2027, 2, 26)) is DayKind.SCHOOL
    assert view.year.kind_on(dt.date(2027, 3, 1)) is DayKind.COMPANY
    assert view.check.ok
    assert {r.code for r in view.check.reasons} == {
        "min_company_days",
        "internship_length",
        "internship_within_year",
    }


def test_a_campus_closure_applies_only_to_its_campus() -> None:
    built = build_calendars(closures=0)
    paris = built[("PARIS", "work_study")]
    bordeaux = built[("BORDEAUX", "work_study")]
    paris.edition.closures.create(
        campus=paris.campus,
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2026, 9, 4),
        label_fr="Travaux",
    )
    assert calendars.year_for(paris).kind_on(dt.date(2026, 9, 1)) is DayKind.CLOSURE
    assert calendars.year_for(bordeaux).kind_on(dt.date(2026, 9, 3)) is DayKind.SCHOOL


def test_a_rhythm_that_cannot_reach_110_days_fails_with_the_count() -> None:
    calendar = build_calendars()[("PARIS", "work_study")]
    CampusRhythm.objects.filter(campus=calendar.campus, track="work_study").update(
        params={"company_weeks": 1, "school_weeks": 4}
    )
    check = calendars.check_for(calendar)
    assert not check.ok
    (failure,) = check.failures
    assert failure.code == "min_company_days"
    with translation.override("fr"):
        message = calendars.reason_message(failure)
    assert message.startswith(f"{failure.params['count']} jours en entreprise")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_rhythm_is_a_clear_translated_error(language) -> None:
    calendar = build_calendars()[("PARIS", "work_study")]
    CampusRhythm.objects.filter(campus=calendar.campus, track="work_study").delete()
    with translation.override(language), pytest.raises(DomainError) as error:
        calendars.year_for(calendar)
    expected = {"fr": "Aucun rythme", "en": "No rhythm is defined"}[language]
    assert error.value.message.startswith(expected)
    assert "Paris" in error.value.message


def test_invalid_rhythm_parameters_are_a_domain_error() -> None:
    calendar = build_calendars()[("PARIS", "work_study")]
    CampusRhythm.objects.filter(campus=calendar.campus, track="work_study").update(params={})
    with pytest.raises(DomainError):
        calendars.year_for(calendar)


# --- the page ----------------------------------------------------------------------------


def test_page_in_french_shows_the_grid_legend_check_and_feed(client) -> None:
    calendar = build_calendars(events=1)[("PARIS", "work_study")]
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Calendrier : Paris, alternance, 2026/27" in html
    assert "Le calendrier respecte les règles" in html
    assert "jours en entreprise, au moins 110 requis" in html
    assert f"/programmes/calendars/{calendar.token}.ics" in html
    assert "webcal://" in html
    assert 'data-date="2026-11-11" data-kind="holiday"' in html
    assert 'data-date="2026-09-07" data-kind="company"' in html
    assert "Septembre 2026" in html
    assert "Évaluation 1" in html
    company = calendars.year_for(calendar).counts[DayKind.COMPANY]
    assert f"{company} jours" in html


def test_page_in_english(client) -> None:
    build_calendars()
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Calendar: Paris, work-study, 2026/27" in html
    assert "The calendar meets the rules" in html
    assert "Public holiday" in html
    assert "September 2026" in html


def test_page_says_why_a_calendar_fails(client) -> None:
    calendar = build_calendars()[("PARIS", "work_study")]
    CampusRhythm.objects.filter(campus=calendar.campus, track="work_study").update(
        params={"company_weeks": 1, "school_weeks": 4}
    )
    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The calendar does not meet the rules" in html
    assert 'data-code="min_company_days"' in html
    assert "company days, at least 110 required" in html


@pytest.mark.parametrize(
    "path",
    [
        f"/programmes/calendars/{EDITION}/LYON/work_study/",  # no such campus
        "/programmes/calendars/2099-00/PARIS/work_study/",  # no such edition
        f"/programmes/calendars/{EDITION}/PARIS/mixed/",  # no such track
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_calendar_for_an_offering_that_does_not_exist_is_a_translated_404(
    client, path, language
) -> None:
    build_calendars()
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    html = response.content.decode()
    assert {"fr": "Calendrier introuvable", "en": "Calendar not found"}[language] in html
    assert {"fr": "Aucun", "en": "No programme is offered"}[language] in html
    assert "PARIS" in html or "LYON" in html


def test_a_calendar_row_without_an_offering_is_a_404(client) -> None:
    build_calendars()
    Offering.objects.filter(campus__code="PARIS", track="work_study").delete()
    assert client.get(PAGE).status_code == 404


def test_a_calendar_without_rhythm_is_a_translated_404(client) -> None:
    calendar = build_calendars()[("PARIS", "work_study")]
    CampusRhythm.objects.filter(campus=calendar.campus, track="work_study").delete()
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    assert "Aucun rythme" in response.content.decode()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_page_query_count_does_not_grow_with_closures_and_events(client) -> None:
    build_calendars(closures=1, events=1)
    few = _queries(client, PAGE)
    from capitalis.programmes.models import Calendar, CalendarEvent, SchoolClosure

    calendar = Calendar.objects.get(campus__code="PARIS", track="work_study")
    for n in range(10):
        SchoolClosure.objects.create(
            edition=calendar.edition,
            start_date=dt.date(2027, 4, 1) + dt.timedelta(days=n),
            end_date=dt.date(2027, 4, 1) + dt.timedelta(days=n),
            label_fr=f"Pont {n}",
        )
        CalendarEvent.objects.create(
            calendar=calendar,
            start_date=dt.date(2027, 5, 3) + dt.timedelta(days=n),
            end_date=dt.date(2027, 5, 3) + dt.timedelta(days=n),
            title_fr=f"Examen {n}",
            uid=f"more-{n}@capitalis",
        )
    assert _queries(client, PAGE) == few
    assert few <= 6
