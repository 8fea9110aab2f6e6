"""The issued PDFs (issue 6 point 1): each kind renders in French and English with its title,
holder, register code and verification URL; the QR code printed in the PDF decodes to that URL;
only the shipped fonts are embedded; the transcript's course grades and year outcome (the jury's
``year_results``, tested in tests/jury)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from django.utils import translation
from pypdf import PdfReader

from capitalis.credentials import pdfs
from capitalis.credentials.models import IssuedDocument
from capitalis.credentials.services_documents import document_issue
from capitalis.jury.models import JurySession
from tests.credentials.documents_world import BASE_URL, NAMES, Docs, documents_world
from tests.shared_db import built_once

TITLES = {
    ("certificate", "fr"): "Certificat",
    ("certificate", "en"): "Certificate",
    ("attestation", "fr"): "Attestation de blocs de compétences validés",
    ("attestation", "en"): "Attestation of validated competency blocks",
    ("transcript", "fr"): "Relevé de notes",
    ("transcript", "en"): "Transcript of records",
    ("decision_letter", "fr"): "Notification de la décision du jury",
    ("decision_letter", "en"): "Notification of the jury's decision",
}


@pytest.fixture(scope="module")
def _docs_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The documents world (a deliberated session, closed: its minutes are stored in a media
    folder of the module's), built once for the module (tests.shared_db): each test runs in its
    own savepoint, rolled back after it, with a media folder of its own."""
    folder = tmp_path_factory.mktemp("pdfs")
    with (
        override_settings(PUBLIC_BASE_URL=BASE_URL, MEDIA_ROOT=str(folder)),
        translation.override(django_settings.LANGUAGE_CODE),
        built_once(django_db_blocker, documents_world) as built,
    ):
        yield built


@pytest.fixture
def docs(db, settings, tmp_path, _docs_once):
    settings.PUBLIC_BASE_URL = BASE_URL
    settings.MEDIA_ROOT = str(tmp_path)
    return Docs(_docs_once.w, JurySession.objects.get(pk=_docs_once.session.pk), _docs_once.courses)


def pdf_bytes(document: IssuedDocument) -> bytes:
    with document.pdf.open("rb") as handle:
        return handle.read()


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split())  # lines joined: a long title may wrap


def qr_payloads(data: bytes) -> list[str]:
    """Decode every QR code of the PDF's embedded images (what a phone would read)."""
    import zxingcpp

    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for image in page.images:
            assert image.image is not None
            pil = image.image.convert("L")
            found += [r.text for r in zxingcpp.read_barcodes(pil)]
    return found


def embedded_fonts(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        resources: Any = page["/Resources"].get_object()
        for ref in resources.get("/Font", {}).values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+")[-1])
    return names


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_kind_renders_with_title_holder_code_and_verification_url(docs, language):
    cases = [
        ("certificate", 0),  # certified
        ("attestation", 1),  # partially certified
        ("transcript", 1),
        ("decision_letter", 2),  # not certified
    ]
    for kind, index in cases:
        document = document_issue(kind, decision=docs.decision(index), language=language)
        data = pdf_bytes(document)
        assert data.startswith(b"%PDF-")
        text = pdf_text(data)
        url = f"{BASE_URL}/verify/{document.public_id}/"
        assert TITLES[(kind, language)].lower() in text.lower(), (kind, language, text)
        assert NAMES[index] in text, (kind, text)
        assert "RNCP99999" in text
        assert url.replace("https://", "") in text.replace(" ", "")  # printed under the QR
        # the QR code in the PDF decodes to the verification page
        assert qr_payloads(data) == [url], kind
        # only the shipped fonts (@font-face "Capitalis Sans/Serif", from the package; a system
        # font would be embedded under its own name, e.g. DejaVuSans)
        assert embedded_fonts(data) and all(
            name.startswith("Capitalis-") for name in embedded_fonts(data)
        ), embedded_fonts(data)
        assert len(PdfReader(io.BytesIO(data)).pages) == 1, kind  # nothing overflows


def test_certificate_says_what_it_certifies(docs):
    fr = pdf_text(
        pdf_bytes(document_issue("certificate", decision=docs.decision(0), language="fr"))
    )
    assert "Expert en essais" in fr
    assert "niveau 7" in fr
    assert "Présidente Essai" in fr  # the president, as recorded
    assert "Jury juillet" in fr and "1 juillet 2025" in fr
    assert "Organisme certificateur d'essai".upper() in fr.upper()
    en = pdf_text(
        pdf_bytes(document_issue("certificate", decision=docs.decision(0), language="en"))
    )
    assert "Expert in testing" in en and "level 7" in en and "1 July 2025" in en


def test_attestation_lists_the_validated_blocks_with_date_and_route(docs):
    text = pdf_text(
        pdf_bytes(document_issue("attestation", decision=docs.decision(1), language="fr"))
    )
    assert "V2BC01" in text and "01/07/2025" in text and "Formation" in text
    assert "V2BC02" not in text  # not validated: not attested


def test_decision_letter_gives_the_decision_and_the_appeal_period(docs):
    text = pdf_text(
        pdf_bytes(document_issue("decision_letter", decision=docs.decision(1), language="fr"))
    )
    assert "Certifié partiellement" in text
    assert "30 jours" in text
    assert "V2BC02" in text and "Non validé" in text


def test_transcript_grades_ects_and_year_outcome(docs):
    text = pdf_text(
        pdf_bytes(document_issue("transcript", decision=docs.decision(1), language="fr"))
    )
    # GEO2: first session 7.50, replaced by the resit 11.50; every course passed
    assert "GEO2" in text and "11,50" in text and "7,50" not in text
    assert "Année validée : 60 ECTS obtenus sur 60 requis" in text
    assert "calculées par Capitalis" in text  # the footnote says how grades are computed
    text_c = pdf_text(
        pdf_bytes(document_issue("transcript", decision=docs.decision(2), language="en"))
    )
    # learner c: unjustified absence on GEO3's main exam → (12 + 0×3)/4 = 3.00, failed
    assert "3.00" in text_c and "Year not validated: 50 ECTS earned of 60 required" in text_c
    assert "Applied geopolitics 1" in text_c  # English course titles in English


def test_qr_payload_is_the_verification_url(settings):
    settings.PUBLIC_BASE_URL = "https://certif.example.test/"
    url = pdfs.verification_url("0b9e0a1c-3f7e-4a57-9a7c-0d5b7c1e2f3a")
    assert url == "https://certif.example.test/verify/0b9e0a1c-3f7e-4a57-9a7c-0d5b7c1e2f3a/"
    import base64

    import zxingcpp
    from PIL import Image

    uri = pdfs.qr_png_data_uri(url)
    png = base64.b64decode(uri.split(",", 1)[1])
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))] == [url]


def test_fonts_are_shipped_with_their_licence():
    for _family, filename, _weight, _style in pdfs.FONT_FACES:
        assert (pdfs.FONTS_DIR / filename).is_file()
    licence = (pdfs.FONTS_DIR / "LICENSE.txt").read_text()
    assert "Bitstream" in licence and "DejaVu" in licence
    assert str(pdfs.FONTS_DIR.as_uri()) in pdfs.font_face_css()
