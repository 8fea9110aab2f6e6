"""The documents of an application (CV, transcripts, motivation letter): download and preview,
for the readers ``queries.document_get_for`` allows (the candidate, the admissions staff of
the campus, the programme director, the admission jury); anyone else gets 404. The files are
never under a public URL; they are streamed by ``core.downloads`` with the stored, checked
type."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from capitalis.accounts.models import User
from capitalis.admissions import queries
from capitalis.core.downloads import file_response, id_ok


def _serve(request: HttpRequest, pk: int, document_pk: int, *, inline: bool) -> FileResponse:
    user = request.user
    assert isinstance(user, User)
    found = (
        queries.document_get_for(user=user, application_pk=pk, pk=document_pk)
        if id_ok(pk) and id_ok(document_pk)
        else None
    )
    if found is None:
        raise Http404(_("No document found."))
    return file_response(
        found.file, filename=found.original_name, content_type=found.content_type, inline=inline
    )


@login_required
@require_safe
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """The document as a file to save."""
    return _serve(request, pk, document_pk, inline=False)


@login_required
@require_safe
def document_preview(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """The document shown in the browser (a PDF or an image; anything else is downloaded)."""
    return _serve(request, pk, document_pk, inline=True)
