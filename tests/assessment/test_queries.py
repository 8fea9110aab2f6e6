"""Assessment queries: the jury's evidence in one query, scoping of lecturers and learners."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capitalis.assessment import queries, services
from capitalis.enrolment.models import Enrolment
from tests.assessment.builders import exam, world

pytestmark = pytest.mark.django_db


def test_evidence_rows_per_competency_and_for_the_whole_assessment() -> None:
    w = world(learners=2)
    a = exam(w, weight="2")
    b = exam(w, code="RS", when=dt.date(2025, 6, 1), session="resit")
    e0, e1 = w.enrolments
    c0, c1 = w.competencies[:2]
    services.result_set(assessment=a, enrolment=e0, competency=c0, grade=12, actor=w.lecturer)
    services.result_set(
        assessment=a, enrolment=e1, competency=c1, level="acquired", actor=w.lecturer
    )
    # a whole-assessment result counts for both competencies b evaluates
    services.result_set(assessment=b, enrolment=e0, grade="8.5", actor=w.lecturer)
    version = w.edition.programme.certification_version
    rows = queries.evidence_for(enrolments=[e0, e1.pk], version=version)
    assert rows == [
        queries.EvidenceRow(
            e0.pk, e0.learner_id, c0.pk, c0.block_id, Decimal("12.00"), None, "none",
            Decimal("2.00"), "first", dt.date(2025, 1, 15), a.pk,
        ),
        queries.EvidenceRow(
            e0.pk, e0.learner_id, c0.pk, c0.block_id, Decimal("8.50"), None, "none",
            Decimal("1.00"), "resit", dt.date(2025, 6, 1), b.pk,
        ),
        queries.EvidenceRow(
            e0.pk, e0.learner_id, c1.pk, c1.block_id, Decimal("8.50"), None, "none",
            Decimal("1.00"), "resit", dt.date(2025, 6, 1), b.pk,
        ),
        queries.EvidenceRow(
            e1.pk, e1.learner_id, c1.pk, c1.block_id, None, "acquired", "none",
            Decimal("2.00"), "first", dt.date(2025, 1, 15), a.pk,
        ),
    ]  # fmt: skip
    # another version: nothing
    other = version.certification.versions.exclude(pk=version.pk).get()
    assert queries.evidence_for(enrolments=[e0, e1], version=other) == []


def test_evidence_is_one_query_whatever_the_number_of_learners() -> None:
    w = world(learners=6)
    a = exam(w)
    version = w.edition.programme.certification_version
    counts = []
    for n in (2, 6):
        for e in w.enrolments[:n]:
            for c in w.competencies[:2]:
                services.result_set(
                    assessment=a, enrolment=e, competency=c, grade=11, actor=w.lecturer
                )
        with CaptureQueriesContext(connection) as ctx:
            rows = queries.evidence_for(
                enrolments=Enrolment.objects.filter(edition=w.edition), version=version
            )
        counts.append(len(ctx))
        assert len(rows) == 2 * n
    assert counts == [1, 1]


def test_scoping_lecturer_and_learner() -> None:
    w = world(learners=2)
    a = exam(w)
    other = services.assessment_create(
        edition=w.edition,
        course=w.other_course,
        code="OT",
        title_fr="Autre",
        modality="oral_exam",
        date=dt.date(2025, 3, 1),
        competencies=w.competencies[:1],
        actor=w.other_lecturer,
    )
    e0, e1 = w.enrolments
    services.result_set(
        assessment=a, enrolment=e0, competency=w.competencies[0], grade=10, actor=w.lecturer
    )
    services.result_set(
        assessment=other,
        enrolment=e1,
        competency=w.competencies[0],
        grade=15,
        actor=w.other_lecturer,
    )
    assert list(queries.assessments_for(user=w.lecturer)) == [a]
    assert set(queries.assessments_for(user=w.director)) == {a, other}
    assert list(
        queries.results_for_staff(user=w.lecturer).values_list("enrolment_id", flat=True)
    ) == [e0.pk]
    assert list(queries.assessments_for(user=e0.learner.user)) == []
    mine = list(queries.results_for_learner(user=e1.learner.user))
    assert [r.assessment_id for r in mine] == [other.pk]
