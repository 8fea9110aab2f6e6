"""Independent verification of what the services issue: the Digital Bazaar verifier
(tests/interop/verify.mjs, offline) verifies a block and a certification credential built by
``builders`` and issued by ``services`` (with our signed status list pinned), rejects a tampered
one, and reports a revoked one as revoked once the list is re-signed. Skipped without node,
unless REQUIRE_NODE=1 (see test_interop_node)."""

from __future__ import annotations

import copy
import json
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from capitalis.credentials import services
from capitalis.credentials.models import StatusList
from tests.credentials.issuance_world import deliberated, signing_key  # noqa: F401
from tests.credentials.test_interop_node import INTEROP, _node

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key")]


def _verify(files: list[Path], docs: list[Path]) -> dict[str, dict[str, Any]]:
    now = (timezone.now() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    command = [_node(), str(INTEROP / "verify.mjs"), f"--now={now}"]
    command += [f"--doc={doc}" for doc in docs] + [str(f) for f in files]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    verdicts = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    return {Path(v["file"]).name: v for v in verdicts}


def _write(folder: Path, name: str, document: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(document, ensure_ascii=False))
    return path


def test_issued_credentials_verify_independently(tmp_path):
    _node()
    iss = deliberated()
    block = services.credential_issue_block(iss.validations(0)[0])
    cert = services.credential_issue_certification(iss.decision(0))
    partial = services.credential_issue_block(iss.validations(1)[0])
    status_list = StatusList.objects.get()
    tampered = copy.deepcopy(cert.document)
    tampered["credentialSubject"]["identifier"][1]["identityHash"] = "Autre Personne"

    clear = tmp_path / "clear"
    listed = _write(clear, "status-list.json", services.status_list_signed(status_list))
    files = [
        _write(clear, "block.json", block.document),
        _write(clear, "certification.json", cert.document),
        _write(clear, "partial.json", partial.document),
        _write(clear, "tampered.json", tampered),
    ]
    verdicts = _verify(files, [listed])
    for name in ("block.json", "certification.json", "partial.json"):
        assert verdicts[name]["verified"] is True, verdicts[name]["errors"]
        assert verdicts[name]["revoked"] is False
    assert verdicts["tampered.json"]["verified"] is False

    services.credential_revoke(credential=block, actor=iss.w.president, reason="Erreur")
    status_list.refresh_from_db()
    revoked_dir = tmp_path / "revoked"
    listed = _write(revoked_dir, "status-list.json", services.status_list_signed(status_list))
    verdicts = _verify(
        [
            _write(revoked_dir, "block.json", block.document),
            _write(revoked_dir, "certification.json", cert.document),
        ],
        [listed],
    )
    assert verdicts["block.json"]["revoked"] is True
    assert verdicts["block.json"]["verified"] is False
    assert verdicts["certification.json"]["verified"] is True
