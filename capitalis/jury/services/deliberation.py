"""Writes on jury sessions (SPEC §6; issue 5 points 5, 6). Every write is here, atomic, audited,
and raises a translated :class:`DomainError` on bad input (nothing is saved).

Sections: sessions (create); deliberation (``deliberate``, ``decision_override``,
``decision_correct``); closing (``session_close`` with the minutes, ``minutes_verify``,
notifications); appeals; VAE.

Once a session is closed, every write on it is refused (``closed``); a correction is a new
decision in a later, open session that cites the old one.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.accounts.services import role_grant, role_revoke
from capitalis.core.exceptions import DomainError
from capitalis.core.models import Job, audit_record, audit_record_many
from capitalis.core.queries import job_existing
from capitalis.core.services import job_start
from capitalis.core.text import clean_text
from capitalis.core.uploads import check_upload
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.jury import imports, queries, rules
from capitalis.jury.models import (
    Admissibility,
    Appeal,
    AppealStatus,
    BlockDecision,
    BlockStatus,
    BlockValidation,
    CertificationDecision,
    CertificationStatus,
    JurySession,
    JurySessionLearner,
    Route,
    SessionStatus,
    VaeBlockOutcome,
    VaeCandidate,
    VaeDocument,
    VaeDossier,
)
from capitalis.referential.models import Block, CertificationVersion, Competency

logger = logging.getLogger(__name__)


# --- guards --------------------------------------------------------------------------------


def _closed_error() -> DomainError:
    return DomainError(
        _(
            "This jury session is closed and its minutes are frozen: nothing can change. "
            "A correction is a new decision in a later session citing this one."
        ),
        code="closed",
    )


def _lock_open(session: JurySession) -> JurySession:
    """The session row, locked for this transaction; refused if it is closed."""
    fresh = JurySession.objects.select_for_update().get(pk=session.pk)
    if fresh.status != SessionStatus.OPEN:
        raise _closed_error()
    return fresh


def is_jury_of(*, user: User | None, session: JurySession) -> bool:
    """Is ``user`` the president or a member of ``session``? (the session's own lists decide;
    the scoped role grants mirror them for the role pages)."""
    return permissions.can(user, "sit", "jury_session", session).ok


def _require_jury(user: User | None, session: JurySession) -> None:
    if not is_jury_of(user=user, session=session):
        raise DomainError(
            _("Only the president and members of this jury session may do this."),
            code="not_authorised",
        )


def _require_president(user: User | None, session: JurySession) -> None:
    if not permissions.can(user, "preside", "jury_session", session):
        raise DomainError(
            _("Only the president of this jury session may do this."), code="not_authorised"
        )


# --- sessions ------------------------------------------------------------------------------


def _require_director(actor: User | None) -> None:
    """Only a programme director (global) schedules and edits sessions; ``actor`` None is the
    system itself (a command, the demo)."""
    if actor is not None and not queries.is_director(actor):
        raise DomainError(
            _("Only a programme director may schedule or edit jury sessions."),
            code="not_authorised",
        )


def _check_message(check: rules.SessionCheck) -> str:
    """The reasons of a refused session check, in the user's language."""
    texts = {
        "president_is_member": _("The president cannot also be listed as a member."),
        "member_repeated": _("A member is listed twice."),
        "session_closed": _(
            "This jury session is closed and its minutes are frozen: nothing can change. "
            "A correction is a new decision in a later session citing this one."
        ),
        "move_needs_target": _("Choose the later open session the pending cases move to."),
    }
    out = []
    for reason in check.reasons:
        if reason.code == "before_date":
            out.append(
                _("This session is on %(date)s: it cannot be closed before that day.")
                % {"date": reason.params["date"]}
            )
        elif reason.code == "pending_undecided":
            out.append(
                _(
                    "This session holds %(vae)s undecided VAE case(s) and %(appeals)s "
                    "undecided appeal(s): decide them, move them to a later session, or "
                    "leave them pending explicitly."
                )
                % {"vae": reason.params["vae"], "appeals": reason.params["appeals"]}
            )
        else:
            out.append(texts.get(reason.code, reason.message))
    return " ".join(out)


def _refuse(check: rules.SessionCheck) -> None:
    if not check.ok:
        raise DomainError(_check_message(check), code=check.reasons[0].code)


