"""The holders' declaration through its staff page, its API and its commands; who may see it;
query counts that do not grow with the number of holders; the learner identity on the staff
learner page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from capitalis.accounts.rules import Role, ScopeKind
from capitalis.reporting.declarations import register as declaration
from capitalis.reporting.models import AwardDeclaration, AwardStatus, DeclarationFlux
from tests.jury.builders import person
from tests.reporting.declarations.builders import build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_page_export_download_report_and_resend() -> None:
    d = build(2)
    client = _client(d.w.director)
    page = client.get(f"/reporting/declarations/?certification={d.certification.code}")
    assert page.status_code == 200
    assert "2 holders to declare." in page.text
    assert "late" in page.text  # awarded 2025-07-01, due 2025-10-01: past
    response = client.post(
        "/reporting/declarations/export/",
        {"certification": d.certification.code, "date_from": "2025-01-01", "date_to": "2025-12-31"},
        follow=True,
    )
    assert "checked against the register" in response.text
    flux = DeclarationFlux.objects.get()
    download = client.get(f"/reporting/declarations/files/{flux.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/xml"
    assert declaration.validate(download.content) == []
    ids = list(AwardDeclaration.objects.order_by("pk").values_list("id_technique", flat=True))
    report = declaration.build_report(
        flux_id=flux.flux_id,
        file_name=flux.filename,
        accepted=[ids[0]],
        rejected=[(ids[1], "Plusieurs titulaires ont été identifiés")],
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/reporting/declarations/report/",
        {
            "certification": d.certification.code,
            "file": SimpleUploadedFile("rapport.xml", report, "application/xml"),
        },
        follow=True,
    )
    assert "1 accepted, 1 rejected" in response.text
    assert "Plusieurs titulaires ont été identifiés" in response.text
    rejected = AwardDeclaration.objects.get(id_technique=ids[1])
    response = client.post(
        f"/reporting/declarations/awards/{rejected.pk}/resend/",
        {"certification": d.certification.code},
        follow=True,
    )
    rejected.refresh_from_db()
    assert rejected.status == AwardStatus.TO_DECLARE
    # Bad input on the page: a translated message, nothing written.
    french = _client(d.w.director, "fr")
    response = french.post(
        "/reporting/declarations/export/",
        {"certification": d.certification.code, "date_from": "2020-01-01", "date_to": "2020-12-31"},
        follow=True,
    )
    assert "Rien à déclarer" in response.text
    response = french.post(
        "/reporting/declarations/report/",
        {
            "certification": d.certification.code,
            "file": SimpleUploadedFile("x.xml", b"<rapport/>", "application/xml"),
        },
        follow=True,
    )
    assert "accusé de traitement du registre national" in response.text
    assert DeclarationFlux.objects.count() == 1


def test_only_a_programme_director_sees_the_declaration() -> None:
    d = build(1)
    coordinator = person(
        "coord@example.org", "Coordination", (Role.CAMPUS_COORDINATOR, ScopeKind.CAMPUS, 1)
    )
    learner = d.w.enrolments[0].learner.user
    for user in (coordinator, learner, d.w.president):
        client = _client(user)
        assert client.get("/reporting/declarations/").status_code == 404
        assert (
            client.post(
                "/reporting/declarations/export/",
                {"date_from": "2025-01-01", "date_to": "2025-12-31"},
            ).status_code
            == 404
        )
        assert client.get("/api/reporting/declarations/files/").status_code == 404
        assert (
            client.post(
                "/api/reporting/declarations/export/",
                {
                    "certification": d.certification.code,
                    "date_from": "2025-01-01",
                    "date_to": "2025-12-31",
                },
                content_type="application/json",
            ).status_code
            == 404
        )
    assert Client().get("/reporting/declarations/").status_code == 302
    assert not DeclarationFlux.objects.exists()


def test_api_list_export_report_and_errors() -> None:
    d = build(2)
    client = _client(d.w.director)
    listed = client.get(f"/api/reporting/declarations/?certification={d.certification.code}")
    assert listed.status_code == 200
    assert [r["status"] for r in listed.json()] == ["to_declare", "to_declare"]
    assert all(r["late"] and r["due_on"] == "2025-10-01" for r in listed.json())
    empty = client.post(
        "/api/reporting/declarations/export/",
        {"certification": d.certification.code, "date_from": "2020-01-01", "date_to": "2020-12-31"},
        content_type="application/json",
    )
    assert empty.status_code == 400 and empty.json()["code"] == "empty"
    created = client.post(
        "/api/reporting/declarations/export/",
        {"certification": d.certification.code, "date_from": "2025-01-01", "date_to": "2025-12-31"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["declared"] == 2
    xml = client.get(body["download"])
    assert declaration.validate(xml.content) == []
    ids = [
        r["id_technique"]
        for r in client.get(
            f"/api/reporting/declarations/?certification={d.certification.code}"
        ).json()
    ]
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(
        "/api/reporting/declarations/report/",
        {
            "file": SimpleUploadedFile(
                "r.xml",
                declaration.build_report(
                    flux_id="someone-else", file_name="x.xml", accepted=ids, rejected=[]
                ),
            )
        },
    )
    assert bad.status_code == 400 and bad.json()["code"] == "mismatch"
    good = client.post(
        "/api/reporting/declarations/report/",
        {
            "file": SimpleUploadedFile(
                "r.xml",
                declaration.build_report(
                    flux_id=body["flux_id"], file_name=body["filename"], accepted=ids, rejected=[]
                ),
            )
        },
    )
    assert good.status_code == 200 and good.json()["accepted"] == 2
    files = client.get("/api/reporting/declarations/files/").json()
    assert files[0]["status"] == "report_imported"
    schema = client.get("/api/schema/")
    assert b"/api/reporting/declarations/export/" in schema.content


def test_commands_export_and_import(tmp_path) -> None:
    d = build(1)
    output = tmp_path / "flux.xml"
    call_command(
        "export_holders",
        "--certification",
        d.certification.code,
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--output",
        str(output),
    )
    assert declaration.validate(output.read_bytes()) == []
    flux = DeclarationFlux.objects.get()
    with pytest.raises(CommandError):
        call_command(
            "export_holders",
            "--certification",
            d.certification.code,
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
        )
    award = AwardDeclaration.objects.get()
    report = tmp_path / "rapport.xml"
    report.write_bytes(
        declaration.build_report(
            flux_id=flux.flux_id,
            file_name=flux.filename,
            accepted=[],
            rejected=[(award.id_technique, "Aucun titulaire ne correspond")],
        )
    )
    call_command("import_declaration_report", str(report))
    award.refresh_from_db()
    assert award.status == AwardStatus.REJECTED
    with pytest.raises(CommandError):
        call_command("import_declaration_report", str(report))  # already imported
    with pytest.raises(CommandError):
        call_command(
            "export_holders",
            "--certification",
            "RNCP00000",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
        )


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_holders(d, count: int) -> None:
    from capitalis.enrolment.models import Enrolment, Learner
    from tests.reporting.declarations.builders import decide, identify

    first = d.w.enrolments[0]
    for n in range(count):
        user = person(f"more{n}@example.org", f"Apprenant plus {n}")
        enrolment = Enrolment.objects.create(
            learner=Learner.objects.create(user=user),
            edition=first.edition,
            year=first.year,
            campus=first.campus,
            track=first.track,
        )
        identify(enrolment, 10 + n)
        decide(d.session, enrolment)


def test_page_and_api_query_counts_do_not_grow_with_holders() -> None:
    d = build(2)
    client = _client(d.w.director)
    page = f"/reporting/declarations/?certification={d.certification.code}"
    api = f"/api/reporting/declarations/?certification={d.certification.code}"
    client.post(
        "/reporting/declarations/export/",
        {"certification": d.certification.code, "date_from": "2025-01-01", "date_to": "2025-12-31"},
    )
    small = (_queries(client, page), _queries(client, api))
    _more_holders(d, 5)
    client.post(
        "/reporting/declarations/export/",
        {"certification": d.certification.code, "date_from": "2025-01-01", "date_to": "2025-12-31"},
    )
    assert DeclarationFlux.objects.count() == 2
    big = (_queries(client, page), _queries(client, api))
    assert big == small


def test_learner_identity_on_the_staff_learner_page() -> None:
    d = build(1, identities=False)
    learner = d.w.enrolments[0].learner
    client = _client(d.w.director)
    page = client.get(f"/enrolment/learners/{learner.pk}/")
    assert "INSEE code of the place of birth" in page.text
    data = {
        "national_student_number": "",
        "date_of_birth": "2001-04-12",
        "birth_name": "Essai",
        "usage_name": "",
        "first_names": "Anne, Marie",
        "sex": "F",
        "birth_place_code": "69123",
        "birth_place_name": "Lyon",
        "birth_country": "France",
    }
    client.post(f"/enrolment/learners/{learner.pk}/update/", {**data, "birth_place_code": "691"})
    learner.refresh_from_db()
    assert learner.birth_name == "" and learner.birth_place_code == ""  # refused, nothing saved
    client.post(f"/enrolment/learners/{learner.pk}/update/", data)
    learner.refresh_from_db()
    assert (learner.birth_name, learner.first_names, learner.sex, learner.birth_place_code) == (
        "Essai",
        "Anne, Marie",
        "F",
        "69123",
    )
    assert learner.date_of_birth == dt.date(2001, 4, 12)
