"""Personal data (SPEC §10; issue 7 point 5): one person's data export on request, and the
retention rules that anonymise what no longer needs to be kept. Both recorded as a
:class:`PersonalDataRequest` with an audit event (no personal content in either summary).

Export: a zip with ``data.json`` (the user, learner, applications, enrolments, contracts,
internships, results, decisions, block validations, appeals, VAE, credentials' public ids,
issued documents, survey answers, invoices) and the person's uploaded and issued files.

Retention: the rules of ``data/reporting/retention.yaml`` (one per kind of record, with the legal
basis assumed). Anonymising means: names → "anonymised", e-mail → a unique placeholder, free
texts emptied (also in the history tables), uploaded files deleted (after commit). Certification
and block decisions, block validations, credentials, issued documents, award declarations, the
learner identity they need and invoices are never touched. Idempotent: each rule selects only
records that still hold something to erase, so a second run changes nothing."""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts import services as account_services
from capitalis.accounts.models import RoleAssignment, User
from capitalis.accounts.rules import Role
from capitalis.accounts.services import PLACEHOLDER_DOMAIN
from capitalis.admissions import services as admission_services
from capitalis.admissions.models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Interview,
    PriorDegree,
)
from capitalis.assessment.models import Result
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.data import (
    DataFileError,
    app_schema,
    check_document,
    check_unique,
    default_data_dir,
    mapping,
    mappings,
)
from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent, audit_record
from capitalis.credentials.models import Credential, IssuedDocument
from capitalis.enrolment.models import (
    Contract,
    CvecProof,
    Enrolment,
    EnrolmentTransition,
    Internship,
    Learner,
)
from capitalis.finance.models import Instalment, Invoice, InvoiceLine, Payment
from capitalis.jury.models import (
    Appeal,
    BlockDecision,
    BlockValidation,
    CertificationDecision,
    VaeBlockOutcome,
    VaeCandidate,
    VaeDocument,
    VaeDossier,
)
from capitalis.reporting.models import (
    DataRequestKind,
    PersonalDataRequest,
    SurveyAnswer,
    SurveyInvitation,
)

RETENTION_FILE = "reporting/retention.yaml"
RECORDS = (
    "applications",
    "application_documents",
    "interview_notes",
    "survey_answers",
    "survey_invitations",
)
APPLICATION_STATUSES = (
    "draft",
    "submitted",
    "eligible",
    "manual_review",
    "ineligible",
    "interview_scheduled",
    "interviewed",
    "presented",
    "admitted",
    "waitlisted",
    "refused",
    "withdrawn",
)  # never "enrolled": an enrolled learner's application is part of her record


# --- export ----------------------------------------------------------------------------------