def _check_plan(
    *,
    version: CertificationVersion,
    title: str,
    president: User,
    members: Sequence[User],
    appeal_days: int,
    filters: queries.ScopeFilters | None,
) -> None:
    """The checks shared by scheduling and editing a session (nothing is written)."""
    if not title.strip():
        raise DomainError(_("A jury session needs a title."), code="title")
    if appeal_days < 1:
        raise DomainError(_("The appeal period must be at least one day."), code="appeal_days")
    _refuse(rules.session_composition(president.pk, [m.pk for m in members]))
    if not president.is_active or any(not m.is_active for m in members):
        raise DomainError(_("A jury member's account is deactivated."), code="members")
    if filters is not None and filters.edition is not None:
        from capitalis.programmes.models import Edition

        if not Edition.objects.filter(
            pk=filters.edition, programme__certification_version=version
        ).exists():
            raise DomainError(
                _("This edition does not prepare the session's certification version."),
                code="edition",
            )
    if filters is not None and filters.campus is not None:
        from capitalis.programmes.models import Campus

        if not Campus.objects.filter(pk=filters.campus).exists():
            raise DomainError(_("Unknown campus."), code="campus")


def _grant_jury(
    session: JurySession,
    *,
    president: User,
    members: Sequence[User],
    old_president: User | None,
    old_members: Sequence[User],
    actor: User | None,
) -> None:
    """The session's role grants follow its lists: granted to who joins, withdrawn from who
    leaves (scoped to this session only)."""
    scope = {"scope": ScopeKind.JURY_SESSION, "scope_id": session.pk, "actor": actor}
    if old_president is not None and old_president.pk != president.pk:
        role_revoke(user=old_president, role=Role.JURY_PRESIDENT, **scope)  # type: ignore[arg-type]
    role_grant(user=president, role=Role.JURY_PRESIDENT, **scope)  # type: ignore[arg-type]
    keep = {m.pk for m in members}
    for old in old_members:
        if old.pk not in keep:
            role_revoke(user=old, role=Role.JURY_MEMBER, **scope)  # type: ignore[arg-type]
    for member in members:
        role_grant(user=member, role=Role.JURY_MEMBER, **scope)  # type: ignore[arg-type]


def _apply_scope(
    session: JurySession, filters: queries.ScopeFilters, *, creating: bool
) -> dict[str, list[int]]:
    """Set the session's learners, VAE dossiers and appeals to what ``filters`` select now
    (the preview the director saw, recomputed). A learner the session already decided on is
    not removed. Returns what changed, for the audit."""
    session_id = None if creating else session.pk
    wanted = set(
        queries.scope_enrolments(
            version_id=session.version_id, filters=filters, session_id=session_id
        ).values_list("pk", flat=True)
    )
    current = set(
        JurySessionLearner.objects.filter(session=session).values_list("enrolment_id", flat=True)
    )
    removed = current - wanted
    decided = set(
        BlockDecision.objects.filter(session=session, enrolment_id__in=removed).values_list(
            "enrolment_id", flat=True
        )
    ) | set(
        Appeal.objects.filter(decided_in=session, decision__enrolment_id__in=removed).values_list(
            "decision__enrolment_id", flat=True
        )
    )
    if decided:
        raise DomainError(
            _(
                "%(count)s learner(s) the session has already deliberated would leave it; "
                "widen the filters to keep them."
            )
            % {"count": len(decided)},
            code="has_decisions",
        )
    JurySessionLearner.objects.filter(session=session, enrolment_id__in=removed).delete()
    JurySessionLearner.objects.bulk_create(
        [JurySessionLearner(session=session, enrolment_id=e) for e in sorted(wanted - current)]
    )
    # VAE dossiers: those ready join (a new jury holds the interview); without the filter,
    # those not yet interviewed here leave
    ready = (
        set(
            queries.scope_vae_dossiers(
                version_id=session.version_id, session_id=session_id
            ).values_list("pk", flat=True)
        )
        if filters.vae
        else set()
    )
    held = set(VaeDossier.objects.filter(session=session).values_list("pk", flat=True))
    VaeDossier.objects.filter(pk__in=ready - held).update(
        session=session, interview_on=None, updated_at=timezone.now()
    )
    released = list(
        VaeDossier.objects.filter(session=session, interview_on__isnull=True, outcomes__isnull=True)
        .exclude(pk__in=ready)
        .values_list("pk", flat=True)
    )
    VaeDossier.objects.filter(pk__in=released).update(session=None, updated_at=timezone.now())
    appeals = (
        set(
            queries.scope_appeals(version_id=session.version_id, session_id=session_id).values_list(
                "pk", flat=True
            )
        )
        if filters.appeals
        else set()
    )
    Appeal.objects.filter(pk__in=appeals).update(scheduled_in=session, updated_at=timezone.now())
    Appeal.objects.filter(scheduled_in=session, status=AppealStatus.LODGED).exclude(
        pk__in=appeals
    ).update(scheduled_in=None, updated_at=timezone.now())
    return {
        "added": sorted(wanted - current),
        "removed": sorted(removed),
        "vae": sorted(ready),
        "vae_released": sorted(released),
        "appeals": sorted(appeals),
    }


