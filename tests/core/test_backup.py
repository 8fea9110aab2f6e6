"""Backup and restore (manage.py backup / restore): a restore drill — issue a credential, back
up, lose everything, restore — after which the credential still verifies as ours; and the
guard: with the signing key missing, issuing is refused and start-up says so."""

from __future__ import annotations

import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from capitalis.core.backup import backup_create, backup_restore
from capitalis.core.exceptions import DomainError
from capitalis.credentials import keys, queries, services, signing
from capitalis.credentials.apps import signing_key_check
from capitalis.credentials.models import Credential
from tests.credentials.issuance_world import deliberated

pytestmark = pytest.mark.django_db(transaction=True)
PASSPHRASE = "a long enough passphrase"


@pytest.fixture
def generated_key(settings, tmp_path):
    """No key in the environment: the key is generated into VAR_DIR, as on a fresh server."""
    var = tmp_path / "var"
    var.mkdir()
    settings.VAR_DIR = var
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CREDENTIALS_SIGNING_KEY = ""
    settings.CREDENTIALS_SIGNING_KEY_FILE = ""
    settings.CREDENTIALS_DID_WEB_DOMAIN = ""
    settings.CREDENTIALS_RETIRED_KEYS = []
    settings.PUBLIC_BASE_URL = "https://certif.example.test"
    keys.issuer_key.cache_clear()
    queries.forget_signers()
    yield var
    keys.issuer_key.cache_clear()
    queries.forget_signers()


def _forget_process_caches():
    keys.issuer_key.cache_clear()
    queries.forget_signers()


def test_restore_drill_a_credential_still_verifies(generated_key, tmp_path):
    iss = deliberated()
    credential = services.credential_issue_certification(iss.decision(0))
    default_storage.save("drill/evidence.txt", ContentFile(b"kept"))
    archive = tmp_path / "backup.tar.gz"
    report = backup_create(destination=archive, passphrase=PASSPHRASE)
    assert "credentials_signing_key" in report.secrets_included
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        secrets = tar.extractfile("secrets.enc").read()
    assert "manifest.json" in names and "media/drill/evidence.txt" in names
    key_text = (generated_key / "credentials_signing_key").read_text().strip()
    assert key_text.encode() not in secrets  # encrypted, not copied

    # The server is lost: database rows, media and the key file.
    Credential.objects.all().delete()
    default_storage.delete("drill/evidence.txt")
    (generated_key / "credentials_signing_key").unlink()
    _forget_process_caches()

    restored = backup_restore(archive=archive, passphrase=PASSPHRASE)
    assert restored.secrets_restored == ["credentials_signing_key"]
    again = Credential.objects.get(public_id=credential.public_id)
    assert signing.verify(again.document) == []
    vm = again.document["proof"][0]["verificationMethod"]
    assert keys.is_our_signer(vm)
    assert queries.unknown_signers() == []
    assert default_storage.open("drill/evidence.txt").read() == b"kept"
    # and the school can go on issuing with the same key
    other = services.credential_issue_certification(iss.decision(0))
    assert other.issuer_did == again.issuer_did


def test_a_missing_signing_key_refuses_issuing_and_is_reported(generated_key):
    iss = deliberated()
    services.credential_issue_block(iss.validations(0)[0])
    (generated_key / "credentials_signing_key").unlink()  # restored without its key
    _forget_process_caches()
    with pytest.raises(DomainError) as refused:
        services.credential_issue_certification(iss.decision(0))
    assert refused.value.code == "signing_key_missing"
    assert Credential.objects.count() == 1
    warnings = signing_key_check()
    assert [w.id for w in warnings] == ["credentials.W001"]


def test_bad_archives_and_passphrases_change_nothing(generated_key, tmp_path):
    iss = deliberated()
    services.credential_issue_block(iss.validations(0)[0])
    archive = tmp_path / "b.tar.gz"
    backup_create(destination=archive, passphrase=PASSPHRASE)
    with pytest.raises(DomainError) as wrong:
        backup_restore(archive=archive, passphrase="not the right passphrase")
    assert wrong.value.code == "passphrase"
    with pytest.raises(DomainError) as missing:
        backup_restore(archive=archive, passphrase=None)
    assert missing.value.code == "passphrase"
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"\x00not a tar")
    with pytest.raises(DomainError) as bad:
        backup_restore(archive=junk)
    assert bad.value.code == "format"
    assert Credential.objects.count() == 1


def test_without_a_passphrase_the_key_is_left_out_and_said_so(generated_key, tmp_path, capsys):
    iss = deliberated()
    services.credential_issue_block(iss.validations(0)[0])
    archive = tmp_path / "plain.tar.gz"
    call_command("backup", str(archive))
    out = capsys.readouterr().out
    assert "NOT in the backup: credentials_signing_key" in out
    with tarfile.open(archive) as tar:
        assert "secrets.enc" not in tar.getnames()
    with pytest.raises(CommandError):
        call_command("restore", str(archive))  # no --yes
