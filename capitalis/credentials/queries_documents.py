"""Reads for the issued PDFs (SPEC §7): what each document says, loaded in a fixed number of
queries, as a template context and as the ``summary`` the public verification page shows.

The transcript's course grades and year outcome are the jury's (``jury.queries.year_results``,
the same figures the learner's blocks page shows): the assessment models have no course-grade
field, so a course's grade is the mean of its assessments' grades weighted by each assessment's
weight (an assessment's grade: the mean of its results; a resit replaces the first session; a
justified absence does not count, an unjustified one counts 0/20), and the year is validated by
``jury.rules.year_validation``. The transcript says so in a footnote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from capitalis.core.models import pick_language
from capitalis.enrolment.models import Enrolment
from capitalis.jury.models import (
    BlockDecision,
    BlockStatus,
    BlockValidation,
    CertificationDecision,
    CertificationStatus,
    JurySession,
    Route,
)
from capitalis.jury.queries import year_results
from capitalis.jury.rules import YearStatus
from capitalis.referential.models import (
    Block,
    Certification,
    CertificationCertifier,
    CertificationVersion,
)

_ZERO = Decimal(0)
_CENT = Decimal("0.01")


def kind_title(kind: str) -> str:
    """The printed title of a document kind, in the active language."""
    return {
        "certificate": _("Certificate"),
        "attestation": _("Attestation of validated competency blocks"),
        "transcript": _("Transcript of records"),
        "decision_letter": _("Notification of the jury's decision"),
    }[kind]


def kind_titles(kind: str) -> tuple[str, str]:
    """The printed title in French and in English (for the verification page)."""
    with translation.override("fr"):
        fr = kind_title(kind)
    with translation.override("en"):
        en = kind_title(kind)
    return fr, en


def decision_load(decision_id: int) -> CertificationDecision:
    """A certification decision with everything the documents print (one query)."""
    return CertificationDecision.objects.select_related(
        "session__version__certification",
        "session__president",
        "enrolment__learner__user",
        "enrolment__edition__programme",
        "enrolment__year",
    ).get(pk=decision_id)


def is_loaded(decision: CertificationDecision) -> bool:
    """Whether ``decision`` came from ``decision_load`` (its printed relations are cached), so a
    caller that loaded it need not load it again."""
    try:
        session = decision._state.fields_cache["session"]
        enrolment = decision._state.fields_cache["enrolment"]
        return (
            "president" in session._state.fields_cache
            and "certification" in session.version._state.fields_cache
            and "user" in enrolment.learner._state.fields_cache
            and "programme" in enrolment.edition._state.fields_cache
            and "year" in enrolment._state.fields_cache
        )
    except (KeyError, AttributeError):
        return False


def frozen_decision_for(enrolment: Enrolment) -> CertificationDecision | None:
    """The latest decision on this enrolment from a closed session (the one a transcript of
    that year rests on), or None."""
    return (
        CertificationDecision.objects.filter(enrolment=enrolment, session__status="closed")
        .select_related(
            "session__version__certification",
            "session__president",
            "enrolment__learner__user",
            "enrolment__edition__programme",
            "enrolment__year",
        )
        .order_by("-session__date", "-session_id")
        .first()
    )


def is_frozen(decision: CertificationDecision) -> bool:
    """Issued only from a frozen decision: its session closed, minutes signed and hashed."""
    session = decision.session
    return bool(session.is_closed and session.minutes_sha256)


def certifier_name(certification: Certification) -> str:
    """The certifier as the register names it (first listed), else the issuer setting."""
    link = (
        CertificationCertifier.objects.filter(certification=certification)
        .select_related("certifier")
        .order_by("position", "pk")
        .first()
    )
    if link is not None:
        return link.commercial_name or link.certifier.name
    return str(getattr(settings, "CREDENTIALS_ISSUER_NAME", "") or "")


def certifier_names(version_ids: set[int]) -> dict[int, str]:
    """The certifier's name (as :func:`certifier_name`) for each certification version id: the
    issuer a credential names is the one its PDF prints."""
    versions = CertificationVersion.objects.filter(pk__in=version_ids).select_related(
        "certification"
    )
    by_certification: dict[int, str] = {}
    names: dict[int, str] = {}
    for version in versions:
        cert = version.certification
        if cert.pk not in by_certification:
            by_certification[cert.pk] = certifier_name(cert)
        names[version.pk] = by_certification[cert.pk]
    return names


def _level(certification: Certification) -> str:
    return str(certification.eqf_level) if certification.eqf_level else ""


@dataclass
class BlockLine:
    """A block as a document prints it."""

    code: str
    title_fr: str
    title_en: str
    status: str = ""
    validated_on: date | None = None
    route: str = ""
    session_title: str = ""

    @property
    def title(self) -> str:
        return pick_language(self.title_fr, self.title_en)

    @property
    def status_label(self) -> str:
        return str(BlockStatus(self.status).label) if self.status else ""

    @property
    def route_label(self) -> str:
        return str(Route(self.route).label) if self.route else ""

    def as_summary(self) -> dict[str, str]:
        return {"code": self.code, "title_fr": self.title_fr, "title_en": self.title_en}


def decision_blocks(decision: CertificationDecision) -> list[BlockLine]:
    """Every block of the session's version with this learner's final status in the session
    and, for a validated block, the capitalised record (date, route, session): three queries."""
    session = decision.session
    blocks = list(
        Block.objects.filter(version_id=session.version_id)
        .order_by("position", "code")
        .only("code", "title_fr", "title_en")
    )
    statuses = {
        block_id: override or computed
        for block_id, computed, override in BlockDecision.objects.filter(
            session=session, enrolment_id=decision.enrolment_id
        ).values_list("block_id", "computed_status", "override_status")
    }
    validations = {
        block_id: (on, route, title or session.title)
        for block_id, on, route, title in BlockValidation.objects.filter(
            learner_id=decision.enrolment.learner_id, block__version_id=session.version_id
        ).values_list("block_id", "validated_on", "route", "session__title")
    }
    validated_codes = set(decision.validated_blocks or [])
    lines = []
    for b in blocks:
        status = statuses.get(b.pk, "")
        if b.code in validated_codes:
            status = BlockStatus.VALIDATED
        line = BlockLine(code=b.code, title_fr=b.title_fr, title_en=b.title_en, status=status)
        if status == BlockStatus.VALIDATED:
            on, route, title = validations.get(b.pk, (session.date, Route.TRAINING, session.title))
            line.validated_on, line.route, line.session_title = on, route, title
        lines.append(line)
    return lines


# --- transcript ----------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    """A figure as the active language writes it, without useless decimals (60, 7,5)."""
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return str(formats.number_format(value, use_l10n=True))


def _round(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass
class CourseLine:
    code: str
    title: str
    ects: Decimal
    grade: Decimal | None
    earned: Decimal


@dataclass
class YearBlock:
    edition: str
    year: str
    courses: list[CourseLine] = field(default_factory=list)
    ects_required: Decimal = Decimal(60)
    ects_earned: Decimal = _ZERO
    mean: Decimal | None = None
    status: str = ""

    @property
    def outcome(self) -> str:
        """The year's outcome as a sentence, in the active language."""
        params = {"earned": _number(self.ects_earned), "required": _number(self.ects_required)}
        if self.status == YearStatus.VALIDATED:
            return _("Year validated: %(earned)s ECTS earned of %(required)s required.") % params
        if self.status == YearStatus.INCOMPLETE:
            return (
                _("Year incomplete (grades missing): %(earned)s ECTS earned of %(required)s.")
                % params
            )
        return _("Year not validated: %(earned)s ECTS earned of %(required)s required.") % params

    @property
    def ects_total(self) -> Decimal:
        return sum((c.ects for c in self.courses), _ZERO)