@transaction.atomic
def session_create(
    *,
    version: CertificationVersion,
    date: date,
    title: str,
    president: User,
    members: Sequence[User] = (),
    enrolments: Iterable[Enrolment] = (),
    filters: queries.ScopeFilters | None = None,
    appeal_days: int = 30,
    actor: User | None = None,
) -> JurySession:
    """Schedule a jury session for ``version`` (programme director): its date, president and
    members (distinct people; the president gets JURY_PRESIDENT and each member JURY_MEMBER,
    scoped to the session), and its learners: chosen by ``filters`` (cohort, campus, new
    evidence, resits; VAE dossiers ready for a jury and appeals to decide, see
    ``queries.ScopeFilters``) or, for the system, given as ``enrolments``."""
    _require_director(actor)
    members = list(members)
    _check_plan(
        version=version,
        title=title,
        president=president,
        members=members,
        appeal_days=appeal_days,
        filters=filters,
    )
    session = JurySession.objects.create(
        version=version,
        date=date,
        title=title.strip(),
        president=president,
        appeal_days=appeal_days,
        edition_id=filters.edition if filters else None,
        campus_id=filters.campus if filters else None,
        scope=filters.as_dict() if filters else {},
    )
    session.members.set(members)
    changes: dict[str, list[int]] = {}
    if filters is not None:
        changes = _apply_scope(session, filters, creating=True)
    else:
        JurySessionLearner.objects.bulk_create(
            [JurySessionLearner(session=session, enrolment=e) for e in enrolments]
        )
    _grant_jury(
        session,
        president=president,
        members=members,
        old_president=None,
        old_members=(),
        actor=actor,
    )
    audit_record(
        action="jury_session_create",
        actor=actor,
        target=session,
        summary=title,
        data={
            "date": date.isoformat(),
            "president": president.pk,
            "members": [m.pk for m in members],
            "scope": session.scope,
            **changes,
        },
    )
    return session


@transaction.atomic
def session_update(
    *,
    session: JurySession,
    version: CertificationVersion,
    date: date,
    title: str,
    president: User,
    members: Sequence[User],
    filters: queries.ScopeFilters,
    appeal_days: int,
    actor: User | None,
) -> JurySession:
    """Edit an open session (programme director): every field as at scheduling; the role
    grants follow the president and members (withdrawn from who leaves), the learners follow
    the filters (a learner already deliberated cannot leave). The version changes only before
    any deliberation. Refused once the session is closed."""
    _require_director(actor)
    fresh = JurySession.objects.select_for_update().get(pk=session.pk)
    _refuse(rules.session_editable(closed=fresh.is_closed))
    members = list(members)
    _check_plan(
        version=version,
        title=title,
        president=president,
        members=members,
        appeal_days=appeal_days,
        filters=filters,
    )
    if version.pk != fresh.version_id and BlockDecision.objects.filter(session=fresh).exists():
        raise DomainError(
            _("The session has deliberated: its certification version can no longer change."),
            code="version",
        )
    old_president = fresh.president
    old_members = list(fresh.members.all())
    before = {
        "version": fresh.version_id,
        "date": fresh.date.isoformat(),
        "title": fresh.title,
        "president": fresh.president_id,
        "members": sorted(m.pk for m in old_members),
        "appeal_days": fresh.appeal_days,
        "scope": fresh.scope,
    }
    fresh.version = version
    fresh.date = date
    fresh.title = title.strip()
    fresh.president = president
    fresh.appeal_days = appeal_days
    fresh.edition_id = filters.edition
    fresh.campus_id = filters.campus
    fresh.scope = filters.as_dict()
    fresh.version_counter = F("version_counter") + 1
    fresh.save()
    fresh.refresh_from_db()
    fresh.members.set(members)
    changes = _apply_scope(fresh, filters, creating=False)
    _grant_jury(
        fresh,
        president=president,
        members=members,
        old_president=old_president,
        old_members=old_members,
        actor=actor,
    )
    audit_record(
        action="jury_session_update",
        actor=actor,
        target=fresh,
        summary=fresh.title,
        data={"before": before, "scope": fresh.scope, **changes},
    )
    return fresh


