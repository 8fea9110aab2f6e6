"""``seed_demo`` with the shipped data gives the indicators a past cohort: two past editions
whose jury is closed, with certified, partially certified and not certified learners, some
apprentices; a second run creates nothing new."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from capitalis.enrolment.models import Enrolment
from capitalis.jury.models import CertificationDecision, JurySession
from capitalis.programmes.models import Programme
from capitalis.reporting import queries
from capitalis.reporting.demo_indicators import COHORTS, session_title

pytestmark = pytest.mark.django_db


def seed(tmp_path: Path, settings: Any) -> str:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


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
    counts = (Enrolment.objects.count(), CertificationDecision.objects.count())
    seed(tmp_path, settings)
    assert (Enrolment.objects.count(), CertificationDecision.objects.count()) == counts
