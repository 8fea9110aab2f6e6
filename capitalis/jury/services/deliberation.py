"""Deliberation (SPEC §6): the rules compute every learner's block statuses and certification
decision; a jury member overrides with a written justification (optimistic lock on the row
version); the president of a later session corrects a closed session's decision by a new
decision citing it; "what if" recomputes one learner with a hypothetical grade, saving
nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.core.text import clean_text
from capitalis.enrolment.models import Enrolment
from capitalis.jury import queries, rules, rules_fast
from capitalis.jury.models import (
    BlockDecision,
    BlockStatus,
    CertificationDecision,
    CertificationStatus,
    JurySession,
    JurySessionLearner,
)
from capitalis.jury.services._common import _lock_open, _require_jury, _require_president
from capitalis.referential.models import Block, Competency


def _named(reasons: list[dict[str, Any]], names: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """Reasons with block/competency/assessment ids replaced by their codes (for people)."""

    def name(kind: str, value: Any) -> Any:
        if isinstance(value, list):
            return [name(kind, v) for v in value]
        return names[kind].get(str(value), value)

    out = []
    for reason in reasons:
        params = {
            k: name(_NAMED_PARAMS[k], v) if k in _NAMED_PARAMS else v
            for k, v in reason.get("params", {}).items()
        }
        item = {**reason, "params": params}
        if "competency" in item:
            item["competency"] = name("competency", item["competency"])
        out.append(item)
    return out


_NAMED_PARAMS = {
    "competencies": "competency",
    "counted": "assessment",
    "replaced": "assessment",
    "assessments": "assessment",
    "from_block": "block",
    "blocks": "block",
}


def _names(inputs: queries.Inputs) -> dict[str, dict[str, str]]:
    from capitalis.assessment.models import Assessment

    assessment_ids = {
        r.assessment
        for rows in inputs.evidence.values()
        for r in rows
        if isinstance(r.assessment, int)
    }
    from_blocks = {e.from_block for e in inputs.crosswalk}
    return {
        "competency": {str(k): v for k, v in inputs.version.competency_codes.items()},
        "assessment": {
            str(pk): code
            for pk, code in Assessment.objects.filter(pk__in=assessment_ids).values_list(
                "pk", "code"
            )
        }
        | {"what-if": _("hypothetical grade")},
        "block": {
            str(pk): code
            for pk, code in Block.objects.filter(pk__in=from_blocks).values_list("pk", "code")
        }
        | {str(k): v for k, v in inputs.version.block_codes.items()},
    }


def _compute(inputs: queries.Inputs) -> dict[Any, rules.LearnerDeliberation]:
    evidence = cast(Mapping[rules.Key, Sequence[rules.Evidence]], inputs.evidence)
    prior = cast(Mapping[rules.Key, Sequence[rules.PriorValidation]], inputs.prior)
    return rules_fast.deliberate(
        evidence,
        prior,
        inputs.version.structure,
        inputs.version.policy,
        inputs.crosswalk,
    )


@transaction.atomic
def deliberate(*, session: JurySession, actor: User) -> int:
    """Compute every learner's block statuses and certification decision with the rules
    (SPEC §6) from the assessment evidence, capitalised blocks and the crosswalk, and store
    them as decisions. Overrides already made are kept beside the new computed values (their
    row version moves on, so a form opened before is told). Returns the number of learners."""
    session = _lock_open(session)
    _require_jury(actor, session)
    inputs = queries.deliberation_inputs(session=session)
    results = _compute(inputs)
    names = _names(inputs)
    existing = {
        (d.enrolment_id, d.block_id): d for d in BlockDecision.objects.filter(session=session)
    }
    now = clock.now()
    new_blocks: list[BlockDecision] = []
    changed_blocks: list[BlockDecision] = []
    for enrolment_id in inputs.enrolment_learner:
        result = results.get(enrolment_id)
        if result is None:
            continue
        for block in result.blocks:
            key = (enrolment_id, int(block.block.key))
            reasons = _named(block.reasons_json(), names)
            decision = existing.get(key)
            if decision is None:
                new_blocks.append(
                    BlockDecision(
                        session=session,
                        enrolment_id=enrolment_id,
                        block_id=key[1],
                        computed_status=block.status.value,
                        reasons=reasons,
                    )
                )
            else:
                decision.computed_status = block.status.value
                decision.reasons = reasons
                decision.version += 1
                decision.updated_at = now
                changed_blocks.append(decision)
    BlockDecision.objects.bulk_create(new_blocks, batch_size=1000)
    BlockDecision.objects.bulk_update(
        changed_blocks, ["computed_status", "reasons", "version", "updated_at"], batch_size=1000
    )
    certification_refresh(session=session, enrolment_ids=list(inputs.enrolment_learner))
    JurySession.objects.filter(pk=session.pk).update(deliberated_at=now)
    audit_record(
        action=Action.JURY_DELIBERATE,
        actor=actor,
        target=session,
        data={"learners": len(inputs.enrolment_learner)},
    )
    return len(inputs.enrolment_learner)


def certification_refresh(*, session: JurySession, enrolment_ids: Sequence[int]) -> None:
    """Recompute the certification decisions of these learners from their blocks' final
    statuses (computed or overridden); a certification override is kept beside it."""
    data = queries.version_data(version_id=session.version_id)
    specs = {s.key: s for s in data.structure.blocks}
    finals: dict[int, list[rules.BlockResult]] = {e: [] for e in enrolment_ids}
    for enrolment_id, block_id, computed, override in BlockDecision.objects.filter(
        session=session, enrolment_id__in=enrolment_ids
    ).values_list("enrolment_id", "block_id", "computed_status", "override_status"):
        spec = specs.get(block_id)
        if spec is not None:
            finals[enrolment_id].append(
                rules.BlockResult(spec, rules.BlockStatus(override or computed), (), ())
            )
    existing = {
        d.enrolment_id: d
        for d in CertificationDecision.objects.filter(
            session=session, enrolment_id__in=enrolment_ids
        )
    }
    now = clock.now()
    new, changed = [], []
    for enrolment_id, blocks in finals.items():
        order = {s.key: i for i, s in enumerate(data.structure.blocks)}
        blocks.sort(key=lambda b: order[b.block.key])
        result = rules.certification_decision(blocks, data.structure.rule)
        reasons = [r.as_dict() for r in result.reasons]
        codes = [data.block_codes[int(k)] for k in result.validated_blocks]
        decision = existing.get(enrolment_id)
        if decision is None:
            new.append(
                CertificationDecision(
                    session=session,
                    enrolment_id=enrolment_id,
                    computed_status=result.status.value,
                    reasons=reasons,
                    validated_blocks=codes,
                )
            )
        elif (decision.computed_status, decision.validated_blocks, decision.reasons) != (
            result.status.value,
            codes,
            reasons,
        ):
            decision.computed_status = result.status.value
            decision.reasons = reasons
            decision.validated_blocks = codes
            decision.version += 1
            decision.updated_at = now
            changed.append(decision)
    CertificationDecision.objects.bulk_create(new, batch_size=1000)
    CertificationDecision.objects.bulk_update(
        changed,
        ["computed_status", "reasons", "validated_blocks", "version", "updated_at"],
        batch_size=1000,
    )


@dataclass(frozen=True)
class WhatIf:
    """A hypothetical deliberation for one learner: block statuses now and with the change."""

    blocks: list[tuple[Block, str, str, list[dict[str, Any]]]]
    decision_now: str
    decision_then: str


def what_if(
    *,
    session: JurySession,
    enrolment: Enrolment,
    competency: Competency,
    grade: Decimal,
    actor: User,
) -> WhatIf:
    """ "If this competency's grade were ``grade``": the learner's statuses recomputed with a
    hypothetical piece of evidence that replaces her evidence on that competency. Nothing is
    saved."""
    _require_jury(actor, session)
    if not Decimal(0) <= grade <= Decimal(20):
        raise DomainError(_("A grade is between 0 and 20."), code="grade")
    if competency.block.version_id != session.version_id:
        raise DomainError(_("This competency is not in the session's version."), code="version")
    inputs = queries.deliberation_inputs(session=session, enrolment_ids=[enrolment.pk])
    if enrolment.pk not in inputs.enrolment_learner:
        raise DomainError(_("This learner is not in the session."), code="not_in_session")
    now = _compute(inputs)[enrolment.pk]
    rows = [r for r in inputs.evidence[enrolment.pk] if r.competency != competency.pk]
    rows.append(rules.Evidence(competency=competency.pk, assessment="what-if", grade=grade))
    inputs.evidence[enrolment.pk] = rows
    then = _compute(inputs)[enrolment.pk]
    names = _names(inputs)
    blocks = {b.pk: b for b in inputs.version.blocks}
    return WhatIf(
        [
            (
                blocks[int(a.block.key)],
                a.status.value,
                b.status.value,
                _named(b.reasons_json(), names),
            )
            for a, b in zip(now.blocks, then.blocks, strict=True)
        ],
        now.decision.status.value,
        then.decision.status.value,
    )


# --- overrides and corrections -------------------------------------------------------------

BLOCK_STATUSES = {s.value for s in BlockStatus}
CERTIFICATION_STATUSES = {s.value for s in CertificationStatus}


def _conflict_error(justification: str) -> DomainError:
    return DomainError(
        _(
            "Another jury member changed this decision while you were editing it; their change "
            "is kept. Reload the grid, check it, and submit again if needed. Your justification "
            "was: “%(justification)s”"
        )
        % {"justification": justification},
        code="conflict",
    )


@transaction.atomic
def decision_override(
    *,
    decision: BlockDecision | CertificationDecision,
    status: str,
    justification: str,
    expected_version: int,
    actor: User,
) -> BlockDecision | CertificationDecision:
    """Override a computed status with a mandatory written justification, kept beside the
    computed value (SPEC §6). The update is conditional on ``expected_version``: if another
    member changed the decision meanwhile, nothing is saved and a ``conflict`` error carries
    the caller's justification back (one wins, the other is told, nothing is lost). A block
    override recomputes the learner's certification decision."""
    justification = clean_text(justification)
    model = type(decision)
    allowed = BLOCK_STATUSES if isinstance(decision, BlockDecision) else CERTIFICATION_STATUSES
    if status not in allowed:
        raise DomainError(_("Unknown status."), code="status")
    if not justification:
        raise DomainError(
            _("An override needs a written justification."), code="justification_required"
        )
    session = _lock_open(decision.session)
    _require_jury(actor, session)
    now = clock.now()
    updated = model.objects.filter(pk=decision.pk, version=expected_version).update(
        override_status=None if status == decision.computed_status else status,
        justification=justification,
        overridden_by=actor,
        overridden_at=now,
        version=F("version") + 1,
        updated_at=now,
    )
    if updated == 0:
        raise _conflict_error(justification)
    fresh = model.objects.get(pk=decision.pk)
    model.history.bulk_history_create(  # type: ignore[attr-defined]
        [fresh], update=True, default_user=actor, default_change_reason=justification[:100]
    )
    audit_record(
        action=Action.JURY_DECISION_OVERRIDE,
        actor=actor,
        target=fresh,
        summary=f"{decision.computed_status} → {status}",
        data={"status": status, "justification": justification},
    )
    if isinstance(fresh, BlockDecision):
        certification_refresh(session=session, enrolment_ids=[fresh.enrolment_id])
    return fresh