@transaction.atomic
def session_learners_add(
    *, session: JurySession, enrolments: Iterable[Enrolment], actor: User | None
) -> int:
    """Bring more learners into an open session; returns how many were added."""
    session = _lock_open(session)
    existing = set(
        JurySessionLearner.objects.filter(session=session).values_list("enrolment_id", flat=True)
    )
    rows = [
        JurySessionLearner(session=session, enrolment=e) for e in enrolments if e.pk not in existing
    ]
    JurySessionLearner.objects.bulk_create(rows)
    audit_record(
        action="jury_session_learners_add",
        actor=actor,
        target=session,
        data={"enrolments": [r.enrolment_id for r in rows]},
    )
    return len(rows)


# --- deliberation ---------------------------------------------------------------------------


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
    return rules.deliberate(
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
    now = timezone.now()
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
        action="jury_deliberate",
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
    now = timezone.now()
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
    now = timezone.now()
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
        action="jury_decision_override",
        actor=actor,
        target=fresh,
        summary=f"{decision.computed_status} → {status}",
        data={"status": status, "justification": justification},
    )
    if isinstance(fresh, BlockDecision):
        certification_refresh(session=session, enrolment_ids=[fresh.enrolment_id])
    return fresh


@transaction.atomic
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
            "overridden_at": timezone.now(),
            "cites": old,
        },
    )
    if not created:
        # this session already deliberated the block: the correction overrides its decision
        # (computed value kept beside), unless that decision already cites one
        now = timezone.now()
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
        action="jury_decision_correct",
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


# --- closing, minutes, verification ----------------------------------------------------------


def _close_refusals(
    *,
    session: JurySession,
    actor: User,
    today: date,
    pending: str,
    move_to: JurySession | None,
) -> tuple[rules.PendingChoice | None, queries.Pending]:
    """Raise the ``DomainError`` that refuses closing ``session`` now, if any; else the choice
    for its undecided cases and those cases."""
    _require_president(actor, session)
    if pending not in {"", *(c.value for c in rules.PendingChoice)}:
        raise DomainError(_("Unknown choice for the pending cases."), code="pending")
    choice = rules.PendingChoice(pending) if pending else None
    undecided = queries.session_pending(session=session)
    if (
        choice is rules.PendingChoice.MOVE
        and move_to is not None
        and not queries.later_open_sessions(session=session).filter(pk=move_to.pk).exists()
    ):
        raise DomainError(
            _("The pending cases can only move to a later open session of this version."),
            code="move_to",
        )
    _refuse(
        rules.session_closable(
            session_date=session.date,
            today=today,
            pending_vae=len(undecided.vae_dossiers),
            pending_appeals=len(undecided.appeals),
            choice=choice,
            has_target=move_to is not None,
        )
    )
    if not BlockDecision.objects.filter(session=session).exists():
        raise DomainError(
            _("Deliberate before closing: this session has no decision yet."),
            code="not_deliberated",
        )
    return choice, undecided


def session_close_check(
    *,
    session: JurySession,
    actor: User,
    today: date | None = None,
    pending: str = "",
    move_to: JurySession | None = None,
) -> None:
    """Raise the ``DomainError`` that ``session_close`` would raise now, writing nothing: the
    close page and API check this before starting the background job, so that a refusal is
    shown at the form. ``session_close`` checks again under its lock."""
    if session.is_closed:
        raise _closed_error()
    _close_refusals(
        session=session,
        actor=actor,
        today=today or timezone.localdate(),
        pending=pending,
        move_to=move_to,
    )


def session_close_start(
    *,
    session: JurySession,
    actor: User,
    pending: str = "",
    move_to: JurySession | None = None,
) -> Job:
    """Start closing the session as a background job (``session_close`` in the task; issue 13
    point 10) and return the job to follow. Asked again (a reload, a double click, a second
    tab) while it runs or once it closed the session, the same job is returned and nothing
    else happens. A refusal (not the president, before the date, pending cases without a
    choice…) is raised here, before any job starts."""
    from capitalis.jury.tasks import close_job_key, session_close_job

    _require_president(actor, session)
    key = close_job_key(session.pk)
    existing = job_existing(key=key, once=True)
    if existing is not None:
        return existing
    session_close_check(session=session, actor=actor, pending=pending, move_to=move_to)
    return job_start(
        kind="jury.session_close",
        key=key,
        user=actor,
        task=session_close_job,
        args=[session.pk, pending, move_to.pk if move_to is not None else None],
        title=_("Closing the jury session “%(title)s”") % {"title": session.title},
        total=1,
        once=True,
    )


