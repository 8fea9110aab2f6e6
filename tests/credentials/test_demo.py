"""``seed_demo``: the credentials (920) and documents (930) steps issue, for every closed demo
jury session — reporting's past cohorts included — every credential and PDF it allows, so
/verify/ works out of the box and the holders' declaration (950) carries each certified
holder's proof URL (urlPreuve); the notes print a verification URL; seeding again issues
nothing new. Without any closed session the step closes a past session of its own."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from capitalis.accounts.demo import DemoContext
from capitalis.accounts.rules import Role
from capitalis.credentials.demo_credentials import TITLE, credentials_step
from capitalis.credentials.models import Credential, IssuedDocument
from capitalis.jury.models import CertificationDecision, JurySession
from capitalis.reporting.models import DeclarationFlux
from tests.credentials.issuance_world import signing_key  # noqa: F401
from tests.jury.builders import world

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


def test_demo_issues_for_every_closed_session(
    referential_data: None, tmp_path: Path, settings: Any, client: Any
) -> None:
    out = seed(tmp_path, settings)
    sessions = list(JurySession.objects.filter(status="closed").exclude(minutes_sha256=""))
    assert len(sessions) >= 2  # reporting's past cohorts
    assert not JurySession.objects.filter(title=TITLE).exists()  # no session of its own
    for session in sessions:
        decisions = list(CertificationDecision.objects.filter(session=session))
        certified = [d for d in decisions if d.status == "certified"]
        partial = [d for d in decisions if d.status == "partially_certified"]
        assert certified, session.title
        credentials = Credential.objects.filter(session=session)
        assert credentials.filter(kind="certification").count() == len(certified)
        assert credentials.filter(kind="block").count() >= len(certified) + len(partial)
        documents = IssuedDocument.objects.filter(session=session)
        assert documents.filter(kind="certificate").count() == len(certified)
        assert documents.filter(kind="attestation").count() == len(partial)
        assert documents.filter(kind="decision_letter").count() == len(decisions)
    sample = Credential.objects.filter(kind="certification").first()
    assert sample is not None
    assert "/verify/" in out
    response = client.get(f"/verify/{sample.public_id}/")
    assert response.status_code == 200
    assert 'data-verdict="authentic"' in response.content.decode()
    # the holders' declaration (order 950) now carries the proof URLs
    flux = DeclarationFlux.objects.get()
    xml = flux.file.read().decode()
    proofs = re.findall(
        r"<(?:\w+:)?urlPreuve>[^<]*/verify/([0-9a-f-]{36})/</(?:\w+:)?urlPreuve>", xml
    )
    assert proofs
    current = Credential.objects.filter(
        kind="certification", revoked_at__isnull=True, replaced_by__isnull=True
    )
    assert set(proofs) <= {str(u) for u in current.values_list("public_id", flat=True)}
    counts = (Credential.objects.count(), IssuedDocument.objects.count())
    seed(tmp_path, settings)
    assert (Credential.objects.count(), IssuedDocument.objects.count()) == counts


@pytest.mark.usefixtures("signing_key")
def test_without_a_closed_session_the_step_closes_its_own() -> None:
    w = world(learners=2)
    ctx = DemoContext(
        password="x", users={Role.JURY_PRESIDENT: w.president, Role.PROGRAMME_DIRECTOR: w.director}
    )
    credentials_step(ctx)
    own = JurySession.objects.get(title=TITLE)
    assert own.is_closed and own.minutes_sha256
    credentials_step(ctx)
    assert JurySession.objects.filter(title=TITLE).count() == 1
    assert JurySession.objects.count() == 1
