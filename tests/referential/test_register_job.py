"""The register import as a background job (issue 13 point 10): the API answers 202 with the job
to follow (``Location``), the job's progress counts fiches, a malformed file fails the job
with its element and line and writes nothing, and the upload kept for the job is deleted once
read, whatever the outcome. Without a broker the job runs in-process."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.accounts.services import role_grant
from capitalis.core.models import Job, JobStatus
from capitalis.referential import services, tasks
from capitalis.referential.models import Certification

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "register"
RNCP = FIXTURES / "export_fiches_RNCP_fixture.xml"
API = "/api/referential/register-imports/"


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


def _kept(root: Path) -> list[Path]:
    folder = root / services.REGISTER_UPLOADS_DIR
    return sorted(folder.glob("*")) if folder.exists() else []


def _post(client: Client, content: bytes | None, lang: str = "en"):
    data = {} if content is None else {"file": SimpleUploadedFile("export.xml", content)}
    return client.post(API, data, headers={"accept-language": lang})


def test_the_api_imports_as_a_job_and_answers_202(client, director, tmp_path):
    client.force_login(director)
    answer = _post(client, RNCP.read_bytes())
    assert answer.status_code == 202
    job = Job.objects.get(kind="referential.register_import")
    assert answer["Location"] == f"/api/jobs/{job.pk}/"
    body = answer.json()
    assert body["status"] == JobStatus.DONE and body["url"] == f"/jobs/{job.pk}/"
    assert (job.user, job.done, job.total) == (director, 12, 12)  # progress counts fiches
    assert job.result["created"] == 12 and job.result["fiches"] == 12
    assert "12 fiches read: 12 created" in job.message
    assert Certification.objects.count() == 12
    assert _kept(tmp_path) == []  # the upload is gone once read
    polled = client.get(answer["Location"]).json()
    assert polled["status"] == JobStatus.DONE and polled["percent"] == 100


def test_a_malformed_file_fails_the_job_and_writes_nothing(client, director, tmp_path):
    client.force_login(director)
    text = RNCP.read_text(encoding="utf-8").replace("<DATE_DECISION>", "<DATE_DECISION>x", 1)
    answer = _post(client, text.encode(), lang="fr")
    assert answer.status_code == 202
    job = Job.objects.get(kind="referential.register_import")
    assert job.status == JobStatus.FAILED
    assert "DATE_DECISION" in job.message and "Ligne" in job.message
    assert Certification.objects.count() == 0
    assert _kept(tmp_path) == []


def test_the_api_refuses_others_and_bad_requests(client, director, settings, tmp_path):
    assert _post(client, RNCP.read_bytes()).status_code in (401, 403)
    client.force_login(_user("someone@example.org"))
    assert _post(client, RNCP.read_bytes()).status_code == 404
    client.force_login(director)
    missing = _post(client, None)
    assert missing.status_code == 400 and missing.json()["code"] == "missing_file"
    settings.REGISTER_UPLOAD_MAX_BYTES = 100
    large = _post(client, RNCP.read_bytes())
    assert large.status_code == 400 and large.json()["code"] == "file_too_large"
    assert not Job.objects.exists() and _kept(tmp_path) == []
    assert Certification.objects.count() == 0


def test_a_job_whose_upload_is_gone_fails_with_the_reason(director):
    name = services.register_upload_keep(upload=io.BytesIO(RNCP.read_bytes()))
    from django.core.files.storage import default_storage

    default_storage.delete(name)
    with translation.override("en"):
        job = services.register_import_start(name=name, actor=director)
    assert job.status == JobStatus.FAILED
    assert "no longer available" in job.message
    assert Certification.objects.count() == 0


def test_the_import_tells_its_progress_in_fiches():
    seen: list[int] = []
    with RNCP.open("rb") as handle:
        services.register_import(path=handle, batch_size=5, progress=seen.append)
    assert seen == [5, 10, 12]


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1 << 20])
def test_fiches_are_counted_across_chunk_boundaries(monkeypatch, chunk):
    monkeypatch.setattr(tasks, "_CHUNK", chunk)
    data = b"<FICHES><FICHE>a</FICHE>\n<FICHE id='x'/><FICHE><FICHE>" + b"</FICHES>"
    handle = io.BytesIO(data)
    assert tasks.count_fiches(handle) == 4
    assert handle.tell() == 0
    assert tasks.count_fiches(RNCP.open("rb")) == 12
