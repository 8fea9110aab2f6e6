"""The documents of a VAE dossier are read through a permission-checked download and preview,
never at /media/: the candidate herself, VAE staff (the programme director) and the jury that
examines the dossier; anyone else gets 404, an anonymous visitor is sent to log in. The type
was never stored for these files: only a PDF or an image by its content is served as such,
anything else as an octet-stream attachment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.jury import services
from capitalis.jury.models import VaeCandidate, VaeDocument
from tests.jury.builders import person, session, world

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


def _client(user: User | None = None) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def _candidate(w, email: str) -> VaeCandidate:
    candidate = services.vae_candidate_create(
        user=person(email, "Candidate Vae", (Role.VAE_CANDIDATE, ScopeKind.GLOBAL, None)),
        version=w.version,
        experience_summary="Expérience fictive.",
        experience_years=8,
        actor=w.director,
    )
    return services.vae_admissibility_decide(
        candidate=candidate, admissible=True, note="Utile", actor=w.director, today=dt.date.today()
    )


def _document(candidate: VaeCandidate, w, content: bytes, filename: str) -> VaeDocument:
    return services.vae_document_add(
        dossier=candidate.dossier,
        title=f"Pièce {filename}",
        blocks=[w.blocks[0]],
        content=content,
        filename=filename,
        actor=w.director,
    )


def _url(candidate: VaeCandidate, document: VaeDocument, preview: bool = False) -> str:
    return f"/jury/vae/{candidate.pk}/documents/{document.pk}/" + ("preview/" if preview else "")


@pytest.fixture
def case(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = world(learners=1)
    session(w)  # open, for the dossier's version: its jury examines the dossier
    mine = _candidate(w, "vae@example.org")
    theirs = _candidate(w, "vae2@example.org")
    return (
        w,
        mine,
        theirs,
        _document(mine, w, PDF, "livret.pdf"),
        _document(theirs, w, PDF, "b.pdf"),
    )


def test_who_may_open_a_vae_document(case) -> None:
    w, mine, _theirs, document, _other_doc = case
    readers = {
        "candidate": mine.learner.user,
        "director": w.director,
        "president": w.president,
        "member": w.member,
    }
    for who, user in readers.items():
        for preview in (False, True):
            response = _client(user).get(_url(mine, document, preview))
            assert response.status_code == 200, who
            assert b"".join(response.streaming_content) == PDF
    refused = {
        "another VAE candidate": _candidate(w, "vae3@example.org").learner.user,
        "a learner": w.enrolments[0].learner.user,
        "an admissions officer": person(
            "officer@example.org", "Officer", (Role.ADMISSIONS_OFFICER, ScopeKind.GLOBAL, None)
        ),
        "finance": person("finance@example.org", "Finance", (Role.FINANCE, ScopeKind.GLOBAL, None)),
    }
    for who, user in refused.items():
        for preview in (False, True):
            assert _client(user).get(_url(mine, document, preview)).status_code == 404, who
    anonymous = _client().get(_url(mine, document))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_vae_document_headers(case) -> None:
    w, mine, _theirs, document, _other_doc = case
    client = _client(mine.learner.user)
    preview = client.get(_url(mine, document, preview=True))
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline; filename=")
    assert preview["Content-Disposition"].endswith('.pdf"')
    assert preview["X-Content-Type-Options"] == "nosniff"
    download = client.get(_url(mine, document))
    assert download["Content-Disposition"].startswith("attachment; filename=")
    # an HTML file uploaded as evidence is never served as HTML nor shown inline
    page = _document(mine, w, HTML, "page.html")
    hostile = client.get(_url(mine, page, preview=True))
    assert hostile.status_code == 200
    assert hostile["Content-Type"] == "application/octet-stream"
    assert hostile["Content-Disposition"].startswith("attachment;")
    assert hostile["Content-Disposition"].endswith('.bin"')
    assert hostile["X-Content-Type-Options"] == "nosniff"


def test_hostile_vae_ids_are_not_found(case) -> None:
    _w, mine, theirs, document, other_doc = case
    client = _client(mine.learner.user)
    for url in (
        f"/jury/vae/abc/documents/{document.pk}/",
        f"/jury/vae/{mine.pk}/documents/abc/preview/",
        f"/jury/vae/{mine.pk}/documents/99999999999999999999/",
        f"/jury/vae/99999999999999999999/documents/{document.pk}/",
        f"/jury/vae/{mine.pk}/documents/0/",
        # another candidate's document, under her own dossier or under the other one's
        f"/jury/vae/{mine.pk}/documents/{other_doc.pk}/",
        f"/jury/vae/{theirs.pk}/documents/{other_doc.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_dossier_page_links_the_checked_urls(case) -> None:
    _w, mine, _theirs, document, _other_doc = case
    page = _client(mine.learner.user).get(f"/jury/vae/{mine.pk}/").content.decode()
    assert f'href="{_url(mine, document, preview=True)}"' in page
    assert f'href="{_url(mine, document)}"' in page
    assert "/media/" not in page
