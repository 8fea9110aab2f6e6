"""Results import pages and API: the templates downloaded from the results page, the preview
listing each bad line with its translated reason and the counts, the confirmation (all valid →
"Import"; otherwise "Import the valid rows only"), the kept file deleted afterwards, 404 for
another lecturer, the API's 200/400/404 valid against the served schema. The confirmation runs
as a background job (issue 13 point 10): the page goes to the job's page, whose result links
back to the results; posting the same upload again answers with the same job; the API answers
202 with the job."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from openapi_core import OpenAPI
from openpyxl import load_workbook

from capitalis.assessment.models import Result
from capitalis.core.models import Job
from tests.assessment.builders import exam, world
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db

HEADER = "learner,competency,grade,level,absence,comment\n"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def w():
    return world()


@pytest.fixture
def assessment(w):
    return exam(w)


def ine(w, n: int) -> str:
    return w.enrolments[n].learner.national_student_number


def good_csv(w) -> bytes:
    c1, c2 = w.competencies[0].code, w.competencies[1].code
    return (HEADER + f"{ine(w, 0)},{c1},12.5,acquired,,\n{ine(w, 1)},{c2},14,,,\n").encode()


def mixed_csv(w) -> bytes:
    c1 = w.competencies[0].code
    return (
        HEADER
        + f"{ine(w, 0)},{c1},12.5,acquired,,\n"
        + f"{ine(w, 1)},{c1},25,,,\n"
        + f"nobody@example.org,{c1},10,,,\n"
    ).encode()


def upload(client: Client, assessment: Any, content: bytes, name: str = "results.csv", **kw: Any):
    return client.post(
        f"/assessment/{assessment.pk}/import/",
        {"file": _named(content, name)},
        **kw,
    )


def _named(content: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def kept_files() -> list[str]:
    if not default_storage.exists("imports"):
        return []
    return default_storage.listdir("imports")[1]


def test_results_page_links_the_templates_which_download(client: Client, w, assessment) -> None:
    client.force_login(w.lecturer)
    page = client.get(f"/assessment/{assessment.pk}/results/", headers={"accept-language": "en"})
    html = page.content.decode()
    assert f"/assessment/{assessment.pk}/import/" in html
    assert f"/assessment/{assessment.pk}/import/template.csv" in html
    assert f"/assessment/{assessment.pk}/import/template.xlsx" in html
    csv = client.get(f"/assessment/{assessment.pk}/import/template.csv")
    assert csv.status_code == 200
    assert csv["Content-Disposition"] == 'attachment; filename="EX1-results.csv"'
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "learner,competency,grade,level,absence,comment"
    assert len(lines) == 1 + len(w.enrolments) * 2
    xlsx = client.get(f"/assessment/{assessment.pk}/import/template.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "learner",
        "competency",
        "grade",
        "level",
        "absence",
        "comment",
    ]


def test_preview_lists_bad_lines_then_valid_only_imports(client: Client, w, assessment) -> None:
    client.force_login(w.lecturer)
    preview = upload(client, assessment, mixed_csv(w), headers={"accept-language": "fr"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "<td>3</td><td>La note doit être comprise entre 0 et 20" in html
    assert "<td>4</td><td>Apprenant inconnu « nobody@example.org » : aucun apprenant" in html
    assert '<th scope="row">Lignes refusées</th><td>2</td>' in html
    assert 'value="valid_only"' in html
    assert 'value="import"' not in html
    assert Result.objects.count() == 0  # a preview writes nothing
    assert len(kept_files()) == 1
    token = kept_files()[0]
    base = f"/assessment/{assessment.pk}/import/"
    # "Import" while rows are bad: the job fails with the reason, nothing written, file kept
    refused = client.post(base, {"token": token, "action": "import"})
    assert refused.status_code == 302
    failed = Job.objects.get(kind="assessment.results_import")
    assert refused["Location"] == f"/jobs/{failed.pk}/"
    assert failed.status == "failed"
    assert failed.message.startswith("Des lignes ont été refusées : rien n'a été enregistré.")
    assert Result.objects.count() == 0
    assert kept_files() == [token]
    failed_page = client.get(refused["Location"], headers={"accept-language": "fr"})
    assert f'href="{base}" id="job-back">Revenir pour réessayer</a>' in failed_page.content.decode()
    # the valid rows only: a new job, which imports and links back to the results
    done = client.post(base, {"token": token, "action": "valid_only"})
    assert done.status_code == 302
    job = Job.objects.exclude(pk=failed.pk).get()
    assert done["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done" and job.user == w.lecturer
    assert job.result_url == f"/assessment/{assessment.pk}/results/"
    assert job.result["created"] == 1 and job.result["refused"] == 2
    assert list(Result.objects.values_list("grade", flat=True)) == [Decimal("12.50")]
    assert kept_files() == []  # deleted once imported
    page = client.get(done["Location"], headers={"accept-language": "fr"}).content.decode()
    assert "Import terminé : 1 résultat(s) créé(s)" in page
    assert f'href="/assessment/{assessment.pk}/results/" id="job-result"' in page
    # posting the same upload again answers with the same job: nothing imported twice
    again = client.post(base, {"token": token, "action": "valid_only"})
    assert again["Location"] == f"/jobs/{job.pk}/"
    assert Job.objects.count() == 2
    # a token that is not one of hers: expired, back to the upload form
    stray = client.post(base, {"token": str(uuid.uuid4()), "action": "import"})
    assert stray["Location"] == base
    # another lecturer sees neither the job nor its page
    client.force_login(w.other_lecturer)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/api/jobs/{job.pk}/").status_code == 404


def test_all_valid_file_is_confirmed_and_imported(client: Client, w, assessment) -> None:
    client.force_login(w.lecturer)
    preview = upload(client, assessment, good_csv(w), headers={"accept-language": "en"})
    html = preview.content.decode()
    assert "Rows that cannot be imported" not in html
    assert 'value="import"' in html and 'value="valid_only"' not in html
    assert '<th scope="row">Results to create</th><td>2</td>' in html
    token = kept_files()[0]
    done = client.post(
        f"/assessment/{assessment.pk}/import/",
        {"token": token, "action": "import"},
        headers={"accept-language": "en"},
        follow=True,
    )
    assert done.redirect_chain[-1][0].startswith("/jobs/")
    assert "Import done: 2 result(s) created" in done.content.decode()
    assert Result.objects.count() == 2
    assert kept_files() == []


def test_cancel_deletes_the_kept_file(client: Client, w, assessment) -> None:
    client.force_login(w.lecturer)
    upload(client, assessment, good_csv(w))
    token = kept_files()[0]
    cancel = client.post(
        f"/assessment/{assessment.pk}/import/", {"token": token, "action": "cancel"}
    )
    assert cancel["Location"] == f"/assessment/{assessment.pk}/results/"
    assert kept_files() == [] and Result.objects.count() == 0
    assert not Job.objects.exists()


def test_a_failing_import_reports_a_translated_reason(client: Client, w, assessment) -> None:
    """The kept file vanished before the job ran (cleaned): the job fails, in her language."""
    client.force_login(w.lecturer)
    upload(client, assessment, good_csv(w))
    token = kept_files()[0]
    default_storage.delete(f"imports/{token}")
    answer = client.post(
        f"/assessment/{assessment.pk}/import/",
        {"token": token, "action": "import"},
        headers={"accept-language": "fr"},
    )
    job = Job.objects.get()
    assert answer["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "failed"
    assert job.message == "Le fichier déposé a expiré : déposez-le à nouveau."
    assert Result.objects.count() == 0


def test_someone_else_gets_404(client: Client, w, assessment) -> None:
    client.force_login(w.lecturer)
    upload(client, assessment, good_csv(w))
    token = kept_files()[0]
    client.force_login(w.other_lecturer)
    base = f"/assessment/{assessment.pk}/import/"
    assert client.get(base).status_code == 404
    assert client.get(base + "template.csv").status_code == 404
    assert client.get(base + "template.xlsx").status_code == 404
    assert upload(client, assessment, good_csv(w)).status_code == 404
    assert client.post(base, {"token": token, "action": "import"}).status_code == 404
    assert Result.objects.count() == 0
    learner = w.enrolments[0].learner.user
    client.force_login(learner)
    assert client.get(base).status_code == 404


# --- API -----------------------------------------------------------------------------------------


def post_validated(
    client: Client, openapi: OpenAPI, path: str, data: dict[str, Any], **headers: str
):
    """POST multipart ``data`` to ``path`` and validate the response against the schema."""
    response = client.post(path, data, headers=headers)
    answer_validated(openapi, path, response, "post")
    return response


def test_api_import_200_202_400_404(
    client: Client, openapi: OpenAPI, served_schema: dict[str, Any], w, assessment
) -> None:
    path = f"/api/assessment/assessments/{assessment.pk}/import/"
    schema = served_schema
    assert "post" in schema["paths"]["/api/assessment/assessments/{id}/import/"]
    client.force_login(w.lecturer)
    # dry run with rows refused: 400 with each row's line and reason, nothing written
    bad = post_validated(
        client,
        openapi,
        path,
        {"file": _named(mixed_csv(w), "r.csv"), "dry_run": "true"},
        **{"accept-language": "en"},
    )
    assert bad.status_code == 400
    body = bad.json()
    assert [e["line"] for e in body["errors"]] == [3, 4]
    assert body["errors"][0]["message"].startswith("The grade must lie between 0 and 20")
    assert body["imported"] is False
    assert Result.objects.count() == 0
    # dry run of a good file: 200, counted, nothing written
    dry = post_validated(
        client, openapi, path, {"file": _named(good_csv(w), "r.csv"), "dry_run": "true"}
    )
    assert dry.status_code == 200
    assert dry.json()["created"] == 2 and dry.json()["imported"] is False
    assert Result.objects.count() == 0
    assert not Job.objects.exists()
    # the import itself with refused rows: 202, a job that fails with the reason
    refused = post_validated(
        client, openapi, path, {"file": _named(mixed_csv(w), "r.csv")}, **{"accept-language": "en"}
    )
    assert refused.status_code == 202
    assert refused["Location"] == refused.json()["api_url"]
    followed = client.get(refused["Location"]).json()
    assert followed["status"] == "failed"
    assert followed["message"].startswith("Some rows were refused: nothing was saved.")
    assert Result.objects.count() == 0
    # valid rows only: 202, the job done with the report, the good row written
    some = post_validated(
        client, openapi, path, {"file": _named(mixed_csv(w), "r.csv"), "valid_only": "true"}
    )
    assert some.status_code == 202
    job = client.get(some["Location"]).json()
    assert job["status"] == "done"
    assert job["result"]["created"] == 1 and job["result"]["refused"] == 2
    assert [e["line"] for e in job["result"]["errors"]] == [3, 4]
    assert job["result_url"] == f"/assessment/{assessment.pk}/results/"
    assert Result.objects.count() == 1
    assert len(kept_files()) == 1  # the imported upload is gone (the refused one waits)
    # an unreadable file: 400 with a detail, on a dry run and before any job starts
    for flags in ({"dry_run": "true"}, {}):
        junk = post_validated(
            client, openapi, path, {"file": _named(b"PK\x03\x04junk", "r.xlsx"), **flags}
        )
        assert junk.status_code == 400 and junk.json()["detail"]
    assert Job.objects.count() == 2
    # another lecturer: 404, and the jobs are not hers to read
    client.force_login(w.other_lecturer)
    other = post_validated(client, openapi, path, {"file": _named(good_csv(w), "r.csv")})
    assert other.status_code == 404
    assert client.get(some["Location"]).status_code == 404
    assert Result.objects.count() == 1
