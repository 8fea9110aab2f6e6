"""Reads for the personal data pages: who may export anyone's data, and the person search.

A programme director (or a superuser) handles personal data requests; everyone may download
her own data."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from capitalis.accounts.models import User
from capitalis.reporting.models import DataRequestKind, PersonalDataRequest

SEARCH_LIMIT = 25


def person_search(*, query: str) -> QuerySet[User]:
    """People whose e-mail address or name contains ``query`` (at least 2 characters)."""
    text = query.strip()
    if len(text) < 2:
        return User.objects.none()
    return User.objects.filter(Q(email__icontains=text) | Q(full_name__icontains=text)).order_by(
        "email"
    )[:SEARCH_LIMIT]


def recent_requests(*, limit: int = 20) -> QuerySet[PersonalDataRequest]:
    """The latest exports and retention runs (for the staff page)."""
    return PersonalDataRequest.objects.select_related("subject", "requested_by").order_by(
        "-created_at"
    )[:limit]


def my_exports(*, user: User) -> QuerySet[PersonalDataRequest]:
    return PersonalDataRequest.objects.filter(kind=DataRequestKind.EXPORT, subject=user).order_by(
        "-created_at"
    )[:10]
