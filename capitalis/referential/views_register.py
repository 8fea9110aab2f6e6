"""Staff page: import a national register file (flux V4.1) in two steps (SPEC §1). A programme
director or a superuser uploads the XML; the page shows a dry run (what would be created,
updated or left unchanged, or why the file is refused, with its element and line); a confirm
button starts the import as a background job and leads to the job's page, where its progress
counts fiches (issue 13 point 10). The upload is kept privately between the two steps
(``services.register_upload_keep``: the default storage, ``register-uploads/<uuid>.xml``, served
by no URL) and named by a signed token bound to the user and valid for an hour: the client never
gives a path; the job deletes it once read. Thin: everyone else gets a 404."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.core import clock
from capitalis.core.exceptions import DomainError
from capitalis.referential.services import (
    REGISTER_UPLOADS_DIR,
    ImportReport,
    register_import,
    register_import_start,
    register_upload_keep,
)

UPLOADS_DIR = REGISTER_UPLOADS_DIR
UPLOAD_SALT = "capitalis.referential.register-upload"
TOKEN_MAX_AGE = 3600  # seconds between the dry run and the confirmation
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "REGISTER_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _stored_name(token: str, user_id: int) -> str | None:
    """The kept upload a token names, or None (forged, expired, another user's, gone)."""
    try:
        data = signing.loads(token, salt=UPLOAD_SALT, max_age=TOKEN_MAX_AGE)
        key = uuid.UUID(str(data["file"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if data.get("user") != user_id:
        return None
    name = f"{UPLOADS_DIR}/{key}.xml"
    return name if default_storage.exists(name) else None


def _prune_stale_uploads() -> None:
    """Delete the kept uploads whose token has expired (never confirmed)."""
    try:
        _dirs, files = default_storage.listdir(UPLOADS_DIR)
    except FileNotFoundError:
        return
    limit = clock.now() - timedelta(seconds=TOKEN_MAX_AGE)
    for filename in files:
        name = f"{UPLOADS_DIR}/{filename}"
        with contextlib.suppress(OSError, NotImplementedError):
            if default_storage.get_modified_time(name) < limit:
                default_storage.delete(name)


def _dry_run(name: str, *, actor: Any) -> ImportReport:
    with default_storage.open(name, "rb") as handle:
        return register_import(path=handle, dry_run=True, actor=actor)


@login_required
@require_http_methods(["GET", "POST"])
def register_import_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not permissions.can(user, "import", "register").ok:
        raise Http404(_("Page not found."))
    context: dict[str, Any] = {"max_size": max_upload_bytes()}
    status = 200
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step == "preview":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Choose a register file (XML) to import.")
        elif upload.size is not None and upload.size > max_upload_bytes():
            context["error"] = _("The file is too large (%(size)s); the limit is %(limit)s.") % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_upload_bytes()),
            }
        else:
            _prune_stale_uploads()
            key = uuid.uuid4()
            name = register_upload_keep(upload=upload, key=key)
            try:
                context["report"] = _dry_run(name, actor=user)
            except DomainError as error:
                default_storage.delete(name)
                context["error"] = error.message
            else:
                context["token"] = signing.dumps(
                    {"file": str(key), "user": user.pk}, salt=UPLOAD_SALT
                )
                context["filename"] = upload.name
        status = 400 if "error" in context else 200
    elif step == "confirm":
        kept = _stored_name(str(request.POST.get("token", "")), user.pk)
        if kept is None:
            context["error"] = _(
                "This upload is no longer available (expired or already imported): upload "
                "the file again."
            )
            status = 400
        else:
            job = register_import_start(name=kept, actor=user)
            return redirect("jobs:detail", pk=job.pk)
    elif request.method == "POST":
        context["error"] = _("Unknown step: upload the file again.")
        status = 400
    return render(request, "referential/register_import.html", context, status=status)
