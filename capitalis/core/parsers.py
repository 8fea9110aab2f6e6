"""The API's JSON parser: DRF's, with a size limit, a nesting limit and no NUL characters.

DRF reads the body stream itself, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not bound a
JSON body; and Python's decoder overflows the stack on a few thousand nested brackets (a
RecursionError, a 500). Refused bodies get a 400 ``{detail, code}``:
``body_too_large``, ``json_too_deep``, ``json_invalid``, ``nul_character``."""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _refuse(message: str, code: str) -> ParseError:
    return ParseError({"detail": message, "code": code})


def check_json_value(data: Any, *, max_depth: int) -> None:
    """Raise ParseError when ``data`` nests deeper than ``max_depth`` or holds a NUL character
    in a key or a string (an iterative walk: no recursion on hostile input)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise _refuse(
                    _("The request contains a NUL character, which is not allowed."),
                    "nul_character",
                )
            continue
        if isinstance(value, Mapping):
            children: list[Any] = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > max_depth:
            raise _refuse(
                _("The JSON body is nested more than %(depth)s levels deep.")
                % {"depth": max_depth},
                "json_too_deep",
            )
        stack.extend((child, depth + 1) for child in children)


class SafeJSONParser(JSONParser):
    """JSON bodies up to ``API_JSON_MAX_BYTES`` bytes and ``API_JSON_MAX_DEPTH`` levels."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        max_bytes = settings.API_JSON_MAX_BYTES
        max_depth = settings.API_JSON_MAX_DEPTH
        raw = stream.read(max_bytes + 1) if stream is not None else b""
        if len(raw) > max_bytes:
            raise _refuse(
                _("The request body is larger than %(size)s bytes.") % {"size": max_bytes},
                "body_too_large",
            )
        try:
            text = codecs.decode(raw, encoding)
            data = json.loads(text, parse_constant=_no_constant) if text.strip() else None
        except RecursionError:
            raise _refuse(
                _("The JSON body is nested more than %(depth)s levels deep.")
                % {"depth": max_depth},
                "json_too_deep",
            ) from None
        except ValueError as error:
            raise _refuse(
                _("The body is not valid JSON: %(error)s") % {"error": error}, "json_invalid"
            ) from None
        if data is None and not text.strip():
            raise _refuse(_("The body is not valid JSON: it is empty."), "json_invalid")
        check_json_value(data, max_depth=max_depth)
        return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")