@transaction.atomic(durable=True)
def decision_correct(
    *,
    old: BlockDecision,
    session: JurySession,
    status: str,
    justification: str,
    actor: User,
) -> BlockDecision:
    """Correct a decision of a closed session: a new decision in a later, open session that
    cites the old one (the frozen minutes are never touched). If this session already holds a
    decision on that block for the learner (deliberated), that decision becomes the correction:
    the corrected status overrides its computed value, which is kept beside. Only the
    president of ``session`` corrects."""
    _require_president(actor, session)
    justification = clean_text(justification)
    if status not in BLOCK_STATUSES:
        raise DomainError(_("Unknown status."), code="status")
    if not justification:
        raise DomainError(
            _("A correction needs a written justification."), code="justification_required"
        )
    if not old.session.is_closed:
        raise DomainError(
            _("Only a decision of a closed session is corrected; override it instead."),
            code="not_closed",
        )
    session = _lock_open(session)
    if (session.date, session.pk) <= (old.session.date, old.session_id):
        raise DomainError(_("A correction is decided by a later session."), code="not_later")
    JurySessionLearner.objects.get_or_create(session=session, enrolment_id=old.enrolment_id)
    new, created = BlockDecision.objects.get_or_create(
        session=session,
        enrolment_id=old.enrolment_id,
        block_id=old.block_id,
        defaults={
            "computed_status": old.status,
            "override_status": status if status != old.status else None,
            "justification": justification,
            "reasons": old.reasons,
            "overridden_by": actor,
            "overridden_at": clock.now(),
            "cites": old,
        },
    )
    if not created:
        # this session already deliberated the block: the correction overrides its decision
        # (computed value kept beside), unless that decision already cites one
        now = clock.now()
        updated = BlockDecision.objects.filter(pk=new.pk, cites__isnull=True).update(
            override_status=None if status == new.computed_status else status,
            justification=justification,
            overridden_by=actor,
            overridden_at=now,
            cites=old,
            version=F("version") + 1,
            updated_at=now,
        )
        if updated == 0:
            raise DomainError(
                _("This session already holds a decision on this block for this learner."),
                code="exists",
            )
        new = BlockDecision.objects.get(pk=new.pk)
        BlockDecision.history.bulk_history_create(  # type: ignore[attr-defined]
            [new], update=True, default_user=actor, default_change_reason=justification[:100]
        )
    audit_record(
        action=Action.JURY_DECISION_CORRECT,
        actor=actor,
        target=new,
        summary=f"cites {old.pk}: {old.status} → {status}",
        data={"cites": old.pk, "justification": justification},
    )
    if CertificationDecision.objects.filter(
        session=session, enrolment_id=old.enrolment_id
    ).exists():  # already deliberated here: her certification decision follows the correction
        certification_refresh(session=session, enrolment_ids=[old.enrolment_id])
    return new
