"""Scoped reads: a tutor sees only his apprentices, campus staff their campus, a learner her own
record; the learners dashboard counts set-wise (query count independent of rows)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capitalis.accounts import permissions
from capitalis.enrolment import queries, services
from capitalis.enrolment.queries import DashboardFilters
from capitalis.programmes.models import Track
from tests.enrolment.builders import admitted, contract_for, user, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    w = world()
    tutor = user("tutor@example.org", name="Tuteur")
    other_tutor = user("tutor2@example.org", name="Tuteur 2")
    mine = services.enrolment_create_from_application(
        application=admitted(w, "a1@example.org", track=Track.WORK_STUDY),
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2, tutor=tutor),
    )
    theirs = services.enrolment_create_from_application(
        application=admitted(w, "a2@example.org", track=Track.WORK_STUDY),
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2, tutor=other_tutor),
    )
    elsewhere = services.enrolment_create_from_application(
        application=admitted(w, "a3@example.org", campus=w.other_campus),
        actor=w.director,
    )
    return w, tutor, mine, theirs, elsewhere


def test_tutor_sees_only_his_apprentices(data) -> None:
    _w, tutor, mine, theirs, _elsewhere = data
    assert list(queries.enrolment_list_for(user=tutor)) == [mine]
    assert list(queries.learner_list_for(user=tutor)) == [mine.learner]
    assert [c.enrolment_id for c in queries.contract_list_for(user=tutor)] == [mine.pk]
    assert queries.learner_get_for(user=tutor, pk=theirs.learner_id) is None
    assert queries.learner_record_for(user=tutor, pk=theirs.learner_id) is None


def test_campus_staff_see_their_campus_director_everything(data) -> None:
    w, _tutor, mine, theirs, elsewhere = data
    assert set(queries.enrolment_list_for(user=w.coordinator)) == {mine, theirs}
    assert queries.enrolment_get_for(user=w.coordinator, pk=elsewhere.pk) is None
    assert set(queries.enrolment_list_for(user=w.director)) == {mine, theirs, elsewhere}
    nobody = user("nobody@example.org")
    assert not queries.enrolment_list_for(user=nobody).exists()
    assert not permissions.can(nobody, "read", "enrolment")


def test_learner_sees_only_her_record(data) -> None:
    _w, _tutor, mine, theirs, _elsewhere = data
    learner_user = mine.learner.user
    assert list(queries.enrolment_list_for(user=learner_user)) == [mine]
    assert queries.learner_record_for(user=learner_user, pk=mine.learner_id) is not None
    assert queries.learner_record_for(user=learner_user, pk=theirs.learner_id) is None
    assert not queries.contract_list_for(user=theirs.learner.user).filter(enrolment=mine).exists()


def test_dashboard_counts_and_filters(data) -> None:
    w, _tutor, mine, _theirs, _elsewhere = data
    services.enrolment_transition(enrolment=mine, target="suspended", actor=w.director)
    board = queries.learners_dashboard(user=w.director, filters=DashboardFilters())
    assert board.total == 3
    by_key = {(r.campus, r.track): r for r in board.rows}
    assert by_key[(w.campus.name, Track.WORK_STUDY)].counts["suspended"] == 1
    assert by_key[(w.campus.name, Track.WORK_STUDY)].total == 2
    assert by_key[(w.other_campus.name, Track.INITIAL)].total == 1
    assert board.totals["enrolled"] == 2
    filtered = queries.learners_dashboard(
        user=w.director, filters=DashboardFilters(campus=w.other_campus.pk)
    )
    assert filtered.total == 1
    assert (
        queries.learners_dashboard(
            user=w.director, filters=DashboardFilters(status="suspended", track="work_study")
        ).total
        == 1
    )
    scoped = queries.learners_dashboard(user=w.coordinator, filters=DashboardFilters())
    assert scoped.total == 2


def _count(user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        queries.learners_dashboard(user=user, filters=DashboardFilters())
        queries.dashboard_enrolments(user=user, filters=DashboardFilters())
    return len(ctx.captured_queries)


def test_dashboard_query_count_does_not_grow_with_rows(data) -> None:
    w = data[0]
    before = _count(w.director)
    before_scoped = _count(w.coordinator)
    for n in range(6):
        services.enrolment_create_from_application(
            application=admitted(
                w, f"more{n}@example.org", campus=w.campus if n % 2 else w.other_campus
            ),
            actor=w.director,
        )
    assert _count(w.director) == before
    assert _count(w.coordinator) == before_scoped


def test_record_query_count_fixed(data) -> None:
    w, _tutor, mine, _theirs, _e = data
    with CaptureQueriesContext(connection) as ctx:
        queries.learner_record_for(user=w.director, pk=mine.learner_id)
    first = len(ctx.captured_queries)
    services.contract_terminate(
        contract=mine.contracts.get(),
        terminated_on=dt.date(2025, 1, 1),
        reason="fin",
        actor=w.director,
    )
    services.contract_create(
        enrolment=mine, contract=contract_for(dt.date(2025, 1, 2), 2), actor=w.director
    )
    # the new 2-year contract runs into 2026-27: it carries over
    services.enrolment_reenrol(enrolment=mine, edition=w.second, actor=w.director)
    with CaptureQueriesContext(connection) as ctx:
        record = queries.learner_record_for(user=w.director, pk=mine.learner_id)
    assert record is not None and len(record.cards) == 2
    assert len(ctx.captured_queries) == first