@transaction.atomic
def session_close(
    *,
    session: JurySession,
    actor: User,
    today: date | None = None,
    pending: str = "",
    move_to: JurySession | None = None,
) -> JurySession:
    """Close the session (president only, not before its date: ``rules.session_closable``):
    the minutes (procès-verbal) are rendered as a PDF listing every decision, signed by the
    president (this recorded action), stored through the storage API and frozen by the SHA-256
    of their bytes. Validated blocks become capitalised ``BlockValidation`` rows (route
    training). Learners are notified after the commit.

    VAE dossiers and appeals the session holds undecided are never dropped silently: closing
    is refused unless ``pending`` says what becomes of them: ``move`` to ``move_to`` (a later
    open session of the version, whose jury then holds the interview or decides the appeal) or
    ``leave`` them pending (a VAE candidate stays visibly pending and can join a new session;
    an appeal waits for one). Either way the list is recorded in the minutes and the audit."""
    from capitalis.jury.minutes import minutes_pdf

    today = today or timezone.localdate()
    session = _lock_open(session)
    choice, undecided = _close_refusals(
        session=session, actor=actor, today=today, pending=pending, move_to=move_to
    )
    left = undecided.as_list()
    if undecided and choice is rules.PendingChoice.MOVE and move_to is not None:
        VaeDossier.objects.filter(pk__in=[d.pk for d in undecided.vae_dossiers]).update(
            session=move_to, interview_on=None, updated_at=timezone.now()
        )
        Appeal.objects.filter(pk__in=[a.pk for a in undecided.appeals]).update(
            scheduled_in=move_to, updated_at=timezone.now()
        )
        for item in left:
            item["moved_to"] = move_to.pk
    elif undecided:
        # left pending: the VAE dossier keeps this (closed) session as its last one, shown as
        # "closed without a decision"; the appeal waits for a later session
        Appeal.objects.filter(pk__in=[a.pk for a in undecided.appeals]).update(
            scheduled_in=None, updated_at=timezone.now()
        )
    session.pending_at_close = left
    now = timezone.now()
    session.status = SessionStatus.CLOSED
    session.closed_at = now
    session.signed_by = actor
    pdf = minutes_pdf(session=session, signed_by=actor, signed_at=now)
    digest = hashlib.sha256(pdf).hexdigest()
    session.minutes_pdf.save(
        f"minutes-{session.pk}-{digest[:12]}.pdf", ContentFile(pdf), save=False
    )
    session.minutes_sha256 = digest
    session.version_counter = F("version_counter") + 1
    session.save()
    session.refresh_from_db()
    _capitalise(session)
    audit_record(
        action="jury_session_sign",
        actor=actor,
        target=session,
        summary=_("Minutes signed by the president"),
        data={
            "sha256": digest,
            "signed_at": now.isoformat(),
            "pending": left,
            "pending_choice": pending,
        },
    )
    session_id = session.pk
    transaction.on_commit(lambda: session_notify(session_id=session_id))
    return session


def _capitalise(session: JurySession) -> None:
    """Record every block this session validated that the learner did not hold already."""
    rows = list(
        BlockDecision.objects.filter(session=session).values_list(
            "pk", "enrolment__learner_id", "block_id", "computed_status", "override_status"
        )
    )
    learner_ids = {r[1] for r in rows}
    held = set(
        BlockValidation.objects.filter(learner_id__in=learner_ids).values_list(
            "learner_id", "block_id"
        )
    )
    new = []
    for pk, learner_id, block_id, computed, override in rows:
        if (override or computed) != BlockStatus.VALIDATED or (learner_id, block_id) in held:
            continue
        held.add((learner_id, block_id))
        new.append(
            BlockValidation(
                learner_id=learner_id,
                block_id=block_id,
                version_id=session.version_id,
                validated_on=session.date,
                session=session,
                decision_id=pk,
                route=Route.TRAINING,
            )
        )
    BlockValidation.objects.bulk_create(new)


@dataclass(frozen=True)
class MinutesCheck:
    """The outcome of a minutes verification."""

    ok: bool
    stored: str
    computed: str
    message: str


