"""The API's pagination: DRF's limit/offset, bounded before the database sees the numbers.

``?limit=`` is clamped to ``API_MAX_PAGE_SIZE`` (a limit past bigint made the SQL fail);
``?offset=`` past bigint is treated as "after the end" (an empty page); a negative or non-numeric
value falls back to the default, as DRF does."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.pagination import LimitOffsetPagination

from capitalis.core.params import BIGINT_MAX, parse_int


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """LimitOffsetPagination with a maximum page size and an offset that fits in bigint."""

    @property
    def max_limit(self) -> int:  # type: ignore[override]
        return int(settings.API_MAX_PAGE_SIZE)

    def get_limit(self, request: Any) -> int | None:
        value = request.query_params.get(self.limit_query_param)
        if value is not None:
            number = parse_int(value, minimum=1, maximum=BIGINT_MAX)
            if number is None:
                # past bigint: the largest page; anything else: the default
                digits = value.strip()
                if digits.isascii() and digits.isdigit():
                    return self.max_limit
                return self._default()
            return min(number, self.max_limit)
        return self._default()

    def _default(self) -> int | None:
        return None if self.default_limit is None else min(self.default_limit, self.max_limit)

    def get_offset(self, request: Any) -> int:
        value = request.query_params.get(self.offset_query_param)
        if value is None:
            return 0
        number = parse_int(value, minimum=0, maximum=BIGINT_MAX)
        if number is None:
            digits = value.strip()
            return BIGINT_MAX if digits.isascii() and digits.isdigit() else 0
        return number
