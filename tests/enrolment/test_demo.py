"""``seed_demo`` with the shipped data: candidates at every application status (through the
admissions services), enrolled learners on every campus and track of the latest edition with
contracts (work-study) and internships (initial); generated people only; idempotent."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from capitalis.accounts.demo import DEMO_DOMAIN
from capitalis.admissions.models import Application
from capitalis.admissions.rules import Status
from capitalis.enrolment import queries
from capitalis.enrolment.models import Contract, Enrolment, Internship
from capitalis.programmes.models import Edition, Offering, Track

pytestmark = pytest.mark.django_db


def seed(tmp_path: Path, settings: Any) -> str:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_candidates_and_learners(
    referential_data: None, tmp_path: Path, settings: Any
) -> None:
    seed(tmp_path, settings)
    latest = Edition.objects.order_by("-start_date").first()
    assert latest is not None
    statuses = set(Application.objects.filter(edition=latest).values_list("status", flat=True))
    assert statuses == {s.value for s in Status}
    assert not Application.objects.exclude(candidate__email__endswith=f"@{DEMO_DOMAIN}").exists()
    offered = set(Offering.objects.filter(edition=latest).values_list("campus_id", "track"))
    enrolled = set(Enrolment.objects.filter(edition=latest).values_list("campus_id", "track"))
    assert enrolled == offered
    for enrolment in Enrolment.objects.filter(edition=latest).select_related("year"):
        if enrolment.track == Track.WORK_STUDY:
            contract = Contract.objects.get(enrolment=enrolment)
            years = (contract.end_date - contract.start_date).days // 360
            assert years == (2 if enrolment.year.position == 1 else 1)
        else:
            assert Internship.objects.filter(enrolment=enrolment).exists()
    # the demo employer tutor sees his apprentices only
    from capitalis.accounts.models import User

    tutor = User.objects.get(email=f"employer-tutor@{DEMO_DOMAIN}")
    seen = set(queries.enrolment_list_for(user=tutor).values_list("track", flat=True))
    assert seen == {Track.WORK_STUDY.value}
    # every demo contract names its employer tutor (the alumni cohorts' ones too)
    assert Contract.objects.exists()
    assert not Contract.objects.filter(tutor__isnull=True).exists()
    _every_demo_record_renders(tutor)
    counts = (Application.objects.count(), Enrolment.objects.count(), Contract.objects.count())
    seed(tmp_path, settings)
    assert (Application.objects.count(), Enrolment.objects.count(), Contract.objects.count()) == (
        counts
    )


def _every_demo_record_renders(tutor: Any) -> None:
    """Each demo learner's record answers 200 to the director and to the learner herself
    ("my record"), and the tutor's apprentices' records to the tutor (run on the seeded data
    of the test above, so the demo is seeded once)."""
    from django.test import Client

    from capitalis.accounts.models import User
    from capitalis.enrolment.models import Learner

    director = User.objects.get(email=f"programme-director@{DEMO_DOMAIN}")
    staff = Client(headers={"accept-language": "fr"})
    staff.force_login(director)
    failures = []
    for learner in Learner.objects.select_related("user"):
        own = Client(headers={"accept-language": "en"})
        own.force_login(learner.user)
        for who, client, url in (
            ("director", staff, f"/enrolment/learners/{learner.pk}/"),
            ("self", own, "/enrolment/me/"),
        ):
            status = client.get(url, follow=True).status_code
            if status != 200:
                failures.append(f"{learner.user.email} {who} {url} → {status}")
    apprentices = queries.learner_list_for(user=tutor)
    assert apprentices.exists()
    mine = Client()
    mine.force_login(tutor)
    for learner in apprentices:
        status = mine.get(f"/enrolment/learners/{learner.pk}/").status_code
        if status != 200:
            failures.append(f"tutor {learner.pk} → {status}")
    assert failures == []
