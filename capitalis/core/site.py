"""The public address of this Capitalis: one setting for every printed, signed or mailed link.

``settings.PUBLIC_BASE_URL`` (environment ``PUBLIC_BASE_URL``, or its alias ``SITE_URL``) is the
origin people reach the site on, e.g. ``https://capitalis.example.org``. Verification links, QR
codes in PDFs, Open Badges ids, status lists and survey invitations are all built here, so a
server moved to another address prints that address everywhere. ``make run`` sets it to the
address it serves on.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT = "http://127.0.0.1:8000"


def base_url() -> str:
    """The public origin, without a trailing slash."""
    return str(getattr(settings, "PUBLIC_BASE_URL", "") or DEFAULT).rstrip("/")


def absolute(path: str) -> str:
    """``path`` (starting with ``/``) on the public origin."""
    return base_url() + "/" + path.lstrip("/")
