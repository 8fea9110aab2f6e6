"""The helpers every subdomain of the programme services shares: ``_upsert`` (create or
update by natural key, nothing written when the row already holds the values), the checks of
an ECTS value and of a track."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError
from capitalis.programmes.models import Track

M = TypeVar("M", bound=models.Model)


def _upsert(
    model: type[M], *, lookup: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[M, bool]:
    """Create the row or update the fields that differ; (row, whether anything was written)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, True
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if not changed:
        return obj, False
    for k in changed:
        setattr(obj, k, values[k])
    obj.full_clean()
    obj.save()
    return obj, True


def _ects(value: Any, *, field: str) -> Decimal:
    try:
        ects = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            _("%(field)s: the ECTS must be a number.") % {"field": field}, code="ects"
        ) from exc
    if not ects.is_finite():
        raise DomainError(
            _("%(field)s: the ECTS must be a number.") % {"field": field}, code="ects"
        )
    return ects


def _track(track: str) -> None:
    if track not in Track.values:
        raise DomainError(_("Unknown track %(track)s.") % {"track": track}, code="track")
