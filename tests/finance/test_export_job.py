"""The accounting journal prepared in the background (issue 13 point 10): finance staff ask for
it from the invoices page or the API; the job's page follows it and then offers the CSV, kept
in the private storage and downloaded by its requester only (anyone else: 404, never a public
/media/ address); asked again while it is being prepared, the same job answers; a job whose
requester is no longer finance staff fails with a translated reason. The "My background tasks"
link appears in the navigation once a person has a job."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from openapi_core import OpenAPI

from capitalis.accounts.models import RoleAssignment
from capitalis.core.models import Job
from capitalis.finance import services, tasks
from tests.finance import invoice_builders as build
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff() -> Any:
    build.catalogue()
    staff = build.person("finance@example.org", build.Role.FINANCE)
    services.invoice_create_for_application_fee(
        application=build.application(build.person("cand@example.org")),
        actor=staff,
        issued_on=date(2024, 3, 1),
    )
    return staff


def client_for(user: Any, lang: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_the_page_starts_the_job_whose_file_only_she_downloads(staff: Any) -> None:
    client = client_for(staff)
    list_page = client.get("/finance/invoices/").content.decode()
    assert 'action="/finance/export/job/"' in list_page
    answer = client.post("/finance/export/job/", {"from": "2024-01-01", "to": "2024-12-31"})
    job = Job.objects.get(kind="finance.export")
    assert answer.status_code == 302 and answer["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done" and job.user == staff
    assert job.result_url == f"/jobs/{job.pk}/file/"
    assert job.message == "The accounting export is ready: 1 row(s)."
    assert job.file.name.startswith(f"jobs/{job.pk}/")
    page = client.get(answer["Location"]).content.decode()
    assert f'href="/jobs/{job.pk}/file/" id="job-result">Download the file</a>' in page
    download = client.get(f"/jobs/{job.pk}/file/")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"
    content = b"".join(download.streaming_content)
    synchronous = client.get("/finance/export.csv?from=2024-01-01&to=2024-12-31").content
    assert content == synchronous
    # someone else (even finance staff) sees neither the job nor its file
    other = client_for(build.person("other-finance@example.org", build.Role.FINANCE))
    assert other.get(f"/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/jobs/{job.pk}/file/").status_code == 404
    assert other.get(f"/api/jobs/{job.pk}/file/").status_code == 404
    # the file is never under a public address
    assert client.get(f"/media/{job.file.name}").status_code == 404


def test_asked_again_while_it_is_prepared_the_same_job_answers(staff: Any, monkeypatch) -> None:
    monkeypatch.setattr(tasks.export_job, "delay", lambda *args: None)  # a busy worker
    client = client_for(staff)
    first = client.post("/finance/export/job/", {"from": "2024-01-01"})
    second = client.post("/finance/export/job/", {"from": "2024-01-01"})
    assert first["Location"] == second["Location"]
    assert Job.objects.filter(kind="finance.export").count() == 1
    job = Job.objects.get()
    assert job.status == "queued"
    # no file yet: 404 even for her
    assert client.get(f"/jobs/{job.pk}/file/").status_code == 404


def test_a_job_whose_requester_lost_the_role_fails_in_her_language(staff: Any, monkeypatch) -> None:
    monkeypatch.setattr(tasks.export_job, "delay", lambda *args: None)
    client_for(staff, "fr").post("/finance/export/job/", {})
    job = Job.objects.get()
    RoleAssignment.objects.filter(user=staff).delete()
    tasks.export_job(job.pk, "", "")
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message == "Seule l'équipe financière peut exporter le journal comptable."
    assert not job.file


def test_who_is_not_finance_staff_cannot_start_it(staff: Any) -> None:
    learner = client_for(build.person("learner@example.org"))
    assert learner.post("/finance/export/job/", {}).status_code == 404
    assert (
        learner.post("/api/finance/export/", {}, content_type="application/json").status_code == 403
    )
    bad = client_for(staff).post("/finance/export/job/", {"from": "2024-12-31", "to": "2024-01-01"})
    assert bad.status_code == 302 and bad["Location"] == "/finance/invoices/"
    assert not Job.objects.exists()


def test_the_api_answers_202_and_serves_the_file_to_her_only(staff: Any, openapi: OpenAPI) -> None:
    client = client_for(staff)
    answer = client.post(
        "/api/finance/export/", {"date_from": "2024-01-01"}, content_type="application/json"
    )
    answer_validated(openapi, "/api/finance/export/", answer)
    assert answer.status_code == 202
    job = client.get(answer["Location"]).json()
    assert job["status"] == "done" and job["result"]["rows"] == 1
    path = f"/api/jobs/{job['id']}/file/"
    download = client.get(path)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\xef\xbb\xbfdate;entry")
    other = client_for(build.person("other-finance@example.org", build.Role.FINANCE))
    refused = other.get(path)
    answer_validated(openapi, "/api/jobs/{id}/file/", refused, "get")
    assert refused.status_code == 404
    bad = client.post(
        "/api/finance/export/", {"date_from": "soon"}, content_type="application/json"
    )
    answer_validated(openapi, "/api/finance/export/", bad)
    assert bad.status_code == 400


def test_the_navigation_links_her_background_tasks_once_she_has_one(staff: Any) -> None:
    client = client_for(staff, "fr")
    assert 'href="/jobs/"' not in client.get("/finance/invoices/").content.decode()
    client.post("/finance/export/job/", {})
    page = client.get("/finance/invoices/").content.decode()
    nav = page.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/jobs/">Mes tâches en arrière-plan</a>' in nav
