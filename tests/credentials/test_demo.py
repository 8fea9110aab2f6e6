"""``seed_demo``: a past demo jury session is closed (frozen minutes) and its credentials issued
for the certified and partially certified learners, so /verify/ works out of the box; the notes
print a verification URL; seeding again issues nothing new."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from capitalis.credentials.demo_credentials import TITLE
from capitalis.credentials.models import Credential
from capitalis.jury.models import CertificationDecision, JurySession

pytestmark = pytest.mark.django_db


def seed(tmp_path: Path, settings: Any) -> str:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CREDENTIALS_SIGNING_KEY = ""
    settings.CREDENTIALS_SIGNING_KEY_FILE = ""
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_issues_credentials_from_a_closed_session(
    referential_data: None, tmp_path: Path, settings: Any, client: Any
) -> None:
    out = seed(tmp_path, settings)
    session = JurySession.objects.get(title=TITLE)
    assert session.is_closed and session.minutes_sha256
    decisions = CertificationDecision.objects.filter(session=session)
    certified = [d for d in decisions if d.status == "certified"]
    partial = [d for d in decisions if d.status == "partially_certified"]
    credentials = Credential.objects.filter(session=session)
    assert credentials.filter(kind="certification").count() == len(certified)
    assert credentials.filter(kind="block").count() >= len(certified) + len(partial)
    assert credentials.exists()
    sample = credentials.first()
    assert sample is not None
    assert "/verify/" in out
    response = client.get(f"/verify/{sample.public_id}/")
    assert response.status_code == 200
    assert 'data-verdict="authentic"' in response.content.decode()
    count = credentials.count()
    seed(tmp_path, settings)
    assert Credential.objects.filter(session=session).count() == count
