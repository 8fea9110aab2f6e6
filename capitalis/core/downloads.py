"""Serving an uploaded file to a reader the owning app has already allowed.

Uploaded files are never under a public URL (``MEDIA_URL`` is not served): each owning app
has a view that checks who may read the file (through its ``queries``) and then answers with
:func:`file_response`, which streams the file through the storage API with safe headers:

- a Content-Type taken from the stored, validated type, only among the types uploads accept
  (PDF, JPEG, PNG); anything else, or a file whose type was never checked and whose content is
  not one of them, goes out as ``application/octet-stream`` (never ``text/html``);
- ``Content-Disposition: inline`` only to preview a PDF or an image, ``attachment`` otherwise,
  with a file name whose extension matches that type;
- ``X-Content-Type-Options: nosniff`` and ``Cache-Control: private, no-store`` (the files hold
  personal data).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

import filetype
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from capitalis.core.models import Job

# The types an upload may have (checked from the content when it was stored), with the
# extensions a file of that type may carry; the first one is used when the name has none.
SAFE_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
FALLBACK_TYPE = "application/octet-stream"
# Largest primary key a database column holds (bigint); a bigger id in a URL is not found.
MAX_ID = 2**63 - 1


def id_ok(value: int) -> bool:
    """May this id from a URL be looked up (a positive bigint)? A bigger one would overflow
    the database driver (a 500) instead of answering 404."""
    return 0 < value <= MAX_ID


def safe_content_type(declared: str | None) -> str:
    """The stored type if it is one uploads accept, else ``application/octet-stream``."""
    value = (declared or "").split(";", 1)[0].strip().lower()
    return value if value in SAFE_TYPES else FALLBACK_TYPE


def sniffed_content_type(head: bytes) -> str:
    """The type read from the first bytes of a file whose type was never stored."""
    kind = filetype.guess(head) if head else None
    return safe_content_type(kind.mime if kind is not None else None)


def download_name(name: str, content_type: str, *, default: str = "document") -> str:
    """A file name to offer: no directory, no control character, and an extension that
    matches the type served (``.bin`` for anything that is not a PDF or an image)."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    base = re.sub(r"\s+", " ", base)[:150] or default
    allowed = SAFE_TYPES.get(content_type, (".bin",))
    _stem, dot, extension = base.rpartition(".")
    if dot and f".{extension.lower()}" in allowed:
        return base
    return f"{base}{allowed[0]}"


def file_response(
    field: FieldFile | None,
    *,
    filename: str,
    content_type: str | None = None,
    inline: bool = False,
) -> FileResponse:
    """Stream a stored file with safe headers (see the module docstring).

    ``content_type`` is the type stored when the upload was checked; None when the app never
    stored one (the first bytes are then read, and only a PDF or an image keeps its type).
    ``inline`` asks for a preview: honoured for a PDF or an image only. A missing file
    answers 404."""
    if field is None or not field.name:
        raise Http404(_("No file here."))
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("No file here.")) from None
    if content_type is None:
        head = handle.read(8192)
        handle.seek(0)
        served = sniffed_content_type(head)
    else:
        served = safe_content_type(content_type)
    preview = inline and served in SAFE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not preview,
        filename=download_name(filename, served),
        content_type=served,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


#: the types a job's file is served with, by extension; anything else is octet-stream
FILE_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xml": "application/xml",
    ".zip": "application/zip",
    ".pdf": "application/pdf",
}


def job_file_response(job: Job) -> FileResponse:
    """Stream a job's file as an attachment, with the headers of private downloads."""
    name = PurePath(job.file.name or "").name
    suffix = PurePath(name).suffix.lower()
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("No file here.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=FILE_TYPES.get(suffix, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
