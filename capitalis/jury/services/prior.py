"""Block validations obtained before Capitalis (issue 13 point 2): one recorded from the page or
the API, many imported from a CSV or XLSX file (all or nothing), and the system's own record
of an earlier validation. Checked by the rules, capitalised like any other."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from capitalis.accounts.models import User
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record, audit_record_many
from capitalis.core.text import clean_text
from capitalis.core.uploads import check_upload
from capitalis.enrolment.models import Learner
from capitalis.jury import imports, queries, rules
from capitalis.jury.models import (
    BlockValidation,
    Route,
)
from capitalis.referential.models import Block


@transaction.atomic
def block_validation_record(
    *,
    learner: Learner,
    block: Block,
    validated_on: date,
    route: str = Route.TRAINING,
    actor: User | None,
) -> BlockValidation:
    """Record a block validated before Capitalis (e.g. under an earlier référentiel version,
    from a past jury's minutes). Recording the same block twice changes nothing."""
    if route not in {r.value for r in Route}:
        raise DomainError(_("Unknown route."), code="route")
    validation, created = BlockValidation.objects.get_or_create(
        learner=learner,
        block=block,
        defaults={"version_id": block.version_id, "validated_on": validated_on, "route": route},
    )
    if created:
        audit_record(action=Action.BLOCK_VALIDATION_RECORD, actor=actor, target=validation)
    return validation


# --- prior validations (issue 13 point 2) --------------------------------------------------


def _require_prior_manager(actor: User | None) -> None:
    """Only a programme director records prior validations; ``actor`` None is the system."""
    if actor is not None and not queries.can_manage_prior(actor):
        raise DomainError(
            _("Only a programme director may record block validations obtained before."),
            code="not_authorised",
        )


def _prior_claim(
    row: imports.PriorRow,
    lookup: queries.PriorLookup,
    *,
    block_id: int | None = None,
    validated_on: date | None = None,
    has_document: bool = False,
) -> tuple[rules.PriorClaim, queries.PriorBlock | None]:
    """A row (as typed, or from the page with the block chosen by id) resolved for the rules."""
    learner = lookup.learners.get(row.learner.lower()) or lookup.learners.get(row.learner.upper())
    if block_id is not None:
        block = lookup.by_id.get(block_id)
    else:
        key = (row.certification.upper(), row.version.upper(), row.block.upper())
        block = lookup.blocks.get(key)
    held = None
    if learner is not None and block is not None:
        held = lookup.held.get((learner, block.id))
    route = imports.ROUTE_ALIASES.get(row.route.strip().lower(), row.route.strip())
    claim = rules.PriorClaim(
        learner=learner,
        learner_text=row.learner[:200],
        certifications=lookup.certifications.get(learner or 0, frozenset()),
        block=None if block is None else block.id,
        block_certification=None if block is None else block.certification_id,
        block_text=block.code if block is not None else row.block[:50],
        certification_text=block.certification_code
        if block is not None
        else row.certification[:50],
        version_text=block.version_code if block is not None else row.version[:50],
        certification_known=block is not None
        or row.certification.upper() in lookup.certification_codes,
        version_known=block is not None
        or (row.certification.upper(), row.version.upper()) in lookup.version_codes,
        version_valid_from=None if block is None else block.valid_from,
        validated_on=validated_on if validated_on is not None else rules.prior_date(row.date),
        date_text=row.date[:30],
        route=route[:30],
        source_reference=row.source,
        has_document=has_document,
        held=held,
    )
    return claim, block


def _prior_row(
    claim: rules.PriorClaim, block: queries.PriorBlock, actor: User | None
) -> BlockValidation:
    """The validation a checked claim records (not saved)."""
    assert claim.learner is not None and claim.validated_on is not None
    return BlockValidation(
        learner_id=claim.learner,
        block_id=block.id,
        version_id=block.version_id,
        validated_on=claim.validated_on,
        route=claim.route,
        source_reference=claim.source_reference,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )


@transaction.atomic(durable=True)
def prior_validation_record(
    *,
    learner: str,
    block: Block | None,
    validated_on: date | str,
    route: str,
    source_reference: str,
    document: bytes | None = None,
    document_name: str = "",
    actor: User | None,
    today: date | None = None,
) -> BlockValidation:
    """Record one block validation obtained before Capitalis (issue 13 point 2): ``learner``
    is an e-mail address or INE; checked by :func:`rules.prior_validation_check` (every reason
    at once, translated, nothing saved); the optional ``document`` (PDF, JPEG or PNG, at most
    10 MB, checked by content) is stored outside public URLs. Capitalised like any other: the
    next deliberation counts it (SPEC §6)."""
    _require_prior_manager(actor)
    today = today or clock.today()
    source = clean_text(source_reference)
    checked = None
    if document is not None:
        checked = check_upload(io.BytesIO(document), document_name or "document")
    text = clean_text(learner)
    lookup = queries.prior_lookup(
        learner_keys=[text], block_ids=[block.pk] if block is not None else []
    )
    row = imports.PriorRow(
        line=0,
        learner=text,
        certification="",
        version="",
        block="",
        date=validated_on if isinstance(validated_on, str) else "",
        route=clean_text(route),
        source=source,
    )
    claim, found = _prior_claim(
        row,
        lookup,
        block_id=block.pk if block is not None else None,
        validated_on=validated_on if isinstance(validated_on, date) else None,
        has_document=checked is not None,
    )
    reasons = rules.prior_validation_check(claim, today=today)
    if reasons:
        raise imports.PriorRefused(reasons)
    assert found is not None and claim.learner is not None
    # a concurrent record of the same block waits here, then sees it (unique learner + block)
    Learner.objects.select_for_update().filter(pk=claim.learner).exists()
    if BlockValidation.objects.filter(learner_id=claim.learner, block_id=found.id).exists():
        raise DomainError(
            _("This learner already holds this block: a block is validated once."),
            code="already_validated",
        )
    validation = _prior_row(claim, found, actor)
    validation.save()
    if document is not None and checked is not None:
        validation.source_document.save(
            f"{validation.pk}-{checked.sha256[:16]}", ContentFile(document), save=False
        )
        validation.source_content_type = checked.content_type
        validation.save(update_fields=["source_document", "source_content_type", "updated_at"])
    audit_record(
        action=Action.PRIOR_VALIDATION_RECORD,
        actor=actor,
        target=validation,
        summary=f"{found.certification_code} {found.version_code} {found.code}",
        data={
            "route": claim.route,
            "validated_on": claim.validated_on.isoformat() if claim.validated_on else "",
            "source": source[:300],
            "document": bool(checked),
        },
    )
    return validation


def _prior_rows_check(
    rows: Sequence[imports.PriorRow], lookup: queries.PriorLookup, *, today: date
) -> tuple[list[imports.RowError], list[tuple[rules.PriorClaim, queries.PriorBlock]]]:
    """Every row of an imported file checked (the rules of one record, no extra column, no row
    repeating an earlier one): the refused rows with their reasons, and the accepted claims
    with their blocks."""
    errors: list[imports.RowError] = []
    accepted: list[tuple[rules.PriorClaim, queries.PriorBlock]] = []
    first: dict[tuple[Any, Any], int] = {}
    for typed in rows:
        row = replace(typed, source=clean_text(typed.source))
        claim, block = _prior_claim(row, lookup)
        reasons = list(rules.prior_validation_check(claim, today=today))
        if row.extra:
            reasons.append(rules.Reason("columns"))
        if claim.learner is not None and claim.block is not None:
            earlier = first.setdefault((claim.learner, claim.block), row.line)
            if earlier != row.line:
                reasons.append(rules.Reason("duplicate", {"first": earlier}))
        if reasons:
            errors.append(imports.RowError(row.line, tuple(reasons)))
        elif block is not None:
            accepted.append((claim, block))
    return errors, accepted


@transaction.atomic(durable=True)
def prior_validations_import(
    *,
    content: bytes,
    filename: str,
    actor: User | None,
    dry_run: bool = False,
    today: date | None = None,
) -> imports.ImportReport:
    """Import block validations obtained before Capitalis from a CSV or XLSX file (issue 13
    point 2), all or nothing: every row is checked first (the same rules as one record, plus
    a row repeating an earlier one); if one row is refused nothing is written and every
    refused row is reported with its line and reasons. Otherwise one validation per row, in
    this transaction, each with its audit record. ``dry_run`` checks and counts only."""
    _require_prior_manager(actor)
    today = today or clock.today()
    rows = imports.read_rows(content, filename)
    report = imports.ImportReport(dry_run=dry_run, rows=len(rows))
    lookup = queries.prior_lookup(
        learner_keys=[r.learner for r in rows],
        certification_codes=[r.certification for r in rows],
    )
    report.errors, accepted = _prior_rows_check(rows, lookup, today=today)
    if report.errors or dry_run or not accepted:
        report.created = len(accepted) if not report.errors else 0
        return report
    learner_ids = {c.learner for c, _b in accepted if c.learner is not None}
    list(Learner.objects.select_for_update().filter(pk__in=learner_ids).values_list("pk"))
    taken = set(
        BlockValidation.objects.filter(learner_id__in=learner_ids).values_list(
            "learner_id", "block_id"
        )
    )
    if any((c.learner, b.id) in taken for c, b in accepted):
        raise DomainError(
            _("Validations were recorded meanwhile: check the file again."), code="conflict"
        )
    # one INSERT of the validations and one of their history rows (set-based)
    created = bulk_create_with_history(
        [_prior_row(claim, block, actor) for claim, block in accepted],
        BlockValidation,
        batch_size=500,
        default_user=actor if actor is not None and actor.is_authenticated else None,
        default_change_reason="import",
    )
    audit_record_many(
        action=Action.PRIOR_VALIDATION_RECORD,
        actor=actor,
        targets=[
            (
                v,
                f"{b.certification_code} {b.version_code} {b.code}",
                {
                    "route": v.route,
                    "validated_on": v.validated_on.isoformat(),
                    "source": v.source_reference[:300],
                    "file": filename[:200],
                },
            )
            for v, (_c, b) in zip(created, accepted, strict=True)
        ],
    )
    report.created = len(created)
    report.imported = True
    return report
