"""PDF rendering of the issued documents (SPEC §7): certificate, attestation of validated blocks,
transcript and decision letter, from HTML templates (``templates/credentials/pdf/``) through
WeasyPrint, A4, in French or English.

Every document carries a QR code (segno) that opens its public verification page
``PUBLIC_BASE_URL/verify/<public_id>/``; the same URL is printed under it.

Fonts are shipped with the project (``credentials/fonts/``: DejaVu Sans and Serif, subset, with
their licence) and loaded with ``@font-face`` from the package path, so a PDF looks the same on
every machine. The print stylesheet and its fonts are parsed once per process and reused with
one WeasyPrint ``FontConfiguration`` (``engine()``): parsing them per document would double the
cost of a PDF (benchmarks/credentials_pdf.py).
"""

from __future__ import annotations

import atexit
import hashlib
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template.loader import get_template
from django.utils import translation

from capitalis.core import site

HERE = Path(__file__).resolve().parent
FONTS_DIR = HERE / "fonts"
PRINT_CSS = HERE / "templates" / "credentials" / "pdf" / "print.css"

TEMPLATES = {
    "certificate": "credentials/pdf/certificate.html",
    "attestation": "credentials/pdf/attestation.html",
    "transcript": "credentials/pdf/transcript.html",
    "decision_letter": "credentials/pdf/decision_letter.html",
}

# (family, file, weight, style): what the print CSS may ask for.
FONT_FACES = (
    ("Capitalis Sans", "DejaVuSans.ttf", "normal", "normal"),
    ("Capitalis Sans", "DejaVuSans-Bold.ttf", "bold", "normal"),
    ("Capitalis Serif", "DejaVuSerif.ttf", "normal", "normal"),
    ("Capitalis Serif", "DejaVuSerif-Bold.ttf", "bold", "normal"),
    ("Capitalis Serif", "DejaVuSerif-Italic.ttf", "normal", "italic"),
)


def verification_url(public_id: Any) -> str:
    """The public verification page of a document or credential (its QR code's target)."""
    return site.absolute(f"/verify/{public_id}/")


def qr_png_data_uri(url: str) -> str:
    """The QR code of ``url`` as a PNG data URI: error correction M, a 4-module quiet zone, 3
    pixels a module, printed at 28 mm without smoothing (``image-rendering: pixelated``).

    The data mask is fixed (pattern 0) rather than chosen by scoring all eight: any mask gives a
    valid code that readers decode (the test decodes it from the PDF), and scoring them took
    three quarters of the QR's time (benchmarks/credentials_pdf.py)."""
    import segno

    code = segno.make(url, error="m", micro=False, mask=0, boost_error=False)
    return str(code.png_data_uri(scale=3, border=4))


def font_face_css() -> str:
    """``@font-face`` rules for the shipped fonts, by absolute file URI (package path)."""
    rules = []
    for family, filename, weight, style in FONT_FACES:
        uri = (FONTS_DIR / filename).as_uri()
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{uri}") format("truetype"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


@dataclass(frozen=True)
class Engine:
    """What every rendering shares: the font configuration and the parsed print stylesheet."""

    font_config: Any
    stylesheet: Any
    lock: threading.Lock


@lru_cache(maxsize=1)
def engine() -> Engine:
    """Parse the print stylesheet and register the fonts once per process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    css = font_face_css() + "\n" + PRINT_CSS.read_text(encoding="utf-8")
    stylesheet = CSS(string=css, font_config=font_config, base_url=str(HERE))
    # Drop it before the interpreter tears modules down (its finaliser needs them).
    atexit.register(engine.cache_clear)
    return Engine(font_config, stylesheet, threading.Lock())


def render_html(kind: str, context: dict[str, Any], language: str) -> str:
    """The document's HTML in ``language`` (the template's strings and the data's labels)."""
    with translation.override(language):
        return get_template(TEMPLATES[kind]).render(context)


def html_to_pdf(html: str) -> bytes:
    """Render HTML with the shared engine (fonts and stylesheet parsed once)."""
    from weasyprint import HTML

    eng = engine()
    # One FontConfiguration is not meant to be used by two renderings at once (threads).
    with eng.lock:
        document = HTML(string=html, base_url=str(HERE)).render(
            stylesheets=[eng.stylesheet], font_config=eng.font_config
        )
        return bytes(document.write_pdf())


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    sha256: str
    html: str


def render_pdf(kind: str, context: dict[str, Any], language: str) -> RenderedPdf:
    """HTML, PDF bytes and their SHA-256 (the hash stored beside the file)."""
    html = render_html(kind, context, language)
    pdf = html_to_pdf(html)
    return RenderedPdf(pdf, hashlib.sha256(pdf).hexdigest(), html)