def enrolment_chain(enrolment: Enrolment) -> list[Enrolment]:
    """The enrolment and the ones it continues (MSc 1 before MSc 2), oldest first."""
    chain = [enrolment]
    seen = {enrolment.pk}
    current = enrolment
    while current.previous_id is not None and current.previous_id not in seen:
        prev = Enrolment.objects.select_related("edition", "year").get(pk=current.previous_id)
        chain.append(prev)
        seen.add(prev.pk)
        current = prev
    return list(reversed(chain))


def transcript_years(enrolments: list[Enrolment]) -> list[YearBlock]:
    """Per enrolment (one academic year): its courses (common ones and its specialisation's)
    with the grade, ECTS and ECTS earned, and the year's outcome, as the jury computes them
    (``jury.queries.year_results``: three queries a year)."""
    years = []
    for e in enrolments:
        results = year_results(e)
        block = YearBlock(
            edition=e.edition.label,
            year=pick_language(e.year.title_fr, e.year.title_en),
            ects_required=results.ects_required,
            ects_earned=results.ects_earned,
            mean=_round(results.mean) if results.mean is not None else None,
            status=results.status,
        )
        for line in results.courses:
            c = line.course
            grade = _round(line.grade) if line.grade is not None else None
            block.courses.append(
                CourseLine(
                    c.code, pick_language(c.title_fr, c.title_en), c.ects, grade, line.ects_earned
                )
            )
        years.append(block)
    return years


