"""The rules' reasons in words, in the active language."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from capitalis.jury import rules


def _messages() -> dict[str, str]:
    return _messages_in(get_language() or "fr")


@lru_cache(maxsize=8)
def _messages_in(language: str) -> dict[str, str]:
    """The reason templates in ``language`` (built once per language: the grid formats
    thousands of reasons): the rules' texts, translated."""
    return {code: _(text) for code, text in rules.REASON_TEXTS.items()}


def reason_text(reason: dict[str, Any]) -> str:
    """One stored reason in the active language (codes already name blocks/competencies)."""
    template = _messages().get(reason.get("code", ""))
    params = {
        k: ", ".join(str(x) for x in v) if isinstance(v, list) else v
        for k, v in (reason.get("params") or {}).items()
    }
    text = template % params if template else str(reason.get("code", ""))
    competency = reason.get("competency")
    return f"{competency} — {text}" if competency else text
