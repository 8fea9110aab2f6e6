"""``manage.py clean_import_uploads``: the kept results-import uploads (imports/<uuid> in the
default storage) older than a day are deleted; newer ones and other files stay."""

from __future__ import annotations

import os
import time
import uuid
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from capitalis.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_old_uploads_are_deleted_new_ones_kept(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    old, new = str(uuid.uuid4()), str(uuid.uuid4())
    for name in (old, new, "README"):
        default_storage.save(f"imports/{name}", ContentFile(b"learner,grade\n"))
    two_days_ago = time.time() - 2 * 86400
    os.utime(tmp_path / "imports" / old, (two_days_ago, two_days_ago))
    out = StringIO()
    call_command("clean_import_uploads", stdout=out)
    assert "1 upload(s) deleted" in out.getvalue()
    assert not default_storage.exists(f"imports/{old}")
    assert default_storage.exists(f"imports/{new}")
    assert default_storage.exists("imports/README")  # not an upload of ours
    assert AuditEvent.objects.filter(action="import_uploads_clean").count() == 1
    # an hour's threshold catches the new one too
    call_command("clean_import_uploads", "--hours", "0", stdout=StringIO())
    assert not default_storage.exists(f"imports/{new}")


def test_no_upload_folder_is_fine(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "empty"
    out = StringIO()
    call_command("clean_import_uploads", stdout=out)
    assert "0 upload(s) deleted" in out.getvalue()
