"""``seed_demo`` gains assessments and results: every competency of the demo learners' blocks
assessed, every demo learner with results, varied (most pass, some fail), idempotent."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from capitalis.assessment.models import Assessment, Result
from capitalis.assessment.queries import evidence_for
from capitalis.enrolment.models import Enrolment
from capitalis.referential.models import Competency

pytestmark = pytest.mark.django_db


def test_demo_assessments_and_results(
    referential_data: None, tmp_path: Path, settings: Any
) -> None:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    enrolments = list(Enrolment.objects.select_related("edition__programme", "specialisation"))
    assert enrolments and Assessment.objects.exists()
    for e in enrolments:
        version = e.edition.programme.certification_version
        rows = evidence_for(enrolments=[e], version=version)
        assessed = {r.competency_id for r in rows}
        common = set(
            Competency.objects.filter(block__version=version, block__kind="common").values_list(
                "pk", flat=True
            )
        )
        assert common <= assessed, e
        if e.specialisation is not None:
            assert set(e.specialisation.block.competencies.values_list("pk", flat=True)) <= assessed
    grades = [g for g in Result.objects.values_list("grade", flat=True) if g is not None]
    assert any(g < 10 for g in grades) and sum(g >= 10 for g in grades) > 0.8 * len(grades)
    count = Result.objects.count()
    history = Result.history.count()  # type: ignore[attr-defined]
    call_command("seed_demo", stdout=StringIO())
    assert Result.objects.count() == count
    assert Result.history.count() == history  # type: ignore[attr-defined]
