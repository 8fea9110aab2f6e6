"""Indicators on a small built dataset whose numerators and denominators are known (SPEC §9):
certification (latest closed decision, override, open sessions ignored, withdrawn excluded),
block pass rate, admissions funnel and median delay, apprentices, surveys, declared history,
the minimum base, campus scoping, CSV and the API; and the fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.accounts.services import role_grant
from capitalis.admissions.models import Application
from capitalis.enrolment.models import Contract, Enrolment, Learner
from capitalis.jury.models import BlockDecision, CertificationDecision, JurySession
from capitalis.programmes.models import Campus, Edition, Programme, Track
from capitalis.referential.models import Block
from capitalis.reporting.indicators import queries
from capitalis.reporting.models import (
    DeclaredFigure,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
)
from tests.programmes.builders import build_catalogue

pytestmark = pytest.mark.django_db

PW = "pw-Secret-123"


def person(email: str, *grants: tuple[Role, ScopeKind, int | None]) -> User:
    user = User.objects.create_user(email=email, password=PW, full_name=email.split("@")[0])
    for role, scope, scope_id in grants:
        role_grant(user=user, role=role, scope=scope, scope_id=scope_id)
    return user


@dataclass
class Data:
    programme: Programme
    edition: Edition
    later: Edition
    campus0: Campus
    campus1: Campus
    blocks: list[Block]
    president: User
    director: User
    coordinator1: User


_n = [0]


def enrol(
    edition: Edition,
    campus: Campus,
    position: int,
    *,
    track: str = Track.INITIAL,
    status: str = "enrolled",
    learner: Learner | None = None,
    previous: Enrolment | None = None,
) -> Enrolment:
    if learner is None:
        _n[0] += 1
        learner = Learner.objects.create(
            user=User.objects.create_user(email=f"l{_n[0]}@example.org", password=PW)
        )
    return Enrolment.objects.create(
        learner=learner,
        edition=edition,
        year=edition.programme.years.get(position=position),
        campus=campus,
        track=track,
        status=status,
        previous=previous,
    )


def jury(data: Data, day: dt.date, *, closed: bool = True) -> JurySession:
    return JurySession.objects.create(
        version=data.programme.certification_version,
        date=day,
        title=f"Jury {day}",
        president=data.president,
        status="closed" if closed else "open",
        closed_at=timezone.now() if closed else None,
    )


def cert(
    s: JurySession, e: Enrolment, computed: str, override: str | None = None
) -> CertificationDecision:
    return CertificationDecision.objects.create(
        session=s,
        enrolment=e,
        computed_status=computed,
        override_status=override,
        justification="Décision du jury." if override else "",
    )


def block(s: JurySession, e: Enrolment, b: Block, computed: str) -> BlockDecision:
    return BlockDecision.objects.create(session=s, enrolment=e, block=b, computed_status=computed)


def build() -> Data:
    """Edition 2024-25, final year (MSc 2):
    - campus 0: 13 learners — 9 certified (one by override of a computed "not certified", one
      by a later session after a first "not certified"), 2 partially certified, 1 not certified,
      1 decided only in an OPEN session (undecided);
    - campus 1: 2 learners (1 certified, 1 undecided) and 1 withdrawn (outside the cohort);
    - an MSc 1 learner certified (outside the cohort).
    Block B1 (latest closed decision per learner): 9 validated, 2 not validated, 1 incomplete
    on campus 0 and 1 validated on campus 1 (one learner not validated in July, validated in
    September)."""
    programme = build_catalogue(editions=2, campuses=2, courses=0)
    editions = list(Edition.objects.filter(programme=programme).order_by("start_date"))
    c0, c1 = Campus.objects.order_by("position")
    blocks = list(
        Block.objects.filter(version=programme.certification_version).order_by("position")
    )
    data = Data(
        programme=programme,
        edition=editions[0],
        later=editions[1],
        campus0=c0,
        campus1=c1,
        blocks=blocks,
        president=person("president@example.org"),
        director=person("director@example.org", (Role.PROGRAMME_DIRECTOR, ScopeKind.GLOBAL, None)),
        coordinator1=person(
            "coord1@example.org", (Role.CAMPUS_COORDINATOR, ScopeKind.CAMPUS, c1.pk)
        ),
    )
    e = data.edition
    july = jury(data, dt.date(2025, 7, 1))
    september = jury(data, dt.date(2025, 9, 15))
    still_open = jury(data, dt.date(2025, 9, 20), closed=False)
    b1 = blocks[0]
    c0_learners = [enrol(e, c0, 2) for _ in range(13)]
    for en in c0_learners[:7]:
        cert(july, en, "certified")
        block(july, en, b1, "validated")
    # certified by override
    cert(july, c0_learners[7], "not_certified", override="certified")
    block(july, c0_learners[7], b1, "validated")
    # not certified in July, certified in September (the latest closed decision counts)
    cert(july, c0_learners[8], "not_certified")
    block(july, c0_learners[8], b1, "not_validated")
    cert(september, c0_learners[8], "certified")
    block(september, c0_learners[8], b1, "validated")
    for en in c0_learners[9:11]:
        cert(july, en, "partially_certified")
        block(july, en, b1, "not_validated")
    cert(july, c0_learners[11], "not_certified")
    block(july, c0_learners[11], b1, "incomplete")
    # only in the open session: undecided, and its block decision does not count
    cert(still_open, c0_learners[12], "certified")
    block(still_open, c0_learners[12], b1, "validated")
    # an open session's decision never overrides a closed one's
    cert(still_open, c0_learners[11], "certified")
    # campus 1
    c1_cert = enrol(e, c1, 2)
    cert(july, c1_cert, "certified")
    block(july, c1_cert, b1, "validated")
    enrol(e, c1, 2)  # undecided
    gone = enrol(e, c1, 2, status="withdrawn")
    cert(july, gone, "not_certified")
    msc1 = enrol(e, c0, 1)
    cert(july, msc1, "certified")
    return data


# --- certification -------------------------------------------------------------------------


def test_certification_rate_per_campus_and_overall() -> None:
    data = build()
    per_campus, overall = queries.certification_rows(
        programme=data.programme, scope=queries.EVERYTHING, base=10
    )
    total = overall[0]
    assert (total.cohort, total.certified, total.partial, total.not_certified) == (15, 10, 2, 1)
    assert total.undecided == 2
    assert total.rate.value == Decimal("66.7")
    assert (total.rate.numerator, total.rate.denominator) == (10, 15)
    assert total.partial_rate.value == Decimal("13.3")
    assert total.as_of == dt.date(2025, 9, 15)  # the latest closed session, not the open one
    c0, c1 = per_campus
    assert (c0.campus, c0.cohort, c0.certified) == (data.campus0, 13, 9)
    assert c0.rate.value == Decimal("69.2")
    assert (c1.campus, c1.cohort, c1.certified) == (data.campus1, 2, 1)
    assert c1.rate.significant is False
    assert c1.rate.value is None and c1.rate.reason == "below_min_base"


def test_minimum_base_from_the_setting(settings) -> None:
    data = build()
    settings.REPORTING_MIN_BASE = 16
    _per, overall = queries.certification_rows(programme=data.programme, scope=queries.EVERYTHING)
    assert overall[0].rate.value is None and overall[0].rate.denominator == 15
    settings.REPORTING_MIN_BASE = 2
    per, _overall = queries.certification_rows(programme=data.programme, scope=queries.EVERYTHING)
    assert per[1].rate.value == Decimal("50.0")


def test_block_pass_rate_latest_closed_decision() -> None:
    data = build()
    rows = queries.block_rows(programme=data.programme, scope=queries.EVERYTHING, base=10)
    (b1,) = rows
    assert b1.block == data.blocks[0]
    assert (b1.validated, b1.not_validated, b1.incomplete) == (10, 2, 1)
    assert (b1.rate.numerator, b1.rate.denominator) == (10, 12)
    assert b1.rate.value == Decimal("83.3")
    by_campus = queries.block_rows(
        programme=data.programme, scope=queries.EVERYTHING, base=10, by_campus=True
    )
    assert [(r.campus, r.validated, r.decided) for r in by_campus] == [
        (data.campus0, 9, 11),
        (data.campus1, 1, 1),
    ]


# --- admissions -----------------------------------------------------------------------------


def _application(data: Data, status: str, presented=None, decided=None, campus=None) -> None:
    _n[0] += 1
    Application.objects.create(
        candidate=User.objects.create_user(email=f"c{_n[0]}@example.org", password=PW),
        edition=data.later,
        year=data.programme.years.get(position=1),
        campus=campus or data.campus0,
        track=Track.INITIAL,
        status=status,
        presented_on=presented,
        decided_on=decided,
    )


def test_admissions_funnel_and_median_delay() -> None:
    data = build()
    day = dt.date(2026, 5, 1)
    _application(data, "draft")
    _application(data, "submitted")
    _application(data, "presented", presented=day)
    for delay in (10, 20, 30, 40):
        _application(data, "admitted", presented=day, decided=day + dt.timedelta(days=delay))
    _application(data, "refused", presented=day, decided=day + dt.timedelta(days=5))
    (row,) = queries.admission_rows(programme=data.programme, scope=queries.EVERYTHING, base=5)
    assert row.by_status == {"submitted": 1, "presented": 1, "admitted": 4, "refused": 1}
    assert row.total == 7  # the draft is not an application yet
    assert row.delay.value == Decimal(20) and row.delay.denominator == 5
    assert row.late == 2  # 30 and 40 days: more than 4 weeks
    (small,) = queries.admission_rows(programme=data.programme, scope=queries.EVERYTHING, base=10)
    assert small.delay.value is None and small.delay.reason == "below_min_base"


# --- apprentices ----------------------------------------------------------------------------


def _contract(e: Enrolment, kind: str, start: dt.date, end: dt.date, terminated=None) -> None:
    Contract.objects.create(
        enrolment=e,
        kind=kind,
        employer_name="Employeur fictif",
        employer_siret="12345678900010",
        tutor=User.objects.get_or_create(email="employer-tutor@example.org")[0],
        start_date=start,
        end_date=end,
        terminated_on=terminated,
    )


def test_apprentices_per_year_and_campus() -> None:
    data = build()
    later = data.later
    start, end = later.start_date, later.end_date
    ws = Track.WORK_STUDY
    for _ in range(2):
        _contract(enrol(later, data.campus0, 1, track=ws), "apprenticeship", start, end)
    _contract(enrol(later, data.campus0, 1, track=ws), "professionalisation", start, end)
    _contract(
        enrol(later, data.campus0, 1, track=ws, status="withdrawn"), "apprenticeship", start, end
    )
    # terminated before the edition began: not an apprentice of this edition
    early = enrol(later, data.campus1, 2, track=ws)
    _contract(
        early, "apprenticeship", start - dt.timedelta(days=400), end, start - dt.timedelta(days=1)
    )
    # MSc 2 whose 2-year contract hangs on the MSc 1 enrolment of the earlier edition
    first = enrol(data.edition, data.campus1, 1, track=ws)
    _contract(first, "apprenticeship", data.edition.start_date, end)
    enrol(later, data.campus1, 2, track=ws, learner=first.learner, previous=first)
    rows = queries.apprentice_rows(programme=data.programme, scope=queries.EVERYTHING)
    got = {(r.edition.code, r.campus.code): r.by_year for r in rows}
    assert got == {
        (data.edition.code, data.campus1.code): {1: 1},
        (later.code, data.campus0.code): {1: 2},
        (later.code, data.campus1.code): {2: 1},
    }


# --- surveys --------------------------------------------------------------------------------


def answer_survey(data: Data, kind: str, question: str, numbers: list[int], campus: Campus) -> None:
    survey, _created = Survey.objects.get_or_create(
        kind=kind,
        edition=data.edition,
        defaults={
            "programme": data.programme,
            "title_fr": kind,
            "opens_on": dt.date(2025, 6, 1),
            "closes_on": dt.date(2025, 7, 1),
        },
    )
    for number in numbers:
        e = enrol(data.edition, campus, 1)
        _n[0] += 1
        invitation = SurveyInvitation.objects.create(
            survey=survey,
            learner=e.learner,
            token_hash=f"{_n[0]:064d}",
            answered_at=timezone.make_aware(dt.datetime(2025, 6, 20, 12)),
        )
        SurveyAnswer.objects.create(invitation=invitation, question=question, number=number)
        SurveyAnswer.objects.create(invitation=invitation, question="comment", number=5)


def test_satisfaction_and_employment_from_answers() -> None:
    data = build()
    answer_survey(
        data, "satisfaction_teaching", "overall", [5, 4, 4, 3, 2, 5, 5, 4, 1, 4, 5, 3], data.campus0
    )
    answer_survey(data, "satisfaction_teaching", "overall", [5, 2], data.campus1)
    answer_survey(data, "employment_6m", "employed", [1] * 9 + [0] * 2, data.campus0)
    per_campus, overall = queries.survey_rows(
        programme=data.programme, scope=queries.EVERYTHING, base=10
    )
    got = {(s.kind, s.campus): (s.positive, s.answered, s.rate.value) for s in overall}
    assert got == {
        ("satisfaction_teaching", None): (9, 14, Decimal("64.3")),
        ("employment_6m", None): (9, 11, Decimal("81.8")),
    }
    assert overall[0].as_of == dt.date(2025, 6, 20)
    c1 = [s for s in per_campus if s.campus == data.campus1]
    assert [(s.positive, s.answered, s.rate.significant) for s in c1] == [(1, 2, False)]


# --- scope ----------------------------------------------------------------------------------


def test_scope_per_role() -> None:
    data = build()
    assert queries.scope_for(user=data.director) == queries.EVERYTHING
    assert queries.scope_for(user=data.coordinator1) == queries.Scope(frozenset({data.campus1.pk}))
    lecturer = person("lecturer@example.org", (Role.LECTURER, ScopeKind.COURSE, 1))
    assert queries.scope_for(user=lecturer) is None
    scope = queries.scope_for(user=data.coordinator1)
    assert scope is not None
    _per, overall = queries.certification_rows(programme=data.programme, scope=scope, base=1)
    assert [(r.cohort, r.certified) for r in overall] == [(2, 1)]


# --- pages, CSV, API ------------------------------------------------------------------------


def test_dashboard_campus_scoped_and_csv(client) -> None:
    data = build()
    client.force_login(data.coordinator1)
    page = client.get("/reporting/")
    assert page.status_code == 200
    text = page.content.decode()
    assert data.campus1.name in text
    assert data.campus0.name not in text
    assert 'role="img"' in text and "<title" in text
    # another campus: 404, not someone else's figures
    assert client.get(f"/reporting/?campus={data.campus0.pk}").status_code == 404
    response = client.get("/reporting/indicators/certification.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["edition", "campus", "cohort", "certified"]
    assert rows[1][:4] == [data.edition.code, "", "2", "1"]
    assert rows[2][:4] == [data.edition.code, data.campus1.code, "2", "1"]
    assert rows[1][7:9] == ["", "0"]  # below the minimum base: no value, not significant
    assert len(rows) == 3
    assert client.get("/reporting/indicators/nothing.csv").status_code == 404


def test_every_table_exports_csv(client) -> None:
    data = build()
    client.force_login(data.director)
    for slug in ("certification", "blocks", "admissions", "apprentices", "surveys", "declared"):
        response = client.get(f"/reporting/indicators/{slug}.csv")
        assert response.status_code == 200, slug
        assert response.content.decode().splitlines()[0]
    rows = list(
        csv.reader(io.StringIO(client.get("/reporting/indicators/blocks.csv").content.decode()))
    )
    assert rows[1][:6] == [data.edition.code, data.blocks[0].code, "10", "2", "1", "83.3"]


def test_anonymous_and_unscoped_are_refused(client) -> None:
    data = build()
    assert client.get("/reporting/").status_code == 302
    assert client.get("/reporting/indicators/certification.csv").status_code == 302
    api = f"/api/reporting/indicators/{data.programme.code}/"
    assert client.get(api).status_code == 401  # WWW-Authenticate: Bearer (API tokens)
    client.force_login(person("lecturer@example.org", (Role.LECTURER, ScopeKind.COURSE, 1)))
    assert client.get("/reporting/").status_code == 404
    assert client.get(api).status_code == 404


def test_api_scoped_and_figures_with_base(client) -> None:
    data = build()
    client.force_login(data.coordinator1)
    body = client.get(f"/api/reporting/indicators/{data.programme.code}/").json()
    assert body["campuses"] == [data.campus1.code]
    (row,) = body["certification"]
    assert row["cohort"] == 2 and row["rate"]["value"] is None
    assert row["rate"]["significant"] is False and row["rate"]["denominator"] == 2
    client.force_login(data.director)
    body = client.get(f"/api/reporting/indicators/{data.programme.code}/").json()
    assert body["certification"][0]["rate"] | {} == {
        "value": 66.7,
        "numerator": 10,
        "denominator": 15,
        "as_of": "2025-09-15",
        "unit": "%",
        "significant": True,
        "reason": "computed",
        "min_base": 10,
        "declared": False,
        "source": None,
    }


def test_dashboard_queries_do_not_grow_with_rows(client) -> None:
    data = build()
    client.force_login(data.director)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/reporting/").status_code == 200
    # ten more certified learners on a new campus, their block decisions and survey answers
    extra = Campus.objects.create(code="EXTRA", name="Campus extra", position=9)
    s = JurySession.objects.filter(status="closed").first()
    assert s is not None
    for _ in range(10):
        en = enrol(data.edition, extra, 2)
        cert(s, en, "certified")
        block(s, en, data.blocks[1], "validated")
    answer_survey(data, "employment_2y", "employed", [1] * 10, extra)
    with CaptureQueriesContext(connection) as big:
        assert client.get("/reporting/").status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries)


# --- declared history -------------------------------------------------------------------------

SHIPPED = Path(__file__).resolve().parents[3] / "data" / "reporting" / "declared_history.yaml"


def test_declared_history_loads_once(referential_data) -> None:
    from capitalis.core.services import data_load

    programme = Programme.objects.get(code="MSC-ERCI")
    figures = {
        (f.indicator, f.period, f.campus.code if f.campus else None): f.value
        for f in DeclaredFigure.objects.filter(programme=programme)
    }
    assert figures == {
        ("certification_rate", "2021-22", None): Decimal(92),
        ("satisfaction_teaching", "2024", None): Decimal(84),
        ("satisfaction_work_study", "2024", None): Decimal(84),
        ("apprentices", "2022-23", "PAR"): Decimal(192),
        ("apprentices_msc1", "2022-23", "PAR"): Decimal(34),
        ("apprentices_msc2", "2022-23", "PAR"): Decimal(158),
        ("employment_6m", "2020", None): Decimal(94),
        ("employment_2y", "2020", None): Decimal(52),
        ("employment_6m", "2019", None): Decimal(97),
        ("employment_2y", "2019", None): Decimal(67),
    }
    assert all(f.source.startswith("The ") for f in DeclaredFigure.objects.all())
    assert not any("seed" in f.source for f in DeclaredFigure.objects.all())
    again = data_load()
    counts = again.counts["reporting-declared"].as_dict()["reporting.declaredfigure"]
    assert counts == {"created": 0, "updated": 0, "unchanged": 10, "deleted": 0}
    assert DeclaredFigure.objects.count() == 10
    rows = queries.declared_rows(programme=programme, scope=queries.EVERYTHING)
    assert all(r.figure.declared and r.figure.source for r in rows)


def test_declared_history_bad_file_is_refused(tmp_path) -> None:
    from capitalis.core.data import DataFileError
    from capitalis.reporting.indicators.data import parse_document

    bad = tmp_path / "declared_bad.yaml"
    bad.write_text(
        "programme: MSC-ERCI\nfigures:\n"
        "- {indicator: certification_rate, period: '2021', value: '120', unit: '%', source: s}\n"
        "- {indicator: made_up, period: '2021', value: 'abc', unit: '%', source: s}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as error:
        parse_document(bad)
    message = str(error.value)
    assert "figures[0].value" in message and "figures[1].value" in message
    assert "made_up" in message
    assert parse_document(tmp_path / "retention.yaml") is None  # another loader's file
    assert parse_document(SHIPPED) is not None
