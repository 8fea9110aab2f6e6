"""The public results page and JSON (no login): what the school must publish, with each
figure's base and date, "not significant" below the minimum base, declared history marked; no
staff-only figure (campus split, admissions, apprentices); FR and EN."""

from __future__ import annotations

import pytest

from capitalis.reporting.models import DeclaredFigure
from tests.reporting.indicators.test_indicators import _application, answer_survey, build

pytestmark = pytest.mark.django_db


def _declared(data) -> None:
    DeclaredFigure.objects.create(
        programme=data.programme,
        indicator="certification_rate",
        period="2021-22",
        value=92,
        unit="%",
        source="seed 000 (school page)",
    )


def test_public_page_in_french_without_login(client) -> None:
    data = build()
    _declared(data)
    answer_survey(data, "employment_6m", "employed", [1] * 9 + [0] * 2, data.campus0)
    _application(data, "admitted")
    response = client.get(f"/results/{data.programme.code}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Taux de certification" in text
    assert "67 %" in text and "10 sur 15" in text  # 10 certified out of a cohort of 15
    assert "82 %" in text and "9 sur 11" in text  # employment at 6 months
    assert "historique déclaré" in text and "seed 000 (school page)" in text
    # no campus split, no staff figures
    assert data.campus0.name not in text and data.campus1.name not in text
    assert "Apprentis" not in text and "admis" not in text.lower().replace("admission", "")


def test_public_page_in_english_and_not_significant(client, settings) -> None:
    data = build()
    settings.REPORTING_MIN_BASE = 20
    response = client.get(f"/results/{data.programme.code}/", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert "Certification rate" in text
    assert "not significant" in text and "base of 15 people, below the minimum of 20" in text
    assert "67 %" not in text


def test_public_index_and_unknown_programme(client) -> None:
    data = build()
    index = client.get("/results/", HTTP_ACCEPT_LANGUAGE="en")
    assert index.status_code == 200
    assert f"/results/{data.programme.code}/" in index.content.decode()
    assert client.get("/results/NOPE/").status_code == 404
    assert client.get("/api/reporting/public/indicators/NOPE/").status_code == 404


def test_public_json_has_only_public_figures(client) -> None:
    data = build()
    _declared(data)
    body = client.get(f"/api/reporting/public/indicators/{data.programme.code}/").json()
    assert set(body) == {
        "programme",
        "min_base",
        "certification",
        "blocks",
        "employment",
        "satisfaction",
        "declared_history",
    }
    assert [r["campus"] for r in body["certification"]] == [None]
    assert body["certification"][0]["rate"]["numerator"] == 10
    assert body["declared_history"][0]["figure"]["declared"] is True
    assert body["declared_history"][0]["figure"]["source"] == "seed 000 (school page)"
