"""VAE (validation of prior experience, SPEC §6): the candidate, the admissibility of her
experience, the dossier's documents mapped to blocks, the jury interview and the block-by-block
outcome (each validated block capitalised, route VAE)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role
from capitalis.accounts.services import role_grant, user_create
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.enrolment import services as enrolment_services
from capitalis.enrolment.models import Learner
from capitalis.jury.models import (
    Admissibility,
    BlockValidation,
    JurySession,
    Route,
    VaeBlockOutcome,
    VaeCandidate,
    VaeDocument,
    VaeDossier,
)
from capitalis.jury.services._common import _lock_open, _require_jury
from capitalis.referential.models import Block, CertificationVersion


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
        learner = enrolment_services.learner_ensure(user=user, actor=actor)
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
    audit_record(action=Action.VAE_CANDIDATE_CREATE, actor=actor, target=candidate)
    return candidate


@transaction.atomic
def vae_candidate_register(
    *,
    email: str,
    full_name: str,
    version: CertificationVersion,
    experience_summary: str,
    experience_years: int,
    actor: User | None,
) -> VaeCandidate:
    """Register a VAE candidate by e-mail: the account with that address, or a new one (the
    full name is then required) granted the VAE candidate role, in one transaction."""
    email = email.strip().lower()
    if "@" not in email:
        raise DomainError(_("Enter the candidate's e-mail address."), code="email")
    person = User.objects.filter(email__iexact=email).first()
    if person is None:
        if not full_name:
            raise DomainError(_("Enter the new candidate's full name."), code="name")
        person = user_create(email=email, full_name=full_name, actor=actor)
        role_grant(user=person, role=Role.VAE_CANDIDATE, actor=actor)
    return vae_candidate_create(
        user=person,
        version=version,
        experience_summary=experience_summary,
        experience_years=experience_years,
        actor=actor,
    )


@transaction.atomic(durable=True)
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
        action=Action.VAE_ADMISSIBILITY_DECIDE,
        actor=actor,
        target=candidate,
        data={"ok": admissible},
    )
    return candidate


@transaction.atomic(durable=True)
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
    audit_record(action=Action.VAE_DOCUMENT_ADD, actor=actor, target=document)
    return document


@transaction.atomic(durable=True)
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
    audit_record(action=Action.VAE_INTERVIEW_RECORD, actor=actor, target=dossier)
    return dossier


@transaction.atomic(durable=True)
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
        action=Action.VAE_OUTCOME_DECIDE,
        actor=actor,
        target=dossier,
        data={str(k): v[0] for k, v in outcomes.items()},
    )
    return validations
