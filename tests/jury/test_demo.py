"""``seed_demo`` with the shipped data: a jury session ready to deliberate for the demo learners,
a VAE candidate interviewed by it, a learner holding an earlier-version block; deliberating it
works; idempotent."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from capitalis.jury import services
from capitalis.jury.demo import TITLE
from capitalis.jury.models import BlockDecision, BlockValidation, JurySession, VaeDossier

pytestmark = pytest.mark.django_db


def seed(tmp_path: Path, settings: Any) -> str:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_jury_session_ready_to_deliberate(
    referential_data: None, tmp_path: Path, settings: Any
) -> None:
    seed(tmp_path, settings)
    session = JurySession.objects.get(title=TITLE)
    assert session.status == "open"
    learners = session.learners.count()
    assert learners > 0
    dossier = VaeDossier.objects.get(session=session)
    assert dossier.documents.get().blocks.count() == 2
    earlier = BlockValidation.objects.exclude(version=session.version).get()
    assert earlier.block.version.code != session.version.code
    services.deliberate(session=session, actor=session.president)
    statuses = set(
        BlockDecision.objects.filter(session=session).values_list("computed_status", flat=True)
    )
    assert "validated" in statuses
    seed(tmp_path, settings)
    assert JurySession.objects.filter(title=TITLE).count() == 1
