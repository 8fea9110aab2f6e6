"""The download helper's pure parts: only the types uploads accept are served as such, the
offered file name is harmless and matches the served type, hostile ids are refused."""

from __future__ import annotations

import pytest

from capitalis.core.downloads import (
    FALLBACK_TYPE,
    download_name,
    id_ok,
    safe_content_type,
    sniffed_content_type,
)


@pytest.mark.parametrize(
    ("declared", "served"),
    [
        ("application/pdf", "application/pdf"),
        ("IMAGE/PNG", "image/png"),
        ("image/jpeg; charset=binary", "image/jpeg"),
        ("text/html", FALLBACK_TYPE),
        ("image/svg+xml", FALLBACK_TYPE),
        ("application/xhtml+xml", FALLBACK_TYPE),
        ("", FALLBACK_TYPE),
        (None, FALLBACK_TYPE),
    ],
)
def test_only_accepted_types_are_served_as_such(declared: str | None, served: str) -> None:
    assert safe_content_type(declared) == served


def test_the_type_of_an_unchecked_file_is_read_from_its_content() -> None:
    assert sniffed_content_type(b"%PDF-1.4\n") == "application/pdf"
    assert sniffed_content_type(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16) == "image/png"
    assert sniffed_content_type(b"<html><script>alert(1)</script>") == FALLBACK_TYPE
    assert sniffed_content_type(b"") == FALLBACK_TYPE


@pytest.mark.parametrize(
    ("name", "served", "offered"),
    [
        ("cv.pdf", "application/pdf", "cv.pdf"),
        ("Mon CV.PDF", "application/pdf", "Mon CV.PDF"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("scan", "image/png", "scan.png"),
        ("jury/vae/livret.pdf", "application/pdf", "livret.pdf"),
        ("..\\..\\evil.pdf", "application/pdf", "evil.pdf"),
        ("page.html", FALLBACK_TYPE, "page.html.bin"),
        ("cv.pdf", FALLBACK_TYPE, "cv.pdf.bin"),
        ('a"\r\nSet-Cookie: x.pdf', "application/pdf", 'a"Set-Cookie: x.pdf'),
        ("", "application/pdf", "document.pdf"),
        ("...", "application/pdf", "document.pdf"),
    ],
)
def test_the_offered_name(name: str, served: str, offered: str) -> None:
    assert download_name(name, served) == offered


@pytest.mark.parametrize(
    ("value", "ok"), [(1, True), (2**63 - 1, True), (2**63, False), (0, False)]
)
def test_ids_a_database_holds(value: int, ok: bool) -> None:
    assert id_ok(value) is ok
