"""Checks on an uploaded document (application files, prior validations' sources), before
anything is stored: at most 10 MB, and a PDF, JPEG or PNG *by its content* (the ``filetype``
package reads the magic bytes; the name's extension and the browser's declared type are not
trusted)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

import filetype
from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError

MAX_BYTES = 10 * 1024 * 1024
# content type → the extensions a file of that type may carry
ALLOWED: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    sha256: str


def _size(stream: IO[bytes]) -> int:
    size = getattr(stream, "size", None)
    if isinstance(size, int):
        return size
    position = stream.tell()
    stream.seek(0, 2)
    end = stream.tell()
    stream.seek(position)
    return end


def check_upload(stream: IO[bytes], name: str) -> CheckedUpload:
    """Size, type from the content, the extension matching that type, and the sha256.
    Raise a translated :class:`DomainError` otherwise."""
    size = _size(stream)
    if size > MAX_BYTES:
        raise DomainError(
            _("%(name)s is too large (%(size).1f MB): at most 10 MB per document.")
            % {"name": name, "size": size / (1024 * 1024)},
            code="too_large",
        )
    if size == 0:
        raise DomainError(_("%(name)s is empty.") % {"name": name}, code="empty")
    stream.seek(0)
    head = stream.read(8192)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else ""
    if mime not in ALLOWED:
        raise DomainError(
            _("%(name)s is not a PDF, JPEG or PNG file (its content was checked).")
            % {"name": name},
            code="bad_type",
        )
    if not name.lower().endswith(ALLOWED[mime]):
        raise DomainError(
            _(
                "The content of %(name)s does not match its extension: "
                "rename it or upload the right file."
            )
            % {"name": name},
            code="extension_mismatch",
        )
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedUpload(content_type=mime, size=size, sha256=digest.hexdigest())
