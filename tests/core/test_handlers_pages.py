"""A page whose service refuses with a ``DomainError`` the view does not catch answers with the
error's status (400, 403, 404, 409 from the one table) and a translated page showing its
message, never a 500; nothing is written. Paths under /api/ are left to DRF
(capitalis.core.middleware.DomainErrorMiddleware)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from capitalis.core.exceptions import DomainError

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.domain_error_urls")]


@pytest.mark.parametrize(
    ("code", "status", "language", "heading", "message"),
    [
        ("not_found", 404, "fr", "Page introuvable", "Aucune facture de ce numéro."),
        ("not_found", 404, "en", "Page not found", "No such invoice."),
        ("forbidden", 403, "fr", "Accès interdit", "Vous ne pouvez pas gérer les comptes."),
        ("forbidden", 403, "en", "Access forbidden", "You may not manage accounts."),
        (
            "has_payments",
            409,
            "fr",
            "Impossible pour le moment",
            "Cette facture a des paiements : elle ne peut pas être annulée.",
        ),
        (
            "has_payments",
            409,
            "en",
            "Not possible now",
            "This invoice has payments: it cannot be cancelled.",
        ),
        ("invalid", 400, "fr", "Demande refusée", "Les dates s'écrivent comme 2026-09-30."),
        ("invalid", 400, "en", "Request refused", "The dates must read like 2026-09-30."),
    ],
)
def test_an_uncaught_refusal_answers_its_status_and_message(
    code: str, status: int, language: str, heading: str, message: str
) -> None:
    users = get_user_model().objects.count()
    response = Client(HTTP_ACCEPT_LANGUAGE=language).post(f"/test-refusal/{code}/")
    assert response.status_code == status
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert f"<p>{message}</p>" in html.replace("&#x27;", "'")
    assert f'<html lang="{language}">' in html  # the site's layout, in the asked language
    assert get_user_model().objects.count() == users


def test_a_get_is_refused_the_same_way() -> None:
    response = Client().get("/test-refusal/not_found/")
    assert response.status_code == 404
    assert "Aucune facture de ce numéro." in response.content.decode()


def test_api_paths_are_left_to_drf() -> None:
    with pytest.raises(DomainError):
        Client().post("/api/test-refusal/invalid/")


@override_settings(DEBUG=False)
def test_never_a_500() -> None:
    response = Client(raise_request_exception=False).post("/test-refusal/has_payments/")
    assert response.status_code == 409