def minutes_verify(*, session: JurySession) -> MinutesCheck:
    """Recompute the SHA-256 of the stored minutes and compare it with the frozen hash."""
    if not session.is_closed or not session.minutes_sha256 or not session.minutes_pdf:
        return MinutesCheck(False, "", "", _("This session has no frozen minutes yet."))
    try:
        with session.minutes_pdf.open("rb") as handle:
            computed = hashlib.sha256(handle.read()).hexdigest()
    except FileNotFoundError:
        return MinutesCheck(
            False, session.minutes_sha256, "", _("The minutes file is missing from storage.")
        )
    ok = computed == session.minutes_sha256
    message = (
        _("The minutes are intact: their hash matches the one frozen at closing.")
        if ok
        else _(
            "The minutes have been altered: their hash does not match the one frozen at closing."
        )
    )
    return MinutesCheck(ok, session.minutes_sha256, computed, message)


def _language(user: User) -> str:
    return (user.preferred_language or "fr")[:2] if user.preferred_language else "fr"


def session_notify(*, session_id: int) -> int:
    """E-mail each learner of the closed session their decision, in their language; returns
    how many messages were sent. A failed mail does not undo the decision."""
    decisions = CertificationDecision.objects.filter(
        session_id=session_id, notified_at__isnull=True
    ).select_related("enrolment__learner__user", "session")
    sent = 0
    for decision in decisions:
        user = decision.enrolment.learner.user
        with translation.override(_language(user)):
            label = str(CertificationStatus(decision.status).label)
            subject = _("Jury decision: %(title)s") % {"title": decision.session.title}
            body = "\n\n".join(
                [
                    _("Hello %(name)s,") % {"name": user.get_full_name()},
                    _("The jury “%(title)s” of %(date)s has decided: %(decision)s.")
                    % {
                        "title": decision.session.title,
                        "date": decision.session.date.isoformat(),
                        "decision": label,
                    },
                    _("Your blocks page shows each block with its reasons."),
                    _(
                        "You may lodge an appeal within %(days)s days from the closing of the "
                        "session."
                    )
                    % {"days": decision.session.appeal_days},
                ]
            )
        try:
            EmailMessage(subject=subject, body=body, to=[user.email]).send()
        except Exception:  # the decision stands; the mail can be sent again
            logger.exception("jury decision %s not notified", decision.pk)
            continue
        CertificationDecision.objects.filter(pk=decision.pk).update(notified_at=timezone.now())
        sent += 1
    return sent


# --- appeals -------------------------------------------------------------------------------


@transaction.atomic
def appeal_lodge(
    *, decision: CertificationDecision, reason: str, actor: User, today: date | None = None
) -> Appeal:
    """The learner appeals her decision, within the session's appeal period after closing."""
    today = today or timezone.localdate()
    reason = clean_text(reason)
    if decision.enrolment.learner.user_id != actor.pk:
        raise DomainError(_("Only the learner concerned may appeal."), code="not_authorised")
    session = decision.session
    if not session.is_closed or session.closed_at is None:
        raise DomainError(
            _("An appeal can be lodged only once the session is closed."), code="not_closed"
        )
    deadline = timezone.localtime(session.closed_at).date() + timedelta(days=session.appeal_days)
    if today > deadline:
        raise DomainError(
            _("The appeal period ended on %(date)s.") % {"date": deadline.isoformat()},
            code="too_late",
        )
    if not reason:
        raise DomainError(_("An appeal needs a reason."), code="reason_required")
    if Appeal.objects.filter(decision=decision, status=AppealStatus.LODGED).exists():
        raise DomainError(_("An appeal is already pending on this decision."), code="pending")
    appeal = Appeal.objects.create(
        decision=decision, lodged_on=today, lodged_by=actor, reason=reason
    )
    audit_record(action="jury_appeal_lodge", actor=actor, target=appeal)
    return appeal


@transaction.atomic
def appeal_decide(
    *, appeal: Appeal, session: JurySession, upheld: bool, note: str, actor: User
) -> Appeal:
    """A later, open session decides a pending appeal (upheld or rejected, with a note)."""
    session = _lock_open(session)
    _require_jury(actor, session)
    original = appeal.decision.session
    if (session.date, session.pk) <= (original.date, original.pk):
        raise DomainError(_("An appeal is decided by a later session."), code="not_later")
    if not note.strip():
        raise DomainError(_("The decision on an appeal needs a note."), code="note_required")
    updated = Appeal.objects.filter(pk=appeal.pk, status=AppealStatus.LODGED).update(
        status=AppealStatus.UPHELD if upheld else AppealStatus.REJECTED,
        decided_in=session,
        decision_note=note.strip(),
        updated_at=timezone.now(),
    )
    if updated == 0:
        raise DomainError(_("This appeal has already been decided."), code="conflict")
    JurySessionLearner.objects.get_or_create(
        session=session, enrolment_id=appeal.decision.enrolment_id
    )
    audit_record(action="jury_appeal_decide", actor=actor, target=appeal, data={"upheld": upheld})
    appeal.refresh_from_db()
    appeal_id = appeal.pk
    transaction.on_commit(lambda: appeal_notify(appeal_id=appeal_id))
    return appeal


