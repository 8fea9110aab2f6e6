"""The deliberation policy is data per certification version, and a partial crosswalk entry
credits exactly the competencies it lists as covered (SPEC §1, §6)."""

from __future__ import annotations

import datetime as dt

import pytest

from capitalis.jury import services
from capitalis.jury.models import BlockDecision, BlockValidation
from capitalis.referential.models import CertificationRule, CrosswalkEntry
from tests.jury.builders import grade, session, world

pytestmark = pytest.mark.django_db


def _status(s, enrolment, block) -> BlockDecision:
    return BlockDecision.objects.get(session=s, enrolment=enrolment, block=block)


def test_the_version_policy_threshold_decides_not_the_default():
    w = world(learners=2)
    a, b = w.enrolments
    grade(w, a, w.blocks[0], 11)
    grade(w, b, w.blocks[0], 13)
    CertificationRule.objects.filter(version=w.version).update(
        deliberation_policy={"grade_threshold": "12"}
    )
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    assert _status(s, a, w.blocks[0]).computed_status == "not_validated"
    assert _status(s, b, w.blocks[0]).computed_status == "validated"
    reasons = _status(s, a, w.blocks[0]).reasons
    assert any("12" in str(r.get("params")) for r in reasons), reasons


def test_default_policy_when_the_version_stores_none():
    w = world(learners=1)
    a = w.enrolments[0]
    grade(w, a, w.blocks[0], 11)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    assert _status(s, a, w.blocks[0]).computed_status == "validated"


def test_partial_entry_credits_its_covered_competencies_only():
    w = world(learners=1)
    a = w.enrolments[0]
    old_block = w.earlier.blocks.order_by("position").first()
    target = w.blocks[0]
    first, second = list(target.competencies.order_by("position", "code"))
    entry = CrosswalkEntry.objects.create(
        crosswalk=w.version.crosswalks_in.get(),
        from_block=old_block,
        to_block=target,
        coverage="partial",
    )
    entry.covered.set([first])
    BlockValidation.objects.create(
        learner=a.learner,
        block=old_block,
        version=w.earlier,
        validated_on=dt.date(2023, 7, 1),
        route="training",
    )
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    # Only the covered competency is credited: the block still lacks the other one.
    assert _status(s, a, target).computed_status != "validated"
    # Evidence on the uncovered competency completes the block.
    from capitalis.assessment.models import Result

    Result.objects.create(assessment=w.exams[target.pk], enrolment=a, competency=second, grade=14)
    later = session(w, day=dt.date(2025, 7, 2), title="Jury bis")
    services.deliberate(session=later, actor=w.president)
    decision = _status(later, a, target)
    assert decision.computed_status == "validated"
    assert "credited_by_crosswalk" in str(decision.reasons)


def test_shipped_crosswalk_lists_covered_competencies():
    from capitalis.core.services import data_load

    data_load()
    bc04 = CrosswalkEntry.objects.get(to_block__code="RNCP39853BC04")
    assert sorted(bc04.covered.values_list("code", flat=True)) == [
        "BC04.C2",
        "BC04.C3",
        "BC04.C4",
    ]
    policy = CertificationRule.objects.get(version__code="2024").deliberation_policy
    assert policy["grade_threshold"] == "10"
