"""A required free text (reason, justification) given as null, a number or only spaces is
empty, so the services' "required" checks refuse it (never the text "None")."""

from __future__ import annotations

import pytest

from capitalis.core.api import text_of
from capitalis.core.text import clean_text


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n", 0, 42, ["x"], {"x": 1}])
def test_clean_text_is_empty_for_anything_but_real_text(value):
    assert clean_text(value) == ""


def test_clean_text_strips_real_text():
    assert clean_text("  Erreur de nom \n") == "Erreur de nom"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"reason": None}, ""),
        ({"reason": 3}, ""),
        ({}, ""),
        ([], ""),
        ("reason", ""),
        ({"reason": " Doublon "}, " Doublon "),
    ],
)
def test_text_of_a_request_body(body, expected):
    assert text_of(body, "reason") == expected