def appeal_notify(*, appeal_id: int) -> bool:
    """E-mail the learner the outcome of her appeal (upheld or rejected, with the jury's note),
    in her language. Sent after the commit; a failed mail does not undo the decision (logged).
    Returns whether a message was sent."""
    appeal = (
        Appeal.objects.filter(pk=appeal_id)
        .exclude(status=AppealStatus.LODGED)
        .select_related("decision__session", "decision__enrolment__learner__user", "decided_in")
        .first()
    )
    if appeal is None or appeal.decided_in is None:
        return False
    user = appeal.decision.enrolment.learner.user
    original = appeal.decision.session
    with translation.override(_language(user)):
        outcome = str(AppealStatus(appeal.status).label)
        subject = _("Your appeal: %(outcome)s") % {"outcome": outcome}
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": user.get_full_name()},
                _(
                    "The jury “%(session)s” of %(date)s has decided your appeal against the "
                    "decision of the jury “%(original)s” of %(original_date)s: %(outcome)s."
                )
                % {
                    "session": appeal.decided_in.title,
                    "date": appeal.decided_in.date.isoformat(),
                    "original": original.title,
                    "original_date": original.date.isoformat(),
                    "outcome": outcome,
                },
                _("The jury's note: %(note)s") % {"note": appeal.decision_note},
                _("Your blocks page shows each block with its reasons."),
            ]
        )
    try:
        EmailMessage(subject=subject, body=body, to=[user.email]).send()
    except Exception:  # the decision stands; the mail can be sent again
        logger.exception("jury appeal %s not notified", appeal.pk)
        return False
    return True


# --- earlier validations ------------------------------------------------------------------


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
        audit_record(action="block_validation_record", actor=actor, target=validation)
    return validation


# --- VAE -----------------------------------------------------------------------------------


@transaction.atomic
def vae_candidate_create(
    *,
    learner: Learner | None = None,
    user: User | None = None,
    version: CertificationVersion,
    experience_summary: str,
    experience_years: int,
    actor: User | None,
) -> VaeCandidate:
    """Register a VAE candidate for ``version`` (admissibility pending): an existing learner,
    or a user who becomes one (a VAE candidate is a learner without an enrolment)."""
    if learner is None:
        if user is None:
            raise DomainError(_("Name the candidate."), code="candidate")
        learner = Learner.objects.filter(user=user).first() or Learner.objects.create(user=user)
    if VaeCandidate.objects.filter(learner=learner, version=version).exists():
        raise DomainError(
            _("This person is already a VAE candidate for this version."), code="exists"
        )
    candidate = VaeCandidate.objects.create(
        learner=learner,
        version=version,
        experience_summary=experience_summary,
        experience_years=experience_years,
    )
    audit_record(action="vae_candidate_create", actor=actor, target=candidate)
    return candidate


@transaction.atomic
def vae_admissibility_decide(
    *, candidate: VaeCandidate, admissible: bool, note: str, actor: User | None, today: date
) -> VaeCandidate:
    """Decide the admissibility of the candidate's experience (SPEC §6), once."""
    if candidate.admissibility != Admissibility.PENDING:
        raise DomainError(_("Admissibility has already been decided."), code="decided")
    candidate.admissibility = Admissibility.ADMISSIBLE if admissible else Admissibility.INADMISSIBLE
    candidate.admissibility_on = today
    candidate.admissibility_note = note
    candidate.save(update_fields=["admissibility", "admissibility_on", "admissibility_note"])
    if admissible:
        VaeDossier.objects.get_or_create(candidate=candidate)
    audit_record(
        action="vae_admissibility_decide", actor=actor, target=candidate, data={"ok": admissible}
    )
    return candidate


