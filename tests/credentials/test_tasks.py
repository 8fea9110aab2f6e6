"""Batch issuance: the session task issues each credential exactly once, even when a worker
dies midway and the task is run again; the command does the same."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from capitalis.credentials import services, tasks
from capitalis.credentials.models import Credential
from tests.credentials.issuance_world import deliberated, signing_key  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key")]


def test_crash_midway_then_rerun_gives_each_credential_exactly_once(monkeypatch):
    iss = deliberated(learners=6)  # 2 certified (3 blocks + cert), 2 partial (1 block), 2 none
    real = services.credentials_issue
    calls = {"n": 0}

    def dying(items, *, actor=None):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(items, actor=actor)

    monkeypatch.setattr(services, "credentials_issue", dying)
    with pytest.raises(RuntimeError):
        tasks.issue_session_credentials(iss.session.pk)
    partial = Credential.objects.count()
    assert 0 < partial < 10
    monkeypatch.setattr(services, "credentials_issue", real)
    tasks.issue_session_credentials(iss.session.pk)
    tasks.issue_session_credentials(iss.session.pk)  # and once more: nothing new
    assert Credential.objects.count() == 2 * 4 + 2 * 1
    keys = list(Credential.objects.values_list("issuance_key", flat=True))
    assert len(keys) == len(set(keys))
    assert Credential.objects.filter(kind="certification").count() == 2


def test_command_refuses_an_open_session_and_issues_a_closed_one(capsys):
    from django.core.management.base import CommandError

    open_one = deliberated(close=False, learners=1)
    with pytest.raises(CommandError):
        call_command("issue_credentials", "--session", str(open_one.session.pk))
    assert Credential.objects.count() == 0
    from capitalis.jury import services as jury_services

    jury_services.session_close(session=open_one.session, actor=open_one.w.president)
    call_command("issue_credentials", "--session", str(open_one.session.pk))
    assert Credential.objects.count() == 4
    assert "4 credential(s) issued" in capsys.readouterr().out
