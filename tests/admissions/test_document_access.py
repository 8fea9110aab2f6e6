"""An application's documents are read through a permission-checked download and preview,
never at /media/: the candidate, the admissions officers of the campus, the programme
director and the admission jury of the application may open them; any other user gets 404
(another candidate, another campus's officer, the disability referent — no document is about
the accommodation —, staff of other apps); an anonymous visitor is sent to log in. The
response carries the stored, checked type, inline only for a preview, and nosniff."""

from __future__ import annotations

import pytest
from django.test import Client

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions.models import Application, ApplicationDocument
from tests.admissions.builders import PDF, staff
from tests.admissions.jury.builders import eligible, jury, jury_world, presented

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(user: User | None = None) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def _url(application: Application, document: ApplicationDocument, preview: bool = False) -> str:
    end = "preview/" if preview else ""
    return f"/admissions/{application.pk}/documents/{document.pk}/{end}"


def _read(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def case():
    jw = jury_world()
    sitting, president, member = jury(jw)
    application = presented(jw, sitting, eligible(jw, "owner@example.org", accommodation="Ramp"))
    other = eligible(jw, "other@example.org")
    readers = {
        "owner": application.candidate,
        "officer": jw.officer,
        "director": staff("director@example.org", Role.PROGRAMME_DIRECTOR),
        "president": president,
        "member": member,
    }
    refused = {
        "other candidate": other.candidate,
        "officer of another campus": staff(
            "officer2@example.org",
            Role.ADMISSIONS_OFFICER,
            ScopeKind.CAMPUS,
            jw.world.other_campus.pk,
        ),
        "disability referent": staff(
            "referent@example.org", Role.DISABILITY_REFERENT, ScopeKind.CAMPUS, jw.world.campus.pk
        ),
        "campus coordinator": staff(
            "coord@example.org", Role.CAMPUS_COORDINATOR, ScopeKind.CAMPUS, jw.world.campus.pk
        ),
        "finance": staff("finance@example.org", Role.FINANCE),
        "lecturer": staff("lecturer@example.org", Role.LECTURER, ScopeKind.COURSE, 1),
    }
    return application, other, readers, refused


def test_who_may_open_the_documents(case) -> None:
    application, _other, readers, refused = case
    document = application.documents.get(kind="cv")
    for who, user in readers.items():
        for preview in (False, True):
            response = _client(user).get(_url(application, document, preview))
            assert response.status_code == 200, who
            assert _read(response) == PDF
    for who, user in refused.items():
        for preview in (False, True):
            response = _client(user).get(_url(application, document, preview))
            assert response.status_code == 404, who
    anonymous = _client().get(_url(application, document))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_the_headers(case) -> None:
    application, _other, readers, _refused = case
    document = application.documents.get(kind="cv")
    client = _client(readers["officer"])
    preview = client.get(_url(application, document, preview=True))
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"] == 'inline; filename="cv.pdf"'
    assert preview["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in preview["Cache-Control"]
    download = client.get(_url(application, document))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="cv.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    # a stored type that is not one uploads accept is never served as such (nor inline)
    ApplicationDocument.objects.filter(pk=document.pk).update(
        content_type="text/html", original_name='x"\r\n<b>.html'
    )
    hostile = client.get(_url(application, document, preview=True))
    assert hostile.status_code == 200
    assert hostile["Content-Type"] == "application/octet-stream"
    assert hostile["Content-Disposition"].startswith("attachment;")
    assert "\n" not in hostile["Content-Disposition"]
    assert hostile["Content-Disposition"].endswith('.bin"')
    assert client.head(_url(application, document)).status_code == 200
    assert client.post(_url(application, document)).status_code == 405


def test_hostile_ids_are_not_found(case) -> None:
    application, other, readers, _refused = case
    document = application.documents.get(kind="cv")
    theirs = other.documents.get(kind="cv")
    client = _client(readers["owner"])
    for url in (
        f"/admissions/abc/documents/{document.pk}/",
        f"/admissions/{application.pk}/documents/abc/",
        f"/admissions/{application.pk}/documents/99999999999999999999/",
        f"/admissions/99999999999999999999/documents/{document.pk}/preview/",
        f"/admissions/{application.pk}/documents/{2**63}/",
        f"/admissions/{application.pk}/documents/0/",
        f"/admissions/{application.pk}/documents/-1/",
        # another application's document under one's own application
        f"/admissions/{application.pk}/documents/{theirs.pk}/",
        f"/admissions/{other.pk}/documents/{theirs.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    officer = _client(readers["officer"])
    assert officer.get(f"/admissions/{application.pk}/documents/{theirs.pk}/").status_code == 404
    # a document whose file went missing from storage is not found either
    document.file.delete(save=False)
    assert client.get(_url(application, document)).status_code == 404


def test_the_application_page_links_the_documents(case) -> None:
    application, _other, readers, refused = case
    document = application.documents.get(kind="cv")
    for who in ("owner", "officer"):
        page = _client(readers[who]).get(f"/admissions/{application.pk}/").content.decode()
        assert f'href="{_url(application, document, preview=True)}"' in page, who
        assert f'href="{_url(application, document)}"' in page, who
        assert "/media/" not in page
    # the disability referent reads the application (its accommodation) but not the documents
    referent = _client(refused["disability referent"]).get(f"/admissions/{application.pk}/")
    assert referent.status_code == 200
    assert f"/documents/{document.pk}/" not in referent.content.decode()


def test_the_admin_links_the_checked_url_not_media(case) -> None:
    application, _other, _readers, _refused = case
    admin = User.objects.create_superuser(email="admin@example.org", password="pw-Secret-123")
    page = _client(admin).get(f"/admin/admissions/application/{application.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    document = application.documents.get(kind="cv")
    assert _url(application, document, preview=True) in html
    assert "/media/" not in html
