"""Reading numbers from URLs, query strings and forms before the database sees them.

``int("²")`` raises although ``"²".isdigit()`` is true, and a number past bigint makes SQLite
raise OverflowError and PostgreSQL refuse the query: a value from a request becomes an id only
through :func:`parse_id` (or :func:`parse_int` with its bounds)."""

from __future__ import annotations

import re

# PostgreSQL's bigint (Django's BigAutoField), the widest integer column the models use.
BIGINT_MAX = 2**63 - 1
_DIGITS = re.compile(r"[+-]?[0-9]{1,19}")


def parse_int(
    value: object, *, minimum: int = -BIGINT_MAX, maximum: int = BIGINT_MAX
) -> int | None:
    """The whole number written in ``value`` (ASCII digits, optional sign, surrounding spaces),
    or None when it is not one or lies outside [minimum, maximum]."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not _DIGITS.fullmatch(text):
            return None
        number = int(text)
    else:
        return None
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """A database id (1 to bigint's maximum) read from a request value, or None."""
    return parse_int(value, minimum=1)
