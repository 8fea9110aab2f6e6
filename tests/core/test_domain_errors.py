"""One table maps a DomainError's code to its HTTP status; the API, the pages and the commands
answer it the same way (capitalis.core.exceptions, capitalis.core.handlers)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.management.base import CommandError
from django.test import RequestFactory

from capitalis.core.exceptions import DomainError, status_for_code
from capitalis.core.handlers import api_exception_handler, command_errors, domain_errors


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("not_found", 404),
        ("unknown", 404),
        ("forbidden", 403),
        ("not_authorised", 403),
        ("conflict", 409),
        ("exists", 409),
        ("duplicate", 409),
        ("already_revoked", 409),
        ("already_enrolled", 409),
        ("closed", 409),
        ("not_frozen", 409),
        ("invalid", 400),
        ("reason_required", 400),
        ("", 400),
    ],
)
def test_each_code_has_one_status(code: str, status: int) -> None:
    assert status_for_code(code) == status
    assert DomainError("Non.", code=code).status == status


def test_the_api_answers_detail_and_code_with_the_codes_status() -> None:
    response = api_exception_handler(DomainError("Déjà fait.", code="already_validated"), {})
    assert response is not None
    assert response.status_code == 409
    assert response.data == {"detail": "Déjà fait.", "code": "already_validated"}


def test_the_api_handler_leaves_other_errors_to_drf() -> None:
    assert api_exception_handler(ValueError("boom"), {}) is None


def _request() -> Any:
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


class _Form(forms.Form):
    reason = forms.CharField(required=False)


def test_a_page_puts_the_message_on_the_field_its_code_names() -> None:
    form = _Form(data={"reason": ""})
    assert form.is_valid()
    with domain_errors(_request(), form, fields={"reason_required": "reason"}) as refused:
        raise DomainError("Donnez un motif.", code="reason_required")
    assert refused and refused.status == 400
    assert form.errors == {"reason": ["Donnez un motif."]}


def test_a_page_without_a_form_gets_the_message_in_its_messages() -> None:
    request = _request()
    with domain_errors(request) as refused:
        raise DomainError("Session close.", code="closed")
    assert refused.status == 409 and refused.code == "closed"
    assert [str(m) for m in get_messages(request)] == ["Session close."]


def test_nothing_refused_is_false_and_200() -> None:
    with domain_errors(_request()) as refused:
        pass
    assert not refused and refused.status == 200 and refused.message == ""


def test_a_command_turns_it_into_a_command_error() -> None:
    with pytest.raises(CommandError, match="Fichier illisible"), command_errors():
        raise DomainError("Fichier illisible.", code="file")
