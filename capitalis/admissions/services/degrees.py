"""A draft's prior degrees: the candidate adds, changes and removes them one by one (or
replaces them all: imports, the demo); a draft may hold half-filled degrees, submission
needs them complete (``degree_missing``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.admissions.models import Application, PriorDegree
from capitalis.admissions.services._common import require_candidate_draft
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record


@dataclass(frozen=True)
class DegreeInput:
    """A prior degree as the candidate gives it; in a draft every part may still be empty.
    ``id``: the degree it changes (None: a new degree)."""

    title: str = ""
    level: str = ""
    ects: Any = None
    field: str = ""
    country: str = ""
    year_obtained: int | None = None
    in_progress: bool = False
    id: int | None = None

    def is_empty(self) -> bool:
        return not any(
            (
                (self.title or "").strip(),
                (self.level or "").strip(),
                self.ects not in (None, ""),
                self.field,
                (self.country or "").strip(),
                self.year_obtained,
                self.in_progress,
            )
        )


DEGREE_PARTS = ("title", "level", "ects", "field", "country")


def _clean_degree(i: int, d: DegreeInput) -> dict[str, Any]:
    """Check the parts given (an empty part is allowed in a draft; ``degree_missing`` lists
    what submission still needs)."""
    where = {"n": i + 1}
    ects: int | None = None
    if d.ects not in (None, ""):
        try:
            ects = int(str(d.ects).strip())
        except (TypeError, ValueError):
            raise DomainError(
                _("Degree %(n)s: the ECTS must be a whole number.") % where, code="ects"
            ) from None
        if ects < 0 or ects > 600:
            raise DomainError(
                _("Degree %(n)s: the ECTS must be between 0 and 600.") % where, code="ects"
            )
    if d.field and d.field not in PriorDegree.Field.values:
        raise DomainError(_("Degree %(n)s: choose a field from the list.") % where, code="field")
    country = (d.country or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise DomainError(
            _("Degree %(n)s: give the country as a two-letter code (FR, DE…).") % where,
            code="country",
        )
    return {
        "title": (d.title or "").strip()[:300],
        "level": (d.level or "").strip()[:50],
        "ects": ects,
        "field": d.field or "",
        "country": country,
        "year_obtained": d.year_obtained,
        "in_progress": bool(d.in_progress),
    }


def degree_missing(degree: PriorDegree) -> list[str]:
    """The parts of a degree still empty (submission needs them all)."""
    return [
        name
        for name in DEGREE_PARTS
        if getattr(degree, name) is None or getattr(degree, name) == ""
    ]


def _own_degree(application: Application, degree_id: int) -> PriorDegree:
    degree = PriorDegree.objects.filter(application=application, pk=degree_id).first()
    if degree is None:
        raise DomainError(_("This degree is not part of your application."), code="degree")
    return degree


@transaction.atomic
def application_degrees_save(
    *, application: Application, actor_user: User, degrees: Sequence[DegreeInput]
) -> list[PriorDegree]:
    """Save the candidate's degrees as given: one with an ``id`` is changed, one without is
    added (an entirely empty new line is skipped). A degree not listed stays as it is: only
    ``application_degree_remove`` removes one. All are checked first (one bad row saves
    nothing). Returns the degrees in the order given (None-free)."""
    require_candidate_draft(application, actor_user)
    cleaned = [(d, _clean_degree(i, d)) for i, d in enumerate(degrees)]
    saved: list[PriorDegree] = []
    for given, row in cleaned:
        if given.id is not None:
            degree = _own_degree(application, given.id)
            for name, value in row.items():
                setattr(degree, name, value)
            degree.save()
        elif given.is_empty():
            continue
        else:
            degree = PriorDegree.objects.create(application=application, **row)
        saved.append(degree)
    audit_record(
        action=Action.APPLICATION_DEGREES_SAVE,
        actor=actor_user,
        target=application,
        summary=f"{len(saved)} degree(s) saved",
        data={"ids": [d.pk for d in saved]},
    )
    return saved


@transaction.atomic
def application_degree_add(
    *, application: Application, actor_user: User, degree: DegreeInput
) -> PriorDegree:
    """Add one degree to a draft (it may be half-filled)."""
    require_candidate_draft(application, actor_user)
    row = _clean_degree(application.prior_degrees.count(), degree)
    created = PriorDegree.objects.create(application=application, **row)
    audit_record(
        action=Action.APPLICATION_DEGREE_ADD,
        actor=actor_user,
        target=application,
        summary=f"degree {created.pk}",
    )
    return created


@transaction.atomic
def application_degree_remove(
    *, application: Application, actor_user: User, degree_id: int
) -> None:
    """The candidate removes one of her degrees from a draft (the only way a degree goes)."""
    require_candidate_draft(application, actor_user)
    degree = _own_degree(application, degree_id)
    audit_record(
        action=Action.APPLICATION_DEGREE_REMOVE,
        actor=actor_user,
        target=application,
        summary=f"degree {degree.pk}: {degree.title}",
    )
    degree.delete()


@transaction.atomic
def application_degrees_set(
    *, application: Application, actor_user: User, degrees: Sequence[DegreeInput]
) -> list[PriorDegree]:
    """Replace all the draft's prior degrees by ``degrees`` (imports and the demo; the pages and
    the API add, change and remove one by one). All checked first: one bad row saves nothing."""
    require_candidate_draft(application, actor_user)
    cleaned = [_clean_degree(i, d) for i, d in enumerate(degrees)]
    application.prior_degrees.all().delete()
    rows = PriorDegree.objects.bulk_create(
        PriorDegree(application=application, **row) for row in cleaned
    )
    audit_record(
        action=Action.APPLICATION_DEGREES_SET,
        actor=actor_user,
        target=application,
        summary=f"{len(rows)} degree(s)",
    )
    return rows
