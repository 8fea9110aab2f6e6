"""Importing a national register file from the staff page (SPEC §1): a programme director or a
superuser uploads the XML, sees a dry run (what would be created, updated, unchanged; nothing
written), then confirms; the upload stays server-side, named by a signed token (a forged,
another user's or a reused token is refused); a malformed or too large file is refused with a
translated reason and the database is unchanged; everyone else gets a 404."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.accounts.services import role_grant
from capitalis.core.models import AuditEvent, Job, JobStatus
from capitalis.referential.models import Certification

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "register"
RNCP = FIXTURES / "export_fiches_RNCP_fixture.xml"
URL = "/referential/register-import/"


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def _user(email: str, *roles: Role) -> User:
    user = User.objects.create_user(email=email, password="pw-Secret-123", full_name=email)
    for role in roles:
        role_grant(user=user, role=role, scope=ScopeKind.GLOBAL, scope_id=None)
    return user


@pytest.fixture
def director() -> User:
    return _user("director@example.org", Role.PROGRAMME_DIRECTOR)


def _upload(client: Client, content: bytes, name: str = "export.xml", lang: str = "fr"):
    return client.post(
        URL,
        {"step": "preview", "file": SimpleUploadedFile(name, content, "text/xml")},
        headers={"accept-language": lang},
    )


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _kept(root: Path) -> list[Path]:
    return (
        sorted((root / "register-uploads").glob("*"))
        if (root / "register-uploads").exists()
        else []
    )


def test_dry_run_then_confirm_imports(client, director, tmp_path):
    client.force_login(director)
    listing = client.get("/referential/").content.decode()
    assert URL in listing
    preview = _upload(client, RNCP.read_bytes(), lang="en")
    html = preview.content.decode()
    assert preview.status_code == 200
    assert 'data-count="created">12<' in html and "Dry run" in html
    assert "RNCP39568" in html
    assert Certification.objects.count() == 0  # nothing written by the dry run
    assert not AuditEvent.objects.filter(action="referential.register_import").exists()
    assert len(_kept(tmp_path)) == 1
    done = client.post(
        URL, {"step": "confirm", "token": _token(html)}, headers={"accept-language": "fr"}
    )
    # the import runs as a background job (in-process without a broker): its page follows it
    job = Job.objects.get(kind="referential.register_import")
    assert done.status_code == 302 and done.url == f"/jobs/{job.pk}/"
    assert (job.status, job.user, job.done, job.total) == (JobStatus.DONE, director, 12, 12)
    page = client.get(done.url, headers={"accept-language": "fr"}).content.decode()
    assert "12 fiches lues : 12 créées" in page
    assert Certification.objects.count() == 12
    assert AuditEvent.objects.get(action="referential.register_import").actor == director
    assert _kept(tmp_path) == []
    # the same token again: the upload is gone
    again = client.post(
        URL, {"step": "confirm", "token": _token(html)}, headers={"accept-language": "fr"}
    )
    assert again.status_code == 400 and "plus disponible" in again.content.decode()
    # a second dry run says every fiche is unchanged
    second = _upload(client, RNCP.read_bytes()).content.decode()
    assert 'data-count="unchanged">12<' in second and 'data-count="created">0<' in second


def test_malformed_file_is_refused_with_the_reason(client, director, tmp_path):
    client.force_login(director)
    bad = _upload(client, b"this is not XML at all\n")
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "pas un XML bien formé" in html or "XML" in html
    assert "Ligne 1" in html
    wrong_root = (
        RNCP.read_text(encoding="utf-8")
        .replace("<FICHES>", "<OTHER>")
        .replace("</FICHES>", "</OTHER>")
    )
    refused = _upload(client, wrong_root.encode())
    assert refused.status_code == 400 and "FICHES" in refused.content.decode()
    assert Certification.objects.count() == 0
    assert _kept(tmp_path) == []
    missing = client.post(URL, {"step": "preview"}, headers={"accept-language": "fr"})
    assert missing.status_code == 400 and "Choisissez" in missing.content.decode()


def test_too_large_file_is_refused(client, director, settings, tmp_path):
    settings.REGISTER_UPLOAD_MAX_BYTES = 1000
    client.force_login(director)
    refused = _upload(client, RNCP.read_bytes())
    assert refused.status_code == 400
    assert "trop volumineux" in refused.content.decode()
    assert _kept(tmp_path) == [] and Certification.objects.count() == 0


def test_forged_or_foreign_token_is_refused(client, director, tmp_path):
    client.force_login(director)
    token = _token(_upload(client, RNCP.read_bytes()).content.decode())
    other = _user("other-director@example.org", Role.PROGRAMME_DIRECTOR)
    client.force_login(other)
    foreign = client.post(URL, {"step": "confirm", "token": token})
    assert foreign.status_code == 400
    for forged in ("../../etc/passwd", token[:-2] + "xx", ""):
        assert client.post(URL, {"step": "confirm", "token": forged}).status_code == 400
    assert Certification.objects.count() == 0
    assert len(_kept(tmp_path)) == 1  # still the first director's to confirm


def test_only_directors_and_superusers(client, tmp_path):
    learner = _user("learner@example.org", Role.LEARNER)
    client.force_login(learner)
    assert URL not in client.get("/referential/").content.decode()
    assert client.get(URL).status_code == 404
    assert _upload(client, RNCP.read_bytes()).status_code == 404
    assert _kept(tmp_path) == []
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page
    admin = User.objects.create_superuser(email="root@example.org", password="pw-Secret-123")
    client.force_login(admin)
    assert client.get(URL).status_code == 200


def test_an_unconfirmed_upload_is_pruned_after_an_hour(client, director, tmp_path):
    import os
    import time

    client.force_login(director)
    _upload(client, RNCP.read_bytes())
    (stale,) = _kept(tmp_path)
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    _upload(client, b"<FICHES></FICHES>")
    assert stale not in _kept(tmp_path)
