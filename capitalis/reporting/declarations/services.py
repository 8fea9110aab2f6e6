"""Writes of the holders' declaration to the national register (SPEC §9, FORMATS.md §2):
export a flux for a certification and a period, import the processing report, send a rejected
award again once corrected.

Rules encoded here:
- an award is a "certified" decision of a closed jury session, not corrected by a later
  decision; its date is the session's date, due within three months;
- each award gets one ``AwardDeclaration`` with a stable ``id_technique`` (created once);
- awards sent (awaiting the report) or accepted are never declared again; a rejected one is
  declared again only after the "correct and send again" action put it back to "to declare";
- one learner is declared once per certification (her first certified decision);
- the flux is checked against the official XSD before it is written; an invalid flux, a learner
  whose identity misses what the XSD needs, or a period with nothing to declare writes nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.core import clock, site
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.credentials.models import Credential, CredentialKind
from capitalis.enrolment.models import Contract, Enrolment, Learner
from capitalis.jury.models import (
    BlockValidation,
    CertificationDecision,
    CertificationStatus,
    Route,
    SessionStatus,
)
from capitalis.referential.models import Certification
from capitalis.reporting.declarations import register
from capitalis.reporting.models import (
    AwardDeclaration,
    AwardStatus,
    DeclarationFlux,
    FluxStatus,
)

DUE_MONTHS = 3
MAX_REPORT_BYTES = 20 * 1024 * 1024


def due_date(awarded_on: date) -> date:
    """Declared within three months of the award (décret n° 2019-1490)."""
    return awarded_on + relativedelta(months=DUE_MONTHS)


def certified_decisions(*, certification: Certification) -> Q:
    """The awards of ``certification``: decisions whose status (override, else computed) is
    "certified", in a closed session, not corrected by a later decision."""
    certified = Q(override_status=CertificationStatus.CERTIFIED) | Q(
        override_status__isnull=True, computed_status=CertificationStatus.CERTIFIED
    )
    return (
        certified
        & Q(session__status=SessionStatus.CLOSED)
        & Q(session__version__certification=certification)
        & Q(corrections__isnull=True)
    )


def _field_label(name: str) -> str:
    return str(getattr(Learner._meta.get_field(name), "verbose_name", name))


def holder_of(learner: Learner) -> register.Holder:
    return register.Holder(
        birth_name=learner.birth_name,
        usage_name=learner.usage_name,
        first_names=register.split_first_names(learner.first_names),
        birth_date=learner.date_of_birth,
        sex=learner.sex,
        birth_place_code=learner.birth_place_code,
        birth_place_name=learner.birth_place_name,
        birth_country=learner.birth_country,
    )


def identity_error(learners: list[Learner]) -> DomainError | None:
    """One translated error naming every learner and the identity fields the register needs
    that she misses; None when every identity is complete."""
    lines = []
    for learner in learners:
        problems = register.identity_problems(holder_of(learner))
        if problems:
            fields = ", ".join(_field_label(name) for name in problems)
            lines.append(
                _("%(learner)s (learner no. %(id)s): %(fields)s")
                % {"learner": learner, "id": learner.pk, "fields": fields}
            )
    if not lines:
        return None
    return DomainError(
        _(
            "The identity of these learners misses what the national register needs; "
            "complete it on their record, then export again. Nothing was written. %(lines)s"
        )
        % {"lines": " · ".join(lines)},
        code="identity",
    )


@dataclass(frozen=True)
class ExportResult:
    flux: DeclarationFlux
    content: bytes
    declared: int


def _awards_to_declare(
    *, certification: Certification, date_from: date, date_to: date
) -> list[tuple[CertificationDecision, AwardDeclaration | None]]:
    """The awards of the period that may be declared now, oldest first: never declared, or
    put back to "to declare" after a rejection. One per learner."""
    decisions = list(
        CertificationDecision.objects.filter(
            certified_decisions(certification=certification),
            session__date__gte=date_from,
            session__date__lte=date_to,
        )
        .select_related(
            "session",
            "enrolment__learner__user",
            "enrolment__edition",
            "enrolment__specialisation",
            "enrolment__previous__edition",
        )
        .order_by("session__date", "session_id", "pk")
    )
    learner_ids = {d.enrolment.learner_id for d in decisions}
    existing = {
        a.decision_id: a
        for a in AwardDeclaration.objects.select_for_update().filter(
            decision__enrolment__learner_id__in=learner_ids,
            decision__session__version__certification=certification,
        )
    }
    # A learner already declared (any status) through another decision is not declared again.
    declared_learners = {
        d.enrolment.learner_id
        for d in CertificationDecision.objects.filter(pk__in=list(existing)).select_related(
            "enrolment"
        )
    }
    chosen: list[tuple[CertificationDecision, AwardDeclaration | None]] = []
    seen: set[int] = set()
    for decision in decisions:
        learner_id = decision.enrolment.learner_id
        if learner_id in seen:
            continue
        award = existing.get(decision.pk)
        if award is None:
            if learner_id in declared_learners:
                continue
        elif award.status != AwardStatus.TO_DECLARE:
            seen.add(learner_id)
            continue
        seen.add(learner_id)
        chosen.append((decision, award))
    return chosen


def _routes(decisions: list[CertificationDecision]) -> dict[int, tuple[str | None, str]]:
    """modaliteAcces and voieAccessVAE per decision, in three queries."""
    enrolment_ids: set[int] = set()
    for d in decisions:
        enrolment_ids.add(d.enrolment_id)
        if d.enrolment.previous_id:
            enrolment_ids.add(d.enrolment.previous_id)
    kinds: dict[int, str] = {}
    for enrolment_id, kind in (
        Contract.objects.filter(enrolment_id__in=enrolment_ids)
        .order_by("start_date", "pk")
        .values_list("enrolment_id", "kind")
    ):
        kinds[enrolment_id] = kind  # the latest contract of each enrolment
    validations: dict[tuple[int, int], set[str]] = {}
    for learner_id, version_id, route in BlockValidation.objects.filter(
        learner_id__in={d.enrolment.learner_id for d in decisions}
    ).values_list("learner_id", "version_id", "route"):
        validations.setdefault((learner_id, version_id), set()).add(route)
    out: dict[int, tuple[str | None, str]] = {}
    for d in decisions:
        e = d.enrolment
        contract_kind: str | None = kinds.get(e.pk)
        if contract_kind is None and e.previous_id:
            contract_kind = kinds.get(e.previous_id)
        routes = validations.get((e.learner_id, d.session.version_id), set())
        out[d.pk] = register.access_route(
            track=e.track, contract_kind=contract_kind, by_vae=routes == {Route.VAE.value}
        )
    return out


def _proof_urls(decisions: list[CertificationDecision]) -> dict[int, str]:
    """The verification URL of each decision's certification credential, when one is issued
    and neither revoked nor replaced."""
    base = site.base_url()
    rows = Credential.objects.filter(
        kind=CredentialKind.CERTIFICATION,
        certification_decision_id__in=[d.pk for d in decisions],
        revoked_at__isnull=True,
        replaced_by__isnull=True,
    ).values_list("certification_decision_id", "public_id")
    return {decision_id: f"{base}/verify/{public_id}/" for decision_id, public_id in rows}


def _registered_on(enrolment: Enrolment) -> date:
    first = enrolment.previous if enrolment.previous_id else enrolment
    assert first is not None
    return first.edition.start_date


@transaction.atomic
def declaration_export(
    *, certification: Certification, date_from: date, date_to: date, actor: User | None
) -> ExportResult:
    """Build, check against the XSD and store the flux of every award of ``certification``
    decided between ``date_from`` and ``date_to`` (inclusive) that may be declared now; mark
    those awards sent. Raises DomainError (nothing written) for an empty period, an incomplete
    identity or a flux the XSD refuses."""
    if date_from > date_to:
        raise DomainError(_("The period ends before it starts."), code="period")
    # One export at a time per certification (the row lock serialises concurrent exports).
    Certification.objects.select_for_update().filter(pk=certification.pk).first()
    chosen = _awards_to_declare(certification=certification, date_from=date_from, date_to=date_to)
    if not chosen:
        raise DomainError(
            _(
                "Nothing to declare for %(code)s between %(start)s and %(end)s: no certified "
                "holder decided in this period is waiting to be declared."
            )
            % {"code": certification.code, "start": date_from, "end": date_to},
            code="empty",
        )
    problem = identity_error([d.enrolment.learner for d, _a in chosen])
    if problem is not None:
        raise problem
    now = clock.now()
    awards = _award_rows(chosen)
    flux_id = str(uuid.uuid4())
    content = register.build_flux(
        register.Flux(
            flux_id=flux_id,
            timestamp=timezone.localtime(now),
            certifier=register.certifier_identity(),
            certification_type=certification.register,
            certification_code=certification.code,
            passages=_passages(chosen, awards),
        )
    )
    _check_schema(content)
    filename = f"{certification.code}-{timezone.localtime(now):%Y%m%d-%H%M%S}-{flux_id[:8]}.xml"
    flux = DeclarationFlux(
        certification=certification,
        period_from=date_from,
        period_to=date_to,
        generated_at=now,
        generated_by=actor if actor is not None and actor.is_authenticated else None,
        flux_id=flux_id,
        filename=filename,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    flux.file.save(filename, ContentFile(content), save=False)
    flux.save()
    _mark_sent(awards, flux=flux, now=now)
    audit_record(
        action=Action.DECLARATION_EXPORT,
        actor=actor,
        target=flux,
        summary=f"{certification.code} {date_from}–{date_to}: {len(awards)} holder(s)",
        data={
            "flux_id": flux_id,
            "sha256": flux.sha256,
            "awards": [a.id_technique for a in awards],
        },
    )
    return ExportResult(flux=flux, content=content, declared=len(awards))


def _award_rows(
    chosen: list[tuple[CertificationDecision, AwardDeclaration | None]],
) -> list[AwardDeclaration]:
    """The declaration row of each chosen award, created (with its stable ``id_technique`` and
    due date) for an award declared for the first time."""
    awards: list[AwardDeclaration] = []
    for decision, award in chosen:
        if award is None:
            award = AwardDeclaration.objects.create(
                decision=decision,
                id_technique=str(uuid.uuid4()),
                awarded_on=decision.session.date,
                due_on=due_date(decision.session.date),
            )
        awards.append(award)
    return awards


def _passages(
    chosen: list[tuple[CertificationDecision, AwardDeclaration | None]],
    awards: list[AwardDeclaration],
) -> list[register.Passage]:
    """One ``passageCertification`` per award: the holder, her access route and proof link."""
    decisions = [d for d, _a in chosen]
    routes = _routes(decisions)
    proofs = _proof_urls(decisions)
    passages = []
    for decision, award in zip(decisions, awards, strict=True):
        access, vae_route = routes[decision.pk]
        passages.append(
            register.Passage(
                id_technique=award.id_technique,
                awarded_on=award.awarded_on,
                holder=holder_of(decision.enrolment.learner),
                access=access,
                vae_route=vae_route,
                registered_on=_registered_on(decision.enrolment),
                option=(
                    decision.enrolment.specialisation.title_fr
                    if decision.enrolment.specialisation
                    else ""
                ),
                proof_url=proofs.get(decision.pk, ""),
            )
        )
    return passages


def _check_schema(content: bytes) -> None:
    """Refuse (DomainError, nothing written) a flux the register's XSD does not accept."""
    errors = register.validate(content)
    if errors:
        raise DomainError(
            _(
                "The declaration file does not pass the register's schema, so it was not "
                "written: %(errors)s"
            )
            % {"errors": " · ".join(errors[:20])},
            code="schema",
        )


