"""``seed_demo`` with the shipped data gives the survey indicators data: satisfaction surveys
for the demo editions, employment surveys for the past cohorts, mixed answers (some satisfied,
some not; some employed, some not), an open survey whose link is printed; a second run creates
nothing new."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from capitalis.reporting.models import Survey, SurveyAnswer, SurveyInvitation

pytestmark = pytest.mark.django_db


def seed(tmp_path: Path, settings: Any) -> str:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_surveys_and_answers(referential_data: None, tmp_path: Path, settings: Any) -> None:
    out = seed(tmp_path, settings)
    kinds = set(Survey.objects.values_list("kind", flat=True))
    assert {"satisfaction_teaching", "employment_6m", "employment_2y"} <= kinds
    overall = set(SurveyAnswer.objects.filter(question="overall").values_list("number", flat=True))
    assert {n >= 4 for n in overall} == {True, False}  # satisfied and not
    employed = set(
        SurveyAnswer.objects.filter(question="employed").values_list("number", flat=True)
    )
    assert employed == {0, 1}
    unanswered = SurveyInvitation.objects.filter(answered_at__isnull=True).count()
    assert 0 < unanswered < SurveyInvitation.objects.count()
    link = re.search(r"/survey/[A-Za-z0-9_\-]+/", out)
    assert link, out
    page = Client().get(link.group(0))
    assert page.status_code == 200 and 'name="q_overall"' in page.content.decode()
    counts = (
        Survey.objects.count(),
        SurveyInvitation.objects.count(),
        SurveyAnswer.objects.count(),
    )
    seed(tmp_path, settings)
    assert (
        Survey.objects.count(),
        SurveyInvitation.objects.count(),
        SurveyAnswer.objects.count(),
    ) == counts
