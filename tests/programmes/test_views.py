"""The public catalogue page (/programmes/), in French and English, with fees, calendar links
and a query count that does not grow with the catalogue."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.programmes.builders import PROGRAMME, build_catalogue

pytestmark = pytest.mark.django_db


def get(client: Client, path: str, language: str = "fr"):
    return client.get(path, headers={"accept-language": language})


def test_catalogue_in_french(client: Client) -> None:
    build_catalogue()
    response = get(client, "/programmes/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "MSc Expert en essais" in html
    assert "Campus, spécialités et parcours" in html
    assert "Années et cours" in html
    # Years, common and specialisation courses with ECTS and assessed competencies.
    assert "MSc 1e année" in html
    assert "Cours 0 année 1" in html
    assert "Spécialité 1" in html
    assert "7,5" in html  # ECTS, French decimal comma
    assert "V2BC01 C1" in html  # the competency a course assesses
    assert "Énoncé officiel 1.1" in html
    assert "travaux dirigés en petits groupes" in html
    # Calendar links for each campus and track of the edition.
    assert "/programmes/calendars/2024-25/CAMPUS0/initial/" in html
    assert "/programmes/calendars/2024-25/CAMPUS1/work_study/" in html
    # Fees, with the learner's remainder after the deposit (French formatting).
    assert "9990,00 €" in html
    assert "8890,00 €" in html
    assert "Un acompte de réservation de 1100,00 € est payé d" in html


def test_catalogue_in_english(client: Client) -> None:
    build_catalogue()
    response = get(client, "/programmes/", "en")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "MSc Expert in testing" in html
    assert "Course 0 year 1" in html
    assert "Specialisation 1" in html
    assert "Statement 1.1" in html
    assert "Years and courses" in html
    assert "small-group tutorials" in html
    assert "Tuition total" in html
    assert "8890.00 €" in html
    assert "A booking deposit of 1100.00 € is paid first and deducted from the tuition." in html


def test_latest_edition_by_default_and_others_linked(client: Client) -> None:
    build_catalogue(editions=2)
    html = get(client, "/programmes/", "en").content.decode()
    assert "E1Y1C0" in html and "E0Y1C0" not in html
    assert f"/programmes/{PROGRAMME}/2024-25/" in html
    older = get(client, f"/programmes/{PROGRAMME}/2024-25/", "en").content.decode()
    assert "E0Y1C0" in older and "E1Y1C0" not in older


def test_fee_quote_for_work_study_paid_by_the_opco(client: Client) -> None:
    build_catalogue()
    response = get(client, "/programmes/?fee_year=2024-25&fee_track=work_study&payer=opco", "en")
    html = response.content.decode()
    assert "10950.00 €" in html
    assert (
        "Work-study: the tuition is paid by the employer&#x27;s OPCO; the learner owes nothing."
        in html
    )
    assert "data-remainder>0.00 €" in html


def test_fee_quote_refused_for_a_learner_on_work_study_is_a_message(client: Client) -> None:
    build_catalogue()
    response = get(client, "/programmes/?fee_track=work_study&payer=learner", "fr")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "OPCO" in html


@pytest.mark.parametrize(
    ("path", "language", "title"),
    [
        (f"/programmes/{PROGRAMME}/1999-00/", "en", "Page not found"),
        (f"/programmes/{PROGRAMME}/1999-00/", "fr", "Page introuvable"),
        ("/programmes/NOPE/2024-25/", "en", "Page not found"),
    ],
)
def test_unknown_edition_is_a_translated_404(
    client: Client, settings, path: str, language: str, title: str
) -> None:
    settings.DEBUG = False
    build_catalogue()
    response = get(client, path, language)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{title}</h1>" in html


def test_empty_catalogue_says_so(client: Client) -> None:
    response = get(client, "/programmes/", "en")
    assert response.status_code == 200
    assert "No programme has been published yet." in response.content.decode()


def test_query_count_does_not_grow_with_the_catalogue(client: Client) -> None:
    build_catalogue(editions=1, campuses=1, courses=2)
    with CaptureQueriesContext(connection) as small:
        get(client, "/programmes/", "en")
    # A bigger programme, shown by default (its code sorts first): 3 editions, 3 campuses,
    # three times the courses.
    build_catalogue(editions=3, campuses=3, courses=6, certification="RNCP88888", code="AAA")
    with CaptureQueriesContext(connection) as large:
        html = get(client, "/programmes/", "en").content.decode()
    assert "AAA-C2" in html or "Campus 2" in html
    assert html.count('class="course"') == 2 * 6
    assert len(large) == len(small), (len(small), len(large))
    assert len(small) <= 15


def test_shipped_catalogue_renders_with_its_fees(client: Client, referential_data) -> None:
    """The shipped data (load_data: RNCP39853 and the MSc catalogue of both editions)."""
    from capitalis.programmes.models import Course

    assert Course.objects.filter(edition__code="2026-27").exists()
    response = get(client, "/programmes/", "en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "MSc Expert in International Relations &amp; Cooperation" in html
    assert "RNCP39853" in html
    assert "RNCP39853BC06" in html  # the defence specialisation's block
    # The latest edition by default, its fees: 2026-27 initial, 10,350 € less the deposit.
    assert "Edition 2026/27" in html
    assert "10350.00 €" in html
    assert "9250.00 €" in html
    older = get(client, "/programmes/MSC-ERCI/2024-25/", "fr")
    assert older.status_code == 200
    assert "Calendrier" in older.content.decode()
