"""Application documents: PDF/JPEG/PNG by their content, at most 10 MB, stored through the
storage API with their sha256; anything else is refused with a translated message and nothing
is stored."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from django.utils import translation

from capitalis.admissions import services
from capitalis.admissions.models import ApplicationDocument
from capitalis.core.exceptions import DomainError
from capitalis.core.uploads import MAX_BYTES
from tests.admissions.builders import PDF, PNG, build_world, candidate, draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    return draft(world, candidate(), documents=False)


def _add(application, data: bytes, name: str, kind: str = "cv"):
    return services.document_add(
        application=application,
        actor_user=application.candidate,
        kind=kind,
        upload=io.BytesIO(data),
        name=name,
    )


def test_a_pdf_is_stored_through_the_storage_api_with_its_sha256(application, tmp_path) -> None:
    document = _add(application, PDF, "Mon CV.pdf")
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.original_name == "Mon CV.pdf"
    assert default_storage.exists(document.file.name)
    with default_storage.open(document.file.name) as stored:
        assert stored.read() == PDF
    assert "Mon CV" not in document.file.name  # stored under a name of ours


def test_a_png_and_a_jpeg_are_accepted(application) -> None:
    assert _add(application, PNG, "scan.png", "transcript").content_type == "image/png"
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
    assert _add(application, jpeg, "photo.JPG", "motivation").content_type == "image/jpeg"


def test_a_new_document_replaces_the_one_of_the_same_kind(application) -> None:
    first = _add(application, PDF, "cv.pdf")
    second = _add(application, PNG, "cv.png")
    assert list(application.documents.values_list("pk", flat=True)) == [second.pk]
    assert not default_storage.exists(first.file.name)


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (PNG, "cv.pdf", "extension_mismatch"),  # a .pdf that is really a PNG
        (b"just some text, not a PDF at all\n" * 10, "cv.pdf", "bad_type"),
        (b"PK\x03\x04" + b"\x00" * 100, "cv.pdf", "bad_type"),  # a zip / docx
        (b"", "cv.pdf", "empty"),
    ],
)
def test_content_not_matching_is_refused_nothing_stored(application, tmp_path, data, name, code):
    with translation.override("fr"), pytest.raises(DomainError) as exc:
        _add(application, data, name)
    assert exc.value.code == code
    assert name in exc.value.message
    assert not ApplicationDocument.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_a_pdf_that_is_text_says_so_in_french(application) -> None:
    with translation.override("fr"), pytest.raises(DomainError) as exc:
        _add(application, b"hello", "lettre.pdf")
    assert exc.value.message == (
        "lettre.pdf n’est pas un fichier PDF, JPEG ou PNG (son contenu a été vérifié)."
    )


def test_a_file_over_10_mb_is_refused(application, tmp_path) -> None:
    big = PDF + b"0" * (MAX_BYTES + 1 - len(PDF))
    assert len(big) == 10 * 1024 * 1024 + 1
    with translation.override("en"), pytest.raises(DomainError) as exc:
        _add(application, big, "big.pdf")
    assert exc.value.code == "too_large"
    assert "at most 10 MB" in exc.value.message
    assert not ApplicationDocument.objects.exists()
    exactly = PDF + b"0" * (MAX_BYTES - len(PDF))
    assert _add(application, exactly, "limit.pdf").size == MAX_BYTES


def test_documents_of_a_submitted_application_cannot_change(application) -> None:
    for kind in ("cv", "transcript", "motivation"):
        _add(application, PDF, f"{kind}.pdf", kind)
    services.application_submit(
        application=application, actor_user=application.candidate, expected_version=0
    )
    application.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        _add(application, PDF, "late.pdf")
    assert exc.value.code == "not_draft"