def _mark_sent(awards: list[AwardDeclaration], *, flux: DeclarationFlux, now: datetime) -> None:
    """The awards declared in ``flux`` are sent (awaiting the processing report)."""
    for award in awards:
        award.status = AwardStatus.SENT
        award.flux = flux
        award.sent_at = now
        award.attempts += 1
    AwardDeclaration.objects.bulk_update(
        awards, ["status", "flux", "sent_at", "attempts", "updated_at"]
    )


@dataclass(frozen=True)
class ReportResult:
    flux: DeclarationFlux
    accepted: int
    rejected: int


def _mismatch(message: str) -> DomainError:
    return DomainError(
        _("This processing report does not match a declaration file we sent: %(why)s")
        % {"why": message},
        code="mismatch",
    )


@transaction.atomic
def declaration_report_import(*, content: bytes, filename: str, actor: User | None) -> ReportResult:
    """Read the register's processing report of one of our files: accepted passages become
    "accepted", rejected ones "rejected" with the register's message. A report that does not
    match a file we sent (unknown flux, an idTechnique that is not in that file, a report
    already imported) changes nothing."""
    if len(content) > MAX_REPORT_BYTES:
        raise DomainError(_("The file is larger than 20 MB."), code="file")
    try:
        report = register.parse_report(content)
    except register.ReportError as error:
        raise DomainError(
            _("This file is not a processing report of the national register (%(why)s).")
            % {"why": str(error)},
            code="file",
        ) from error
    flux = None
    if report.flux_id:
        flux = DeclarationFlux.objects.select_for_update().filter(flux_id=report.flux_id).first()
    if flux is None and report.file_name:
        flux = DeclarationFlux.objects.select_for_update().filter(filename=report.file_name).first()
    if flux is None:
        raise _mismatch(
            _("no file of ours has the identifier %(id)s.") % {"id": report.flux_id or "—"}
        )
    if flux.status == FluxStatus.REPORT_IMPORTED:
        raise _mismatch(_("the report of %(file)s was already imported.") % {"file": flux.filename})
    awards = {
        a.id_technique: a for a in AwardDeclaration.objects.select_for_update().filter(flux=flux)
    }
    mentioned = list(report.accepted) + [i for i, _m in report.rejected]
    unknown = sorted({i for i in mentioned if i not in awards})
    if unknown:
        raise _mismatch(
            _("%(file)s does not hold these passages: %(ids)s.")
            % {"file": flux.filename, "ids": ", ".join(unknown[:10])}
        )
    if len(set(mentioned)) != len(mentioned):
        raise _mismatch(_("a passage is listed twice."))
    not_sent = sorted(i for i in mentioned if awards[i].status != AwardStatus.SENT)
    if not_sent:
        raise _mismatch(
            _("these passages are not awaiting a report: %(ids)s.") % {"ids": ", ".join(not_sent)}
        )
    now = clock.now()
    changed = []
    for id_technique in report.accepted:
        award = awards[id_technique]
        award.status = AwardStatus.ACCEPTED
        award.answered_at = now
        award.error_message = ""
        changed.append(award)
    for id_technique, message in report.rejected:
        award = awards[id_technique]
        award.status = AwardStatus.REJECTED
        award.answered_at = now
        award.error_message = message
        changed.append(award)
    AwardDeclaration.objects.bulk_update(
        changed, ["status", "answered_at", "error_message", "updated_at"]
    )
    flux.status = FluxStatus.REPORT_IMPORTED
    flux.report_imported_at = now
    name = (filename or "report.xml").rsplit("/", 1)[-1][:100]
    flux.report_file.save(f"{flux.flux_id}-{name}", ContentFile(content), save=False)
    flux.save(update_fields=["status", "report_imported_at", "report_file", "updated_at"])
    audit_record(
        action=Action.DECLARATION_REPORT_IMPORT,
        actor=actor,
        target=flux,
        summary=(
            f"{flux.filename}: {len(report.accepted)} accepted, {len(report.rejected)} rejected"
        ),
        data={
            "processing_id": report.processing_id,
            "accepted": list(report.accepted),
            "rejected": [i for i, _m in report.rejected],
        },
    )
    return ReportResult(flux=flux, accepted=len(report.accepted), rejected=len(report.rejected))


@transaction.atomic
def award_declaration_resend(*, award: AwardDeclaration, actor: User | None) -> AwardDeclaration:
    """ "Correct and send again": a rejected award goes back to "to declare" (the next export of
    its period includes it), once the learner's identity is complete."""
    award = (
        AwardDeclaration.objects.select_for_update()
        .select_related("decision__enrolment__learner__user")
        .get(pk=award.pk)
    )
    if award.status != AwardStatus.REJECTED:
        raise DomainError(
            _("Only a declaration the register rejected can be sent again."), code="status"
        )
    problem = identity_error([award.decision.enrolment.learner])
    if problem is not None:
        raise problem
    award.status = AwardStatus.TO_DECLARE
    award.save(update_fields=["status", "updated_at"])
    audit_record(
        action=Action.AWARD_DECLARATION_RESEND,
        actor=actor,
        target=award,
        summary=award.id_technique,
        data={"previous_error": award.error_message, "attempts": award.attempts},
    )
    return award