def _row(obj: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every stored column of a row (foreign keys as ids, files as their stored name)."""
    skip = set(exclude)
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in skip or f.attname in skip:
            continue
        value = getattr(obj, f.attname)
        if isinstance(f, models.FileField):
            value = value.name if value else ""
        elif isinstance(value, bytes | memoryview):
            continue
        out[f.attname] = value
    return out


def _rows(qs: QuerySet[Any], **kwargs: Any) -> list[dict[str, Any]]:
    return [_row(obj, **kwargs) for obj in qs]


@dataclass
class Export:
    """The zip of one person's data, and the request recorded for it."""

    content: bytes
    filename: str
    request: PersonalDataRequest
    counts: dict[str, int] = field(default_factory=dict)


def person_data(*, subject: User) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """What Capitalis holds about ``subject`` (a set-based query per kind of record), and the
    files to join as (path in the zip, stored file)."""
    files: list[tuple[str, Any]] = []
    learner = Learner.objects.filter(user=subject).first()
    data: dict[str, Any] = {
        "format": "capitalis-personal-data/1",
        "generated_at": clock.now(),
        "user": _row(subject, exclude=("password",)),
        "roles": _rows(RoleAssignment.objects.filter(user=subject), exclude=("user",)),
        **_admissions_data(subject, files),
        **_studies_data(subject, learner),
        **_vae_data(learner, files),
        **_credentials_data(learner, files),
        **_surveys_data(learner),
        **_activity_data(subject),
        **_finance_data(subject),
    }
    return data, files


def _admissions_data(subject: User, files: list[tuple[str, Any]]) -> dict[str, Any]:
    """Her applications and what hangs on them; their uploaded documents join ``files``."""
    apps = list(Application.objects.filter(candidate=subject).order_by("pk"))
    app_ids = [a.pk for a in apps]
    docs = list(ApplicationDocument.objects.filter(application_id__in=app_ids).order_by("pk"))
    for doc in docs:
        if doc.file:
            files.append(
                (f"documents/applications/{doc.pk}-{Path(doc.original_name).name}", doc.file)
            )
    return {
        "applications": _rows(Application.objects.filter(pk__in=app_ids).order_by("pk")),
        "prior_degrees": _rows(PriorDegree.objects.filter(application_id__in=app_ids)),
        "application_documents": [_row(d) for d in docs],
        "application_transitions": _rows(
            ApplicationTransition.objects.filter(application_id__in=app_ids), exclude=("by",)
        ),
        "interviews": _rows(Interview.objects.filter(application_id__in=app_ids)),
    }


def _studies_data(subject: User, learner: Learner | None) -> dict[str, Any]:
    """Her learner record, enrolments, contracts, results, decisions and appeals."""
    data: dict[str, Any] = {"learner": _row(learner) if learner else None}
    enrolments = Enrolment.objects.filter(learner=learner) if learner else Enrolment.objects.none()
    enrolment_ids = list(enrolments.values_list("pk", flat=True))
    data["enrolments"] = _rows(enrolments.order_by("pk"))
    data["enrolment_transitions"] = _rows(
        EnrolmentTransition.objects.filter(enrolment_id__in=enrolment_ids), exclude=("by",)
    )
    data["contracts"] = _rows(Contract.objects.filter(enrolment_id__in=enrolment_ids))
    data["internships"] = _rows(Internship.objects.filter(enrolment_id__in=enrolment_ids))
    data["cvec_proofs"] = _rows(CvecProof.objects.filter(learner=learner)) if learner else []
    data["results"] = _rows(
        Result.objects.filter(enrolment_id__in=enrolment_ids).order_by("pk"), exclude=("author",)
    )
    data["block_decisions"] = _rows(
        BlockDecision.objects.filter(enrolment_id__in=enrolment_ids).order_by("pk"),
        exclude=("overridden_by",),
    )
    cert = CertificationDecision.objects.filter(enrolment_id__in=enrolment_ids).order_by("pk")
    data["certification_decisions"] = _rows(cert, exclude=("overridden_by",))
    data["block_validations"] = (
        _rows(BlockValidation.objects.filter(learner=learner)) if learner else []
    )
    data["appeals"] = _rows(
        Appeal.objects.filter(Q(decision__in=cert) | Q(lodged_by=subject)).distinct()
    )
    return data


def _vae_data(learner: Learner | None, files: list[tuple[str, Any]]) -> dict[str, Any]:
    """Her VAE candidacies and dossiers; the dossiers' documents join ``files``."""
    vae = VaeCandidate.objects.filter(learner=learner) if learner else VaeCandidate.objects.none()
    dossiers = VaeDossier.objects.filter(candidate__in=vae)
    vae_docs = list(VaeDocument.objects.filter(dossier__in=dossiers).order_by("pk"))
    for vdoc in vae_docs:
        if vdoc.file:
            files.append((f"documents/vae/{vdoc.pk}-{Path(str(vdoc.file.name)).name}", vdoc.file))
    return {
        "vae_candidates": _rows(vae),
        "vae_dossiers": _rows(dossiers),
        "vae_documents": [_row(d) for d in vae_docs],
        "vae_block_outcomes": _rows(
            VaeBlockOutcome.objects.filter(dossier__in=dossiers), exclude=("decided_by",)
        ),
    }


def _credentials_data(learner: Learner | None, files: list[tuple[str, Any]]) -> dict[str, Any]:
    """Her credentials' public ids and the documents issued to her; their PDFs join ``files``."""
    if learner:
        credentials = list(
            Credential.objects.filter(learner=learner)
            .order_by("pk")
            .values("public_id", "kind", "awarded_on", "issued_at", "revoked_at", "language")
        )
        issued = list(IssuedDocument.objects.filter(learner=learner).order_by("pk"))
    else:
        credentials, issued = [], []
    for d in issued:
        if d.pdf:
            files.append((f"documents/issued/{d.public_id}-{d.kind}.pdf", d.pdf))
    return {
        "credentials": credentials,
        "issued_documents": [
            {
                "public_id": d.public_id,
                "kind": d.kind,
                "awarded_on": d.awarded_on,
                "issued_at": d.issued_at,
                "language": d.language,
                "sha256": d.sha256,
                "revoked_at": d.revoked_at,
            }
            for d in issued
        ],
    }


def _surveys_data(learner: Learner | None) -> dict[str, Any]:
    """The surveys she was invited to and her answers."""
    invitations = SurveyInvitation.objects.filter(
        Q(learner=learner) if learner else Q(pk__in=[])
    ).select_related("survey")
    return {
        "survey_invitations": [
            {
                "survey": i.survey_id,
                "survey_kind": i.survey.kind,
                "survey_title": i.survey.title_fr,
                "email": i.email,
                "sent_at": i.sent_at,
                "reminders": i.reminders,
                "answered_at": i.answered_at,
            }
            for i in invitations
        ],
        "survey_answers": list(
            SurveyAnswer.objects.filter(invitation__in=invitations)
            .order_by("invitation_id", "pk")
            .values("invitation__survey_id", "question", "number", "text")
        ),
    }


def _activity_data(subject: User) -> dict[str, Any]:
    """What she did in Capitalis (the audit trail's own rows, without their data) and the
    contracts she tutors (the learner's identity is left out: it is someone else's data)."""
    return {
        "actions": list(
            AuditEvent.objects.filter(actor=subject)
            .order_by("at", "pk")
            .values("at", "action", "target_type", "target_id")
        ),
        "tutored_contracts": list(
            Contract.objects.filter(tutor=subject)
            .order_by("pk")
            .values("pk", "kind", "employer_name", "start_date", "end_date")
        ),
    }


def _finance_data(subject: User) -> dict[str, Any]:
    """Her invoices, their lines, instalments and payments."""
    invoices = Invoice.objects.filter(customer=subject).order_by("pk")
    return {
        "invoices": _rows(invoices),
        "invoice_lines": _rows(InvoiceLine.objects.filter(invoice__in=invoices)),
        "instalments": _rows(Instalment.objects.filter(invoice__in=invoices)),
        "payments": _rows(Payment.objects.filter(invoice__in=invoices), exclude=("recorded_by",)),
    }


def _zip(data: dict[str, Any], files: Sequence[tuple[str, Any]]) -> tuple[bytes, list[str]]:
    missing: list[str] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, stored in files:
            try:
                with default_storage.open(stored.name, "rb") as handle:
                    archive.writestr(name, handle.read())
            except (OSError, ValueError):
                missing.append(name)
        data["missing_files"] = missing
        archive.writestr(
            "data.json",
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
    return buffer.getvalue(), missing


@transaction.atomic
def personal_data_export(*, subject: User, actor: User | None, check_actor: bool = True) -> Export:
    """Export one person's data (the person herself, or a programme director on request):
    the zip is returned, not kept (a copy of personal data would be one more to protect); the
    request is recorded with the zip's SHA-256 and counts."""
    if check_actor and not (
        actor is not None
        and actor.is_authenticated
        and (actor.pk == subject.pk or permissions.can(actor, "manage", "personal_data_request").ok)
    ):
        raise DomainError(
            _("Only the person herself or a programme director may export personal data."),
            code="forbidden",
        )
    data, files = person_data(subject=subject)
    content, missing = _zip(data, files)
    counts = {k: len(v) for k, v in data.items() if isinstance(v, list) and k != "missing_files"}
    counts["files"] = len(files) - len(missing)
    digest = hashlib.sha256(content).hexdigest()
    request = PersonalDataRequest.objects.create(
        kind=DataRequestKind.EXPORT,
        subject=subject,
        requested_by=actor if actor is not None and actor.is_authenticated else None,
        completed_at=clock.now(),
        summary={"counts": counts, "sha256": digest, "size": len(content), "missing": len(missing)},
    )
    audit_record(
        action=Action.PERSONAL_DATA_EXPORT,
        actor=actor,
        target=request,
        summary=f"Personal data of user {subject.pk} exported ({counts['files']} file(s))",
        data={"subject": subject.pk, "sha256": digest},
    )
    stamp = clock.local_now().strftime("%Y%m%d-%H%M%S")
    return Export(content, f"personal-data-{subject.pk}-{stamp}.zip", request, counts)


# --- retention rules -------------------------------------------------------------------------

RETENTION_SCHEMA = app_schema(__file__, "retention")


@dataclass(frozen=True)
class RetentionRule:
    code: str
    records: str
    after_months: int
    statuses: tuple[str, ...]
    basis: str


def parse_retention(path: Path) -> list[RetentionRule]:
    """Read and validate the retention file (``schemas/retention.schema.json``, then the
    application statuses); every problem names its key path."""
    data, errors = check_document(path, RETENTION_SCHEMA)
    items = mappings(mapping(data).get("rules"))
    for i, rule in enumerate(items):
        for status in rule.get("statuses", []):
            if status not in APPLICATION_STATUSES:
                errors.append(
                    _("%(path)s: %(value)r is not an application status that may be anonymised")
                    % {"path": f"rules[{i}].statuses", "value": status}
                )
    check_unique([str(rule.get("code", "")) for rule in items], "rules", errors)
    if errors:
        raise DataFileError(path, errors)
    return [
        RetentionRule(
            code=str(rule["code"]),
            records=str(rule["records"]),
            after_months=int(rule["after_months"]),
            statuses=tuple(str(s) for s in rule.get("statuses", [])),
            basis=str(rule["basis"]),
        )
        for rule in items
    ]


def retention_rules(data_dir: Path | None = None) -> list[RetentionRule]:
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    return parse_retention(root / RETENTION_FILE)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    years, index = divmod(day.month - 1 - months, 12)
    year, month = day.year + years, index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _aged_applications(rule: RetentionRule, today: date) -> QuerySet[Application]:
    """Applications with one of the rule's statuses whose decision (or last change) is older
    than the rule's period; never one whose candidate enrolled through it."""
    cutoff = months_before(today, rule.after_months)
    return (
        Application.objects.filter(status__in=rule.statuses)
        .exclude(status="enrolled")
        .annotate(reference=Coalesce("decided_on", TruncDate("updated_at")))
        .filter(reference__lte=cutoff)
    )


def _anonymisable_users(user_ids: set[int], keep_application_ids: set[int]) -> list[int]:
    """Candidates who may be anonymised: no learner record, no staff role or other role than
    candidate, no invoice (accounting record), no other application kept, not done already."""
    if not user_ids:
        return []
    blocked: set[int] = set(
        Learner.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
    blocked |= set(
        Invoice.objects.filter(customer_id__in=user_ids).values_list("customer_id", flat=True)
    )
    blocked |= set(
        RoleAssignment.objects.filter(user_id__in=user_ids)
        .exclude(role=Role.CANDIDATE.value)
        .values_list("user_id", flat=True)
    )
    blocked |= set(
        Application.objects.filter(candidate_id__in=user_ids)
        .exclude(pk__in=keep_application_ids)
        .values_list("candidate_id", flat=True)
    )
    blocked |= set(
        User.objects.filter(pk__in=user_ids)
        .filter(
            Q(is_staff=True) | Q(is_superuser=True) | Q(email__endswith="@" + PLACEHOLDER_DOMAIN)
        )
        .values_list("pk", flat=True)
    )
    return sorted(user_ids - blocked)


def _apply_applications(
    rule: RetentionRule, today: date, counts: dict[str, int], actor: User | None
) -> None:
    aged = _aged_applications(rule, today)
    aged_ids = set(aged.values_list("pk", flat=True))
    changed = admission_services.applications_anonymise(application_ids=aged_ids, actor=actor)
    candidates = set(
        Application.objects.filter(pk__in=aged_ids).values_list("candidate_id", flat=True)
    )
    users = _anonymisable_users(candidates, aged_ids)
    account_services.users_anonymise(user_ids=users, actor=actor)
    anonymised = set(users)
    changed |= {
        pk
        for pk, candidate_id in Application.objects.filter(pk__in=aged_ids).values_list(
            "pk", "candidate_id"
        )
        if candidate_id in anonymised
    }
    counts[rule.code] = len(changed)
    counts[f"{rule.code}.people"] = len(users)


def _apply_documents(
    rule: RetentionRule, today: date, counts: dict[str, int], files: list[str], actor: User | None
) -> None:
    count, names = admission_services.application_documents_erase(
        application_ids=_aged_applications(rule, today).values("pk"), actor=actor
    )
    files.extend(names)
    counts[rule.code] = count


def _apply_interviews(
    rule: RetentionRule, today: date, counts: dict[str, int], actor: User | None
) -> None:
    counts[rule.code] = admission_services.interviews_anonymise(
        application_ids=_aged_applications(rule, today).values("pk"), actor=actor
    )


def _apply_survey_answers(rule: RetentionRule, today: date, counts: dict[str, int]) -> None:
    cutoff = months_before(today, rule.after_months)
    invitations = SurveyInvitation.objects.filter(
        survey__closes_on__lte=cutoff, answered_at__isnull=False
    )
    linked = invitations.filter(Q(learner__isnull=False) | ~Q(email=""))
    texts = SurveyAnswer.objects.filter(invitation__in=invitations).exclude(text="")
    ids = set(linked.values_list("pk", flat=True)) | set(
        texts.values_list("invitation_id", flat=True)
    )
    counts[rule.code] = len(ids)
    texts.update(text="")
    linked.update(learner=None, email="")


def _apply_survey_invitations(rule: RetentionRule, today: date, counts: dict[str, int]) -> None:
    cutoff = months_before(today, rule.after_months)
    linked = SurveyInvitation.objects.filter(
        survey__closes_on__lte=cutoff, answered_at__isnull=True
    ).filter(Q(learner__isnull=False) | ~Q(email=""))
    counts[rule.code] = linked.update(learner=None, email="")


@dataclass
class RetentionReport:
    today: date
    dry_run: bool
    counts: dict[str, int]
    files: list[str]
    request: PersonalDataRequest | None = None

    @property
    def changed(self) -> int:
        return sum(v for k, v in self.counts.items() if "." not in k)


class _DryRun(Exception):
    pass


def retention_apply(
    *,
    today: date | None = None,
    dry_run: bool = False,
    actor: User | None = None,
    rules: Sequence[RetentionRule] | None = None,
) -> RetentionReport:
    """Apply every retention rule as of ``today`` in one transaction; ``dry_run`` counts what
    would change and changes nothing. A run that changes something is recorded
    (PersonalDataRequest kind retention, counts only) and audited; files are deleted after
    commit."""
    today = today or clock.today()
    rules = list(rules) if rules is not None else retention_rules()
    counts: dict[str, int] = {}
    files: list[str] = []
    report = RetentionReport(today=today, dry_run=dry_run, counts=counts, files=files)
    try:
        with transaction.atomic():
            for rule in rules:
                if rule.records == "applications":
                    _apply_applications(rule, today, counts, actor)
                elif rule.records == "application_documents":
                    _apply_documents(rule, today, counts, files, actor)
                elif rule.records == "interview_notes":
                    _apply_interviews(rule, today, counts, actor)
                elif rule.records == "survey_answers":
                    _apply_survey_answers(rule, today, counts)
                elif rule.records == "survey_invitations":
                    _apply_survey_invitations(rule, today, counts)
            if dry_run:
                raise _DryRun
            if report.changed:
                summary = {"today": today.isoformat(), "counts": counts, "files": len(files)}
                report.request = PersonalDataRequest.objects.create(
                    kind=DataRequestKind.RETENTION,
                    requested_by=actor,
                    completed_at=clock.now(),
                    summary=summary,
                )
                audit_record(
                    action=Action.RETENTION_APPLY,
                    actor=actor,
                    target=report.request,
                    summary=f"Retention applied as of {today.isoformat()}: "
                    f"{report.changed} record(s) anonymised",
                    data=summary,
                )
    except _DryRun:
        pass
    return report
