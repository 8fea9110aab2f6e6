"""Results import pages and API: the templates downloaded from the results page, the preview
listing each bad line with its translated reason and the counts, the confirmation (all valid →
"Import"; otherwise "Import the valid rows only"), the kept file deleted afterwards, 404 for
another lecturer, the API's 200/400/404 valid against the served schema."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from openapi_core import OpenAPI
from openpyxl import load_workbook

from capitalis.assessment.models import Result
from tests.assessment.builders import exam, world
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db

HEADER = "learner,competency,grade,level,absence,comment\n"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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
    # "Import" while rows are bad: refused, still nothing written
    refused = client.post(
        f"/assessment/{assessment.pk}/import/", {"token": token, "action": "import"}
    )
    assert refused.status_code == 400
    assert Result.objects.count() == 0
    done = client.post(
        f"/assessment/{assessment.pk}/import/", {"token": token, "action": "valid_only"}
    )
    assert done.status_code == 302
    assert done["Location"] == f"/assessment/{assessment.pk}/results/"
    assert list(Result.objects.values_list("grade", flat=True)) == [Decimal("12.50")]
    assert kept_files() == []  # deleted once imported
    # the token cannot be replayed
    again = client.post(
        f"/assessment/{assessment.pk}/import/", {"token": token, "action": "import"}
    )
    assert again.status_code == 302
    assert again["Location"] == f"/assessment/{assessment.pk}/import/"


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
    assert "Import done: 2 result(s) created" in done.content.decode()
    assert Result.objects.count() == 2
    assert kept_files() == []


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


@pytest.fixture
def openapi(client: Client) -> OpenAPI:
    return OpenAPI.from_dict(client.get("/api/schema/?format=json").json())


def post_validated(
    client: Client, openapi: OpenAPI, path: str, data: dict[str, Any], **headers: str
):
    """POST multipart ``data`` to ``path`` and validate the response against the schema."""
    response = client.post(path, data, headers=headers)
    answer_validated(openapi, path, response, "post")
    return response


def test_api_import_200_400_404(client: Client, openapi: OpenAPI, w, assessment) -> None:
    path = f"/api/assessment/assessments/{assessment.pk}/import/"
    schema = client.get("/api/schema/?format=json").json()
    assert "post" in schema["paths"]["/api/assessment/assessments/{id}/import/"]
    client.force_login(w.lecturer)
    # rows refused: 400 with each row's line and reason, nothing written
    bad = post_validated(
        client, openapi, path, {"file": _named(mixed_csv(w), "r.csv")}, **{"accept-language": "en"}
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
    # valid rows only: 200, the refused rows listed, the good one written
    some = post_validated(
        client, openapi, path, {"file": _named(mixed_csv(w), "r.csv"), "valid_only": "true"}
    )
    assert some.status_code == 200
    assert some.json()["imported"] is True and len(some.json()["errors"]) == 2
    assert Result.objects.count() == 1
    # an unreadable file: 400 with a detail
    junk = post_validated(client, openapi, path, {"file": _named(b"PK\x03\x04junk", "r.xlsx")})
    assert junk.status_code == 400 and junk.json()["detail"]
    # another lecturer: 404
    client.force_login(w.other_lecturer)
    other = post_validated(client, openapi, path, {"file": _named(good_csv(w), "r.csv")})
    assert other.status_code == 404
    assert Result.objects.count() == 1
