"""``seed_demo`` with the shipped data gives the indicators a past cohort: two past editions
whose jury is closed, with certified, partially certified and not certified learners, some
apprentices; the statuses are computed from the learners' results (one justified block override
at most); a second run creates nothing new."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from capitalis.assessment.models import Assessment, Result
from capitalis.assessment.queries import evidence_for
from capitalis.enrolment.models import Enrolment
from capitalis.jury.models import BlockDecision, CertificationDecision, JurySession
from capitalis.programmes.models import Programme
from capitalis.referential.models import Competency
from capitalis.reporting import queries
from capitalis.reporting.demo_indicators import (
    COHORTS,
    DEFENCE_WEIGHT,
    defence_grade,
    session_title,
)

grades = st.decimals(min_value=0, max_value=20, places=1)


def seed(tmp_path: Path, settings: Any) -> str:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_past_cohorts_feed_every_chart(
    referential_data: None, tmp_path: Path, settings: Any
) -> None:
    seed(tmp_path, settings)
    for _code, label, _year, _sizes in COHORTS:
        assert JurySession.objects.get(title=session_title(label)).status == "closed"
    programme = Programme.objects.get(code="MSC-ERCI")
    _per, overall = queries.certification_rows(programme=programme, scope=queries.EVERYTHING)
    past = [r for r in overall if r.edition.code in {c[0] for c in COHORTS}]
    assert len(past) == 2
    for row in past:
        assert row.cohort >= 10 and row.rate.significant
        assert row.certified > 0 and row.partial > 0 and row.not_certified > 0
        assert row.undecided == 0
    blocks = queries.block_rows(programme=programme, scope=queries.EVERYTHING)
    assert any(b.rate.significant for b in blocks)
    apprentices = queries.apprentice_rows(programme=programme, scope=queries.EVERYTHING)
    assert sum(r.total for r in apprentices) > 0
    # computed from evidence: every past learner has results for every common competency,
    # the computed statuses alone give the mix, and at most one block is overridden (justified)
    version = programme.certification_version
    common = set(
        Competency.objects.filter(block__version=version, block__kind="common").values_list(
            "pk", flat=True
        )
    )
    sessions = JurySession.objects.filter(title__in=[session_title(c[1]) for c in COHORTS])
    alumni = Enrolment.objects.filter(edition__code__in=[c[0] for c in COHORTS])
    assert alumni.count() == sum(sum(c[3].values()) for c in COHORTS)
    assessed: dict[int, set[int]] = {}
    for evidence in evidence_for(enrolments=alumni, version=version):
        assessed.setdefault(evidence.enrolment_id, set()).add(evidence.competency_id)
    assert all(common <= assessed.get(e.pk, set()) for e in alumni)
    for session in sessions:
        computed = set(
            CertificationDecision.objects.filter(session=session, override_status=None)
            .exclude(
                enrolment_id__in=BlockDecision.objects.filter(session=session)
                .exclude(override_status=None)
                .values("enrolment_id")
            )
            .values_list("computed_status", flat=True)
        )
        assert computed == {"certified", "partially_certified", "not_certified"}
    overridden = BlockDecision.objects.filter(session__in=sessions).exclude(override_status=None)
    assert overridden.count() <= 1
    assert all(d.justification.strip() for d in overridden)
    assert not CertificationDecision.objects.filter(session__in=sessions).exclude(
        override_status=None
    )
    counts = (
        Enrolment.objects.count(),
        CertificationDecision.objects.count(),
        Assessment.objects.count(),
        Result.objects.count(),
        Result.history.count(),  # type: ignore[attr-defined]
    )
    seed(tmp_path, settings)
    assert (
        Enrolment.objects.count(),
        CertificationDecision.objects.count(),
        Assessment.objects.count(),
        Result.objects.count(),
        Result.history.count(),  # type: ignore[attr-defined]
    ) == counts


@given(grade_sum=grades, usual=grades, acquired=st.booleans())
def test_defence_grade_puts_the_mean_on_the_planned_side(
    grade_sum: Decimal, usual: Decimal, acquired: bool
) -> None:
    """One earlier grade (weight 2) and the defence (weight 3): the mean lands at or above 10
    when the competency must be acquired, below 10 otherwise; the usual grade when it does."""
    weight = Decimal(2)
    total = grade_sum * weight
    grade = defence_grade(grade_sum=total, grade_weight=weight, acquired=acquired, usual=usual)
    assert Decimal(0) <= grade <= Decimal(20)
    mean = (total + DEFENCE_WEIGHT * grade) / (weight + DEFENCE_WEIGHT)
    assert (mean >= 10) is acquired
    if (total + DEFENCE_WEIGHT * usual >= 10 * (weight + DEFENCE_WEIGHT)) is acquired:
        assert grade == usual
