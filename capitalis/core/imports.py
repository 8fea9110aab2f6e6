"""Import with preview, shared by the imports of the apps (the results of an assessment, the block
validations obtained before Capitalis): upload → the file kept under a token → preview (a dry
run: nothing written) → confirm (or cancel).

The uploaded file is kept between the two steps through Django's storage API under
``imports/<uuid>`` (so every app server sees it; never under a public address: ``MEDIA_URL`` is
not served); the person's session remembers which token is hers and what it is for (its
``scope``, such as ``assessment:12``), so a token of someone else, or of another assessment, is
refused as expired. The file is deleted once imported or cancelled (and by
``manage.py clean_import_uploads`` when abandoned). What the preview and the confirmation do is
the app's: :class:`ImportWithPreview` calls them back."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError

UPLOADS_DIR = "imports"
#: uploads a session remembers per import (the oldest are forgotten)
KEPT_TOKENS = 20


def token_ok(token: str) -> str | None:
    """The token in its canonical form when it is a UUID (the only names kept files have)."""
    try:
        return str(uuid.UUID(str(token)))
    except ValueError:
        return None


def upload_path(token: str) -> str:
    return f"{UPLOADS_DIR}/{token}"


def upload_keep(content: bytes) -> str:
    """Keep an uploaded file until it is imported; returns its token."""
    token = str(uuid.uuid4())
    default_storage.save(upload_path(token), ContentFile(content))
    return token


def upload_read(token: str) -> bytes | None:
    """The kept file's content; None when the token is not one or the file is gone."""
    canonical = token_ok(token)
    if canonical is None or not default_storage.exists(upload_path(canonical)):
        return None
    with default_storage.open(upload_path(canonical), "rb") as handle:
        content: bytes = handle.read()
    return content


def upload_forget(token: str) -> None:
    """Delete the kept file (nothing happens when it is already gone)."""
    canonical = token_ok(token)
    if canonical is not None and default_storage.exists(upload_path(canonical)):
        default_storage.delete(upload_path(canonical))


def size_refusal(size: int | None, max_bytes: int) -> str:
    """The translated refusal of an upload over ``max_bytes``; empty when it fits."""
    if size is None or size <= max_bytes:
        return ""
    return _("The file is larger than %(size)s MB.") % {"size": max_bytes // 1_000_000}


@dataclass(frozen=True)
class KeptUpload:
    """A file kept between the preview and the confirmation, as the confirmation sees it."""

    token: str
    filename: str
    action: str

    def content(self) -> bytes | None:
        return upload_read(self.token)


@dataclass(frozen=True)
class ImportWithPreview:
    """The two steps of an import page. ``session_key`` names the session's list of this
    import's tokens; ``actions`` the confirmation buttons (``cancel`` is always there);
    the templates get the view's context plus ``report``, ``token``, ``filename`` (preview) or
    ``error`` (upload refused)."""

    session_key: str
    upload_template: str
    preview_template: str
    max_bytes: int
    default_name: str
    actions: tuple[str, ...] = ("import",)

    # --- the session's tokens ---------------------------------------------------------------

    def _pending(self, request: HttpRequest) -> dict[str, dict[str, Any]]:
        pending: dict[str, dict[str, Any]] = request.session.get(self.session_key, {})
        return pending

    def kept(self, request: HttpRequest, token: str, scope: str, action: str) -> KeptUpload | None:
        """The person's kept upload for this scope, or None (unknown, someone else's, other
        scope). The file itself may be gone already (imported by a background job)."""
        canonical = token_ok(token)
        entry = self._pending(request).get(canonical or "")
        if canonical is None or not entry or entry.get("scope") != scope:
            return None
        return KeptUpload(canonical, str(entry.get("filename", "")), action)

    def forget(self, request: HttpRequest, token: str) -> None:
        """Forget the token and delete its file."""
        pending = self._pending(request)
        if pending.pop(token, None) is not None:
            request.session[self.session_key] = pending
        upload_forget(token)

    # --- the page ---------------------------------------------------------------------------

    def preview_page(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        *,
        report: Any,
        kept: KeptUpload,
        status: int = 200,
    ) -> HttpResponse:
        context = {**context, "report": report, "token": kept.token, "filename": kept.filename}
        return render(request, self.preview_template, context, status=status)

    def upload_page(
        self, request: HttpRequest, context: dict[str, Any], error: str = "", status: int = 200
    ) -> HttpResponse:
        context = {**context, "max_mb": self.max_bytes // 1_000_000}
        if error:
            context["error"] = error
        return render(request, self.upload_template, context, status=status)

    def handle(
        self,
        request: HttpRequest,
        *,
        context: dict[str, Any],
        scope: str,
        preview: Callable[[bytes, str], Any],
        confirm: Callable[[KeptUpload], HttpResponse],
        cancelled: str,
    ) -> HttpResponse:
        """GET: the upload form. POST a file: ``preview(content, filename)`` (a DomainError is
        shown on the form, status 400), the file kept, the preview page. POST a token and an
        action: ``cancel`` deletes the file and goes to ``cancelled``; another action calls
        ``confirm`` with the kept upload. A token that is not the person's for this scope is
        "expired": back to the upload form."""
        if request.method != "POST":
            return self.upload_page(request, context)
        token = request.POST.get("token", "")
        action = request.POST.get("action", "")
        if token and action in (*self.actions, "cancel"):
            kept = self.kept(request, token, scope, action)
            if kept is None:
                messages.error(request, _("The uploaded file has expired: upload it again."))
                return redirect(request.path)
            if action == "cancel":
                self.forget(request, kept.token)
                messages.info(request, _("Import cancelled: nothing was saved."))
                return redirect(cancelled)
            return confirm(kept)
        upload = request.FILES.get("file")
        if upload is None:
            return self.upload_page(request, context, _("Choose a CSV or XLSX file."), 400)
        too_large = size_refusal(upload.size, self.max_bytes)
        if too_large:
            return self.upload_page(request, context, too_large, 400)
        content = upload.read()
        filename = (upload.name or self.default_name)[:200]
        try:
            report = preview(content, filename)
        except DomainError as error:
            return self.upload_page(request, context, error.message, 400)
        token = upload_keep(content)
        pending = self._pending(request)
        pending[token] = {"scope": scope, "filename": filename}
        # the latest uploads only (a token stays known after its import, so that posting it
        # again finds its job; its file is gone by then)
        request.session[self.session_key] = dict(list(pending.items())[-KEPT_TOKENS:])
        return self.preview_page(
            request,
            {**context, "max_mb": self.max_bytes // 1_000_000},
            report=report,
            kept=KeptUpload(token, filename, ""),
        )