# --- the documents -------------------------------------------------------------------------


@dataclass
class DocumentData:
    """What a document is about and what it prints (before its identifier is known)."""

    kind: str
    decision: CertificationDecision
    enrolment: Enrolment
    session: JurySession
    awarded_on: date
    context: dict[str, Any]
    summary: dict[str, Any]


def appeal_deadline(session: JurySession) -> date | None:
    """The last day to appeal: closing date + the session's appeal period (as the jury
    services check it)."""
    if session.closed_at is None:
        return None
    return timezone.localtime(session.closed_at).date() + timedelta(days=session.appeal_days)


def document_data(kind: str, decision: CertificationDecision, enrolment: Enrolment) -> DocumentData:
    """The context and summary of one document of ``kind`` for this decision (its enrolment,
    or the given enrolment for a transcript). Language-neutral: the template is rendered in
    the document's language; bilingual texts are passed in both languages."""
    session = decision.session
    certification = session.version.certification
    holder = enrolment.learner.user.get_full_name()
    blocks = decision_blocks(decision)
    validated = [b for b in blocks if b.status == BlockStatus.VALIDATED]
    title_fr, title_en = kind_titles(kind)
    context: dict[str, Any] = {
        "kind": kind,
        "certifier": certifier_name(certification),
        "certification": certification,
        "certification_title_fr": certification.title_fr,
        "certification_title_en": certification.title_en,
        "version": session.version,
        "level": _level(certification),
        "holder": holder,
        "session": session,
        "president": session.president.get_full_name(),
        "awarded_on": session.date,
        "decision": decision,
        "status": decision.status,
        "status_label": CertificationStatus(decision.status).label,
        "blocks": blocks,
        "validated_blocks": validated,
        "programme": enrolment.edition.programme,
        "appeal_deadline": appeal_deadline(session),
    }
    if kind == "transcript":
        context["years"] = transcript_years(enrolment_chain(enrolment))
    summary = {
        "holder": holder,
        "title_fr": certification.title_fr,
        "title_en": certification.title_en,
        "code": certification.code,
        "level": _level(certification),
        "blocks": [b.as_summary() for b in validated],
        "awarded_on": session.date.isoformat(),
        "session": session.title,
        "kind_label_fr": title_fr,
        "kind_label_en": title_en,
    }
    return DocumentData(kind, decision, enrolment, session, session.date, context, summary)
