"""Anonymising what the retention rules no longer keep (SPEC §10): applications' free texts,
their prior degrees and transition notes, their documents, their interviews' notes. The
reporting app chooses which applications (``reporting.privacy.services.retention_apply``);
the writes are here, set-based, with their audit records (counts and ids, no personal
content). Each selects only what still holds something to erase, so a second run changes
nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q

from capitalis.accounts.services import ANONYMISED
from capitalis.admissions.models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Interview,
    PriorDegree,
)
from capitalis.core.audit import Action
from capitalis.core.models import audit_record

#: an anonymised application's fields (free texts and what they reveal)
APPLICATION_BLANK: dict[str, Any] = {
    "accommodation_requested": False,
    "accommodation_details": "",
    "manual_review_note": "",
    "decision_note": "",
    "english_level": "",
    "eligibility": [],
}
#: an anonymised interview's free texts
INTERVIEW_BLANK: dict[str, Any] = {"comment": "", "adapted_arrangements": ""}


def _has_content(blank: dict[str, Any]) -> Q:
    """Rows where at least one of the fields still differs from its blank value."""
    q = Q(pk__in=[])
    for name, value in blank.items():
        q |= ~Q(**{name: value})
    return q


def _clear_history(model: type[models.Model], ids: list[int], blank: dict[str, Any]) -> None:
    history = getattr(model, "history", None)
    if history is None or not ids:
        return
    history.model.objects.filter(id__in=ids).update(**blank)


@transaction.atomic
def applications_anonymise(*, application_ids: Iterable[int], actor: Any = None) -> set[int]:
    """Erase the free texts of these applications (in their history too), their prior
    degrees' titles and their transitions' notes. Returns the ids of the applications that
    changed."""
    aged_ids = set(application_ids)
    changed: set[int] = set()
    texts = Application.objects.filter(pk__in=aged_ids).filter(_has_content(APPLICATION_BLANK))
    ids = list(texts.values_list("pk", flat=True))
    changed |= set(ids)
    Application.objects.filter(pk__in=ids).update(**APPLICATION_BLANK)
    _clear_history(Application, sorted(aged_ids), APPLICATION_BLANK)
    degrees = PriorDegree.objects.filter(application_id__in=aged_ids).exclude(title=ANONYMISED)
    changed |= set(degrees.values_list("application_id", flat=True))
    degrees.update(title=ANONYMISED)
    notes = ApplicationTransition.objects.filter(application_id__in=aged_ids).exclude(note="")
    changed |= set(notes.values_list("application_id", flat=True))
    notes.update(note="")
    if changed:
        audit_record(
            action=Action.APPLICATIONS_ANONYMISE,
            actor=actor,
            summary=f"{len(changed)} applications anonymised",
            data={"applications": sorted(changed)},
        )
    return changed


@transaction.atomic
def application_documents_erase(
    *, application_ids: Iterable[int] | models.QuerySet[Any], actor: Any = None
) -> tuple[int, list[str]]:
    """Delete the documents of these applications (ids, or a query of ``pk`` values); their
    files go from the storage after commit. Returns how many documents went and their file
    names."""
    docs = ApplicationDocument.objects.filter(application_id__in=application_ids)
    files = list(docs.exclude(file="").values_list("file", flat=True))
    count = docs.count()
    if count:
        ids = sorted(docs.values_list("pk", flat=True))
        docs.delete()
        audit_record(
            action=Action.APPLICATION_DOCUMENTS_ERASE,
            actor=actor,
            summary=f"{count} documents erased, {len(files)} files",
            data={"documents": ids},
        )
        doomed = list(files)
        transaction.on_commit(lambda: _delete_files(doomed))
    return count, files


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):  # already gone: nothing to keep
            default_storage.delete(name)


@transaction.atomic
def interviews_anonymise(
    *, application_ids: Iterable[int] | models.QuerySet[Any], actor: Any = None
) -> int:
    """Erase the free texts of these applications' interviews (ids, or a query of ``pk``
    values), in their history too. Returns how many interviews changed."""
    interviews = Interview.objects.filter(application_id__in=application_ids)
    all_ids = list(interviews.values_list("pk", flat=True))
    todo = interviews.filter(_has_content(INTERVIEW_BLANK))
    count = todo.count()
    if count:
        changed = sorted(todo.values_list("pk", flat=True))
        todo.update(**INTERVIEW_BLANK)
        audit_record(
            action=Action.INTERVIEWS_ANONYMISE,
            actor=actor,
            summary=f"{count} interviews anonymised",
            data={"interviews": changed},
        )
    _clear_history(Interview, all_ids, INTERVIEW_BLANK)
    return count