@transaction.atomic
def vae_document_add(
    *,
    dossier: VaeDossier,
    title: str,
    blocks: Sequence[Block],
    content: bytes | None = None,
    filename: str = "",
    actor: User | None,
) -> VaeDocument:
    """Add a document to the experience dossier, mapped to the blocks it evidences."""
    if not blocks:
        raise DomainError(_("Map the document to at least one block."), code="blocks")
    if any(b.version_id != dossier.candidate.version_id for b in blocks):
        raise DomainError(
            _("A document can only be mapped to blocks of the candidate's version."),
            code="blocks",
        )
    document = VaeDocument.objects.create(dossier=dossier, title=title)
    if content is not None:
        document.file.save(filename or "document.pdf", ContentFile(content))
    document.blocks.set(blocks)
    audit_record(action="vae_document_add", actor=actor, target=document)
    return document


@transaction.atomic
def vae_interview_record(
    *, dossier: VaeDossier, session: JurySession, on: date, note: str, actor: User
) -> VaeDossier:
    """Record the jury interview of the candidate, held by ``session`` (open)."""
    session = _lock_open(session)
    _require_jury(actor, session)
    if session.version_id != dossier.candidate.version_id:
        raise DomainError(_("This session is for another version."), code="version")
    dossier.session = session
    dossier.interview_on = on
    dossier.interview_note = note
    dossier.save(update_fields=["session", "interview_on", "interview_note", "updated_at"])
    audit_record(action="vae_interview_record", actor=actor, target=dossier)
    return dossier


@transaction.atomic
def vae_outcome_decide(
    *,
    dossier: VaeDossier,
    outcomes: dict[int, tuple[bool, str]],
    actor: User,
) -> list[BlockValidation]:
    """The interviewing session decides block by block (total or partial validation); each
    validated block is capitalised like training (BlockValidation, route VAE)."""
    if dossier.session is None or dossier.interview_on is None:
        raise DomainError(_("Record the jury interview first."), code="no_interview")
    session = _lock_open(dossier.session)
    _require_jury(actor, session)
    version_blocks = set(
        Block.objects.filter(version_id=dossier.candidate.version_id).values_list("pk", flat=True)
    )
    if not outcomes or any(b not in version_blocks for b in outcomes):
        raise DomainError(_("Decide on blocks of the candidate's version."), code="blocks")
    learner_id = dossier.candidate.learner_id
    held = set(
        BlockValidation.objects.filter(learner_id=learner_id).values_list("block_id", flat=True)
    )
    validations = []
    for block_id, (validated, justification) in outcomes.items():
        VaeBlockOutcome.objects.update_or_create(
            dossier=dossier,
            block_id=block_id,
            defaults={"validated": validated, "justification": justification, "decided_by": actor},
        )
        if validated and block_id not in held:
            validations.append(
                BlockValidation.objects.create(
                    learner_id=learner_id,
                    block_id=block_id,
                    version_id=dossier.candidate.version_id,
                    validated_on=session.date,
                    session=session,
                    route=Route.VAE,
                )
            )
    audit_record(
        action="vae_outcome_decide",
        actor=actor,
        target=dossier,
        data={str(k): v[0] for k, v in outcomes.items()},
    )
    return validations


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


@transaction.atomic
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
    today = today or timezone.localdate()
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
        action="jury.prior_validation_record",
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


@transaction.atomic
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
    today = today or timezone.localdate()
    rows = imports.read_rows(content, filename)
    report = imports.ImportReport(dry_run=dry_run, rows=len(rows))
    lookup = queries.prior_lookup(
        learner_keys=[r.learner for r in rows],
        certification_codes=[r.certification for r in rows],
    )
    accepted: list[tuple[rules.PriorClaim, queries.PriorBlock]] = []
    first: dict[tuple[Any, Any], int] = {}
    for row in rows:
        row = imports.PriorRow(
            line=row.line,
            learner=row.learner,
            certification=row.certification,
            version=row.version,
            block=row.block,
            date=row.date,
            route=row.route,
            source=clean_text(row.source),
            extra=row.extra,
        )
        claim, block = _prior_claim(row, lookup)
        reasons = list(rules.prior_validation_check(claim, today=today))
        if row.extra:
            reasons.append(rules.Reason("columns"))
        if claim.learner is not None and claim.block is not None:
            earlier = first.setdefault((claim.learner, claim.block), row.line)
            if earlier != row.line:
                reasons.append(rules.Reason("duplicate", {"first": earlier}))
        if reasons:
            report.errors.append(imports.RowError(row.line, tuple(reasons)))
        elif block is not None:
            accepted.append((claim, block))
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
        action="jury.prior_validation_record",
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
