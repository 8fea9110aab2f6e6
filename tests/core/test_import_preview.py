"""The shared steps of an import with a preview (core.imports): a kept upload is read back by
its token only (a token that is not a UUID reads nothing, never a path), deleted once
forgotten; a file over the limit is refused with a translated reason."""

from __future__ import annotations

from django.utils import translation

from capitalis.core.imports import (
    size_refusal,
    token_ok,
    upload_forget,
    upload_keep,
    upload_read,
)


def test_a_kept_upload_is_read_by_its_token_then_forgotten(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    token = upload_keep(b"learner,grade\n")
    assert token_ok(token) == token
    assert upload_read(token) == b"learner,grade\n"
    assert upload_read(token.upper()) == b"learner,grade\n"  # the same UUID
    for hostile in ("../settings.py", "", "imports/x", token + "/.."):
        assert upload_read(hostile) is None
    upload_forget(token)
    assert upload_read(token) is None
    upload_forget(token)  # already gone: nothing happens


def test_a_file_over_the_limit_is_refused_in_the_persons_language() -> None:
    assert size_refusal(None, 5_000_000) == ""
    assert size_refusal(5_000_000, 5_000_000) == ""
    with translation.override("fr"):
        assert size_refusal(5_000_001, 5_000_000) == "Le fichier dépasse 5 Mo."
    with translation.override("en"):
        assert size_refusal(60_000_000, 50_000_000) == "The file is larger than 50 MB."
