"""Writes on enrolment (SPEC §4). Every write is here, atomic, audited, and raises a translated
:class:`DomainError` on bad input (nothing is saved).

Decision: a work-study enrolment is created together with its contract, in the same service
and transaction (``contract=ContractInput(...)``): an admitted work-study candidate cannot be
enrolled without a valid contract, and a bad SIRET or a contract that does not fit the entry
year leaves both the application and the learner untouched. A 2-year contract signed on
entering MSc 1 carries over to the MSc 2 re-enrolment; otherwise the re-enrolment needs its
1-year contract the same way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role
from capitalis.accounts.services import account_invite, role_grant, user_create
from capitalis.admissions import rules as admission_rules
from capitalis.admissions.models import Application
from capitalis.admissions.queries import actors_for
from capitalis.admissions.services import application_transition
from capitalis.core import events
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.core.text import clean_text
from capitalis.enrolment import rules
from capitalis.enrolment.models import (
    ENROLMENT_STATUS_LABELS,
    Contract,
    CvecProof,
    Enrolment,
    EnrolmentTransition,
    Internship,
    Learner,
    PlacementMode,
)
from capitalis.programmes import queries as programme_queries
from capitalis.programmes import rules as programme_rules
from capitalis.programmes.models import Edition, Offering, ProgrammeYear, Track

# --- permissions --------------------------------------------------------------------------


def can_manage(*, user: User | None, campus_id: int) -> bool:
    """May ``user`` enrol, re-enrol and record contracts and internships on this campus? The
    programme director, an admissions officer or a campus coordinator of the campus, or a
    superuser. ``None`` is the system (demo, commands)."""
    if user is None:
        return True
    return permissions.can(user, "manage", "enrolment", campus=campus_id).ok


def _require_manager(actor: User | None, campus_id: int) -> None:
    if not can_manage(user=actor, campus_id=campus_id):
        raise DomainError(
            _("You are not allowed to manage enrolments on this campus."), code="forbidden"
        )


# --- messages for the rules' verdicts -----------------------------------------------------


def check_message(check: rules.Check) -> str:
    """A rule's verdict said in the user's language."""
    p = dict(check.params)
    for key in ("expected", "mode"):
        if key in p:
            p[f"{key}_label"] = str(PlacementMode(str(p[key])).label).lower()
    for key in ("year_start", "year_end", "start", "earliest"):
        value = p.get(key)
        if isinstance(value, dt.date):
            p[key] = date_format(value, "DATE_FORMAT")
    messages = {
        "siret_format": _("A SIRET has 14 digits (you typed %(length)s characters)."),
        "siret_checksum": _("This SIRET is not valid: its check digit does not match."),
        "ine_format": _("A national student number (INE) has 11 letters or digits."),
        "contract_dates": _("The contract must end after it starts."),
        "contract_year": _("This programme year does not exist."),
        "contract_too_short": _(
            "The contract lasts %(months)s months and %(days)s days: entering this year needs "
            "a %(years)s-year contract (at least %(minimum)s months)."
        ),
        "contract_too_long": _(
            "The contract lasts %(months)s months and %(days)s days: entering this year needs "
            "a %(years)s-year contract (at most %(maximum)s months)."
        ),
        "internship_dates": _("The internship must end after it starts."),
        "internship_too_short": _(
            "The internship lasts %(months)s months and %(days)s days: at least %(minimum)s "
            "months are required."
        ),
        "internship_too_long": _(
            "The internship lasts %(months)s months and %(days)s days: at most %(maximum)s "
            "months are allowed."
        ),
        "placement_no_rhythm": _(
            "This campus has no rhythm for the initial track: an alternating placement cannot "
            "be counted. Record a continuous internship of 4 to 6 months."
        ),
        "placement_mode": _(
            "On this campus the initial-track placement is %(expected_label)s, not %(mode_label)s."
        ),
        "placement_outside_year": _(
            "The placement must lie within the academic year, from %(year_start)s to %(year_end)s."
        ),
        "placement_too_early": _(
            "The internship starts on %(start)s, before %(earliest)s: on this campus courses "
            "run until then and the internship follows them."
        ),
        "placement_days_short": _(
            "%(days)s placement days between these dates on the campus calendar: at least "
            "%(minimum)s are required."
        ),
        "placement_days_long": _(
            "%(days)s placement days between these dates on the campus calendar: at most "
            "%(maximum)s are allowed (6 months)."
        ),
        "termination_before_start": _("A contract cannot end before it starts."),
        "termination_after_end": _(
            "An early termination must come before the contract's planned end."
        ),
        "reenrol_year": _("Re-enrolment goes from MSc 1 into MSc 2."),
        "reenrol_status": _("Only a running or completed MSc 1 enrolment can be continued."),
        "reenrol_edition": _("The next edition must start after the current one."),
    }
    template = messages.get(check.code)
    if template is None:
        return check.reason
    return template % p if "%(" in template else template


def _require(check: rules.Check) -> None:
    if not check.ok:
        raise DomainError(check_message(check), code=check.code)


def status_label(status: rules.EnrolmentStatus | str) -> str:
    return str(ENROLMENT_STATUS_LABELS[rules.EnrolmentStatus(status)])


# --- learners -----------------------------------------------------------------------------


def learner_ensure(*, user: User, actor: User | None) -> Learner:
    """The person's learner record, created with the learner role and an audit row the first
    time (an admitted candidate enrolling, a VAE candidate registered by the jury)."""
    learner = Learner.objects.filter(user=user).first()
    if learner is None:
        learner = Learner.objects.create(user=user)
        role_grant(user=user, role=Role.LEARNER, actor=actor)
        audit_record(action=Action.LEARNER_CREATE, actor=actor, target=learner, summary=user.email)
    return learner


@dataclass(frozen=True)
class LearnerIdentity:
    """The civil-status identity the holders' declaration to the national register needs
    (each may stay empty here; the declaration export names what is missing)."""

    birth_name: str = ""
    usage_name: str = ""
    first_names: str = ""
    sex: str = ""
    birth_place_code: str = ""
    birth_place_name: str = ""
    birth_country: str = ""


IDENTITY_FIELDS = tuple(LearnerIdentity.__dataclass_fields__)


@transaction.atomic
def learner_update(
    *,
    learner: Learner,
    national_student_number: str,
    date_of_birth: dt.date | None,
    actor: User | None,
    identity: LearnerIdentity | None = None,
) -> Learner:
    """Record a learner's national student number (INE, optional) and date of birth, and her
    civil-status identity when given."""
    ine = national_student_number.strip().upper()
    if ine:
        _require(rules.ine_valid(ine))
    learner.national_student_number = ine
    learner.date_of_birth = date_of_birth
    fields = ["national_student_number", "date_of_birth", "updated_at"]
    if identity is not None:
        code = identity.birth_place_code.strip().upper()
        if code and not (len(code) == 5 and code.isascii() and code.isalnum()):
            raise DomainError(
                _("The INSEE code of the place of birth has 5 characters (e.g. 69123)."),
                code="birth_place_code",
            )
        if identity.sex not in ("", "F", "M"):
            raise DomainError(_("Unknown sex."), code="sex")
        for name in IDENTITY_FIELDS:
            value = getattr(identity, name).strip()
            setattr(learner, name, code if name == "birth_place_code" else value)
        fields += IDENTITY_FIELDS
    learner.save(update_fields=fields)
    audit_record(action=Action.LEARNER_UPDATE, actor=actor, target=learner)
    return learner


# --- tutors -------------------------------------------------------------------------------


@transaction.atomic
def tutor_ensure(*, email: str, full_name: str, actor: User | None) -> User | None:
    """The tutor's user account, found by e-mail or created without a password; a new account
    gets the invitation e-mail whose link lets him choose one (accounts
    ``account_invite``), so he can sign in. None when no e-mail is given. The employer tutor
    role is granted when a contract or an internship names him."""
    address = email.strip().lower()
    if not address:
        return None
    found = User.objects.filter(email__iexact=address).first()
    if found is not None:
        return found
    tutor = user_create(email=address, full_name=full_name.strip(), actor=actor)
    account_invite(user=tutor, actor=actor)
    return tutor


# --- contracts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractInput:
    """A work-study contract as typed by staff; ``tutor`` (the employer tutor) is required,
    the services refuse a contract without him."""

    kind: str
    employer_name: str
    employer_siret: str
    start_date: dt.date
    end_date: dt.date
    opco_name: str = ""
    tutor: User | None = None
    # Or the tutor by e-mail (his account is found or created in the same transaction).
    tutor_email: str = ""
    tutor_name: str = ""


def _tutor_required_message() -> str:
    return _(
        "Name the employer tutor (maître d'apprentissage): a work-study contract "
        "cannot be recorded without him."
    )


def _running_contract(learner_id: int, on: dt.date) -> Contract | None:
    """The learner's contract still running on ``on`` (not terminated, not ended)."""
    return (
        Contract.objects.filter(
            enrolment__learner_id=learner_id,
            terminated_on__isnull=True,
            start_date__lte=on,
            end_date__gte=on,
        )
        .order_by("-start_date")
        .first()
    )


def _contract_create(enrolment: Enrolment, data: ContractInput, actor: User | None) -> Contract:
    if enrolment.track != Track.WORK_STUDY:
        raise DomainError(
            _("Only a work-study enrolment has a work-study contract."), code="not_work_study"
        )
    try:
        kind = rules.ContractKind(data.kind)
    except ValueError:
        raise DomainError(
            _("Choose an apprenticeship or a professionalisation contract."), code="kind"
        ) from None
    if not data.employer_name.strip():
        raise DomainError(_("Give the employer's name."), code="employer_required")
    if data.tutor is None and not data.tutor_email.strip():
        raise DomainError(_tutor_required_message(), code="contract_tutor_required")
    _require(rules.siret_valid(data.employer_siret))
    _require(rules.contract_fits(enrolment.year.position, data.start_date, data.end_date))
    overlapping = Contract.objects.filter(
        enrolment__learner_id=enrolment.learner_id,
        terminated_on__isnull=True,
        start_date__lte=data.end_date,
        end_date__gte=data.start_date,
    ).exists()
    if overlapping:
        raise DomainError(
            _(
                "This learner already has a contract running over these dates: terminate it "
                "before recording a new one."
            ),
            code="contract_overlap",
        )
    # the tutor's account, once the contract is known to be valid
    tutor = data.tutor or tutor_ensure(
        email=data.tutor_email, full_name=data.tutor_name, actor=actor
    )
    assert tutor is not None
    contract = Contract.objects.create(
        enrolment=enrolment,
        kind=kind.value,
        employer_name=data.employer_name.strip(),
        employer_siret=rules.normalise_siret(data.employer_siret),
        tutor=tutor,
        opco_name=data.opco_name.strip(),
        start_date=data.start_date,
        end_date=data.end_date,
    )
    role_grant(user=tutor, role=Role.EMPLOYER_TUTOR, actor=actor)
    audit_record(
        action=Action.CONTRACT_CREATE,
        actor=actor,
        target=contract,
        summary=str(contract),
        data={"enrolment": enrolment.pk, "siret": contract.employer_siret},
    )
    return contract


def _require_running(enrolment: Enrolment) -> None:
    if enrolment.status not in (
        rules.EnrolmentStatus.ENROLLED.value,
        rules.EnrolmentStatus.SUSPENDED.value,
    ):
        raise DomainError(
            _("This enrolment is %(status)s: nothing can be added to it.")
            % {"status": status_label(enrolment.status)},
            code="not_running",
        )


@transaction.atomic
def contract_create(
    *, enrolment: Enrolment, contract: ContractInput, actor: User | None
) -> Contract:
    """Record a work-study contract: SIRET checked, length fitting the entry year (SPEC §3:
    2 years entering MSc 1, 1 year entering MSc 2), no other running contract over its dates.
    The tutor gets the employer tutor role (he sees his apprentices only)."""
    _require_manager(actor, enrolment.campus_id)
    _require_running(enrolment)
    return _contract_create(enrolment, contract, actor)


@transaction.atomic
def contract_tutor_set(
    *, contract: Contract, tutor_email: str, tutor_name: str = "", actor: User | None
) -> Contract:
    """Name the employer tutor of a contract (one recorded before the tutor was required, or
    a change of tutor); his account is found or created, and he gets the employer tutor
    role."""
    _require_manager(actor, contract.enrolment.campus_id)
    tutor = tutor_ensure(email=tutor_email, full_name=tutor_name, actor=actor)
    if tutor is None:
        raise DomainError(_tutor_required_message(), code="contract_tutor_required")
    previous = contract.tutor_id
    contract.tutor = tutor
    contract.save(update_fields=["tutor", "updated_at"])
    role_grant(user=tutor, role=Role.EMPLOYER_TUTOR, actor=actor)
    audit_record(
        action=Action.CONTRACT_TUTOR_SET,
        actor=actor,
        target=contract,
        summary=tutor.email,
        data={"previous_tutor": previous, "tutor": tutor.pk},
    )
    return contract


@transaction.atomic
def contract_terminate(
    *, contract: Contract, terminated_on: dt.date, reason: str, actor: User | None
) -> Contract:
    """End a contract early, with its date and reason."""
    _require_manager(actor, contract.enrolment.campus_id)
    if contract.terminated_on is not None:
        raise DomainError(_("This contract has already been terminated."), code="terminated")
    reason = clean_text(reason)
    if not reason:
        raise DomainError(_("Give the reason for the termination."), code="reason_required")
    _require(rules.termination_fits(contract.start_date, contract.end_date, terminated_on))
    contract.terminated_on = terminated_on
    contract.termination_reason = reason
    contract.save(update_fields=["terminated_on", "termination_reason", "updated_at"])
    audit_record(
        action=Action.CONTRACT_TERMINATE,
        actor=actor,
        target=contract,
        summary=f"{terminated_on.isoformat()}",
        data={"reason": contract.termination_reason},
    )
    return contract


# --- internships --------------------------------------------------------------------------


@dataclass(frozen=True)
class InternshipInput:
    """An internship as typed by staff."""

    host_name: str
    start_date: dt.date
    end_date: dt.date
    host_siret: str = ""
    tutor_name: str = ""
    tutor_email: str = ""
    tutor: User | None = None
    agreement_signed_on: dt.date | None = None
    # None: the mode the campus rhythm expects (continuous in Paris, alternating in Lyon and
    # Bordeaux).
    mode: str | None = None


def placement_rhythm(enrolment: Enrolment) -> rules.PlacementRhythm | None:
    """What the campus rhythm of the enrolment's edition says of an initial-track placement
    (SPEC §2): continuous from the rhythm's internship start, or alternating on the campus
    calendar; None when the campus has no initial-track rhythm."""
    found = programme_queries.rhythm_year(
        edition=enrolment.edition, campus_id=enrolment.campus_id, track=Track.INITIAL
    )
    if found is None:
        return None
    rhythm, pattern, year = found
    continuous = isinstance(pattern, programme_rules.InternshipBlock)
    return rules.PlacementRhythm(
        mode=rules.PlacementMode.CONTINUOUS if continuous else rules.PlacementMode.ALTERNATING,
        calendar=year,
        earliest_start=pattern.start
        if isinstance(pattern, programme_rules.InternshipBlock)
        else None,
        rules=programme_rules.RhythmRules(min_company_days=rhythm.min_company_days),
    )


@transaction.atomic
def internship_create(
    *, enrolment: Enrolment, internship: InternshipInput, actor: User | None
) -> Internship:
    """Record the internship of an initial-track enrolment: host, tutor, dates, agreement
    signed. The placement follows the campus rhythm (SPEC §2, §4, ``rules.placement_fits``):
    one continuous internship of 4 to 6 months from March in Paris, alternating with school
    over the year in Lyon and Bordeaux; at least 110 placement days, counted on the campus
    calendar, either way."""
    _require_manager(actor, enrolment.campus_id)
    _require_running(enrolment)
    if enrolment.track != Track.INITIAL:
        raise DomainError(
            _("Only an initial-track enrolment has an internship."), code="not_initial"
        )
    data = internship
    if not data.host_name.strip():
        raise DomainError(_("Give the host organisation's name."), code="host_required")
    siret = rules.normalise_siret(data.host_siret)
    if siret:
        _require(rules.siret_valid(siret))
    if not (data.tutor or data.tutor_name.strip()):
        raise DomainError(_("Name the internship tutor."), code="tutor_required")
    rhythm = placement_rhythm(enrolment)
    if data.mode is None:
        mode = rhythm.mode if rhythm is not None else rules.PlacementMode.CONTINUOUS
    elif data.mode in {m.value for m in rules.PlacementMode}:
        mode = rules.PlacementMode(data.mode)
    else:
        raise DomainError(
            _("Unknown placement mode %(mode)s.") % {"mode": data.mode}, code="placement_mode"
        )
    check = rules.placement_fits(mode, data.start_date, data.end_date, rhythm)
    _require(check)
    days = check.params.get("days")
    row = Internship.objects.create(
        enrolment=enrolment,
        host_name=data.host_name.strip(),
        host_siret=siret,
        tutor_name=data.tutor_name.strip() or (data.tutor.full_name if data.tutor else ""),
        tutor_email=data.tutor_email.strip() or (data.tutor.email if data.tutor else ""),
        tutor=data.tutor,
        start_date=data.start_date,
        end_date=data.end_date,
        mode=mode.value,
        placement_days=days if isinstance(days, int) else None,
        agreement_signed_on=data.agreement_signed_on,
    )
    if data.tutor is not None:
        role_grant(user=data.tutor, role=Role.EMPLOYER_TUTOR, actor=actor)
    audit_record(action=Action.INTERNSHIP_CREATE, actor=actor, target=row, summary=str(row))
    return row


# --- enrolments ---------------------------------------------------------------------------


def _record_transition(
    enrolment: Enrolment, old: str, new: str, actor: User | None, note: str
) -> None:
    EnrolmentTransition.objects.create(
        enrolment=enrolment, from_status=old, to_status=new, by=actor, note=note
    )
    audit_record(
        action=Action.ENROLMENT_TRANSITION,
        actor=actor,
        target=enrolment,
        summary=f"{old} → {new}",
        data={"from": old, "to": new, "note": note},
    )


def _enrolment_begin(
    enrolment: Enrolment,
    *,
    actor: User | None,
    contract: ContractInput | None,
    note: str,
    reenrolment: bool,
    data: dict[str, Any],
) -> Enrolment:
    """A new enrolment begins (first enrolment or re-enrolment): reloaded with its year, campus
    and edition, its first status (enrolled) recorded, its contract created when given, and
    audited as a first enrolment or a re-enrolment; followers (finance: the enrolment's
    invoices) run once this is committed."""
    enrolment = Enrolment.objects.select_related("year", "campus", "edition").get(pk=enrolment.pk)
    _record_transition(enrolment, "", rules.EnrolmentStatus.ENROLLED.value, actor, note)
    if contract is not None:
        _contract_create(enrolment, contract, actor)
    audit_record(
        action=Action.ENROLMENT_REENROL if reenrolment else Action.ENROLMENT_CREATE,
        actor=actor,
        target=enrolment,
        summary=str(enrolment),
        data=data,
    )
    events.publish(events.ENROLMENT_CREATED, enrolment_id=enrolment.pk)
    return enrolment


@transaction.atomic
def enrolment_create_from_application(
    *,
    application: Application,
    actor: User | None,
    contract: ContractInput | None = None,
    note: str = "",
) -> Enrolment:
    """An admitted application becomes a learner (created, or reused for a returning person)
    and an enrolment for the edition's year, campus, track and specialisation; the application
    moves to *enrolled* through ``admissions.services.application_transition`` (a stale copy of
    the application is refused: nothing is saved). A work-study enrolment needs its contract,
    created here in the same transaction."""
    _require_manager(actor, application.campus_id)
    if application.status != admission_rules.Status.ADMITTED.value:
        raise DomainError(_("Only an admitted application can be enrolled."), code="not_admitted")
    if Enrolment.objects.filter(
        learner__user_id=application.candidate_id, edition_id=application.edition_id
    ).exists():
        raise DomainError(
            _("This person is already enrolled in this edition."), code="already_enrolled"
        )
    if application.track == Track.WORK_STUDY and contract is None:
        raise DomainError(
            _("A work-study enrolment needs its contract: fill in the contract."),
            code="contract_required",
        )
    if application.track == Track.INITIAL and contract is not None:
        raise DomainError(
            _("Only a work-study enrolment has a work-study contract."), code="not_work_study"
        )
    by_staff = actor is not None and admission_rules.Actor.ADMISSIONS in actors_for(
        user=actor, application=application
    )
    application_transition(
        application=application,
        target=admission_rules.Status.ENROLLED,
        actor_user=actor if by_staff else None,
        expected_version=application.version,
        note=note,
    )
    learner = learner_ensure(user=application.candidate, actor=actor)
    enrolment = Enrolment.objects.create(
        learner=learner,
        edition_id=application.edition_id,
        year_id=application.year_id,
        campus_id=application.campus_id,
        track=application.track,
        specialisation_id=application.specialisation_id,
        application=application,
    )
    return _enrolment_begin(
        enrolment,
        actor=actor,
        contract=contract,
        note=note,
        reenrolment=False,
        data={"application": application.pk},
    )


@transaction.atomic
def enrolment_transition(
    *, enrolment: Enrolment, target: rules.EnrolmentStatus | str, actor: User | None, note: str = ""
) -> Enrolment:
    """Move an enrolment along its table (enrolled ⇄ suspended, → withdrawn, → completed),
    recording who, when and why. The row is locked so two staff cannot move it at once."""
    _require_manager(actor, enrolment.campus_id)
    try:
        target_status = rules.EnrolmentStatus(target)
    except ValueError:
        raise DomainError(_("Unknown status."), code="not_in_table") from None
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    current = rules.EnrolmentStatus(locked.status)
    check = rules.can_move_enrolment(current, target_status)
    if not check.ok:
        raise DomainError(
            _("An enrolment cannot go from “%(current)s” to “%(target)s”.")
            % {"current": status_label(current), "target": status_label(target_status)},
            code="not_in_table",
        )
    locked.status = target_status.value
    locked.save(update_fields=["status", "updated_at"])
    _record_transition(locked, current.value, target_status.value, actor, note)
    if target_status is rules.EnrolmentStatus.WITHDRAWN:
        # followers (finance: the credit note) run once this is committed
        events.publish(events.ENROLMENT_WITHDRAWN, enrolment_id=locked.pk)
    enrolment.status = locked.status
    return locked


@transaction.atomic
def enrolment_reenrol(
    *,
    enrolment: Enrolment,
    edition: Edition,
    actor: User | None,
    track: str | None = None,
    contract: ContractInput | None = None,
) -> Enrolment:
    """Continue an MSc 1 enrolment into MSc 2 of a later edition (same campus and
    specialisation; the track may change, e.g. a mixed path: initial then work-study). The
    MSc 1 enrolment becomes completed. On work-study, a contract still running when the new
    edition starts carries over; otherwise ``contract`` (1 year) is required."""
    _require_manager(actor, enrolment.campus_id)
    current = (
        Enrolment.objects.select_for_update().select_related("year", "edition").get(pk=enrolment.pk)
    )
    next_year = _reenrolment_year(current, edition)
    new_track = track or current.track
    _check_reenrolment_offer(current, edition, next_year, new_track)
    _check_reenrolment_contract(current, edition, new_track, contract)
    if current.status != rules.EnrolmentStatus.COMPLETED.value:
        old = current.status
        current.status = rules.EnrolmentStatus.COMPLETED.value
        current.save(update_fields=["status", "updated_at"])
        _record_transition(current, old, current.status, actor, _("re-enrolled in MSc 2"))
        enrolment.status = current.status
    new = Enrolment.objects.create(
        learner_id=current.learner_id,
        edition=edition,
        year=next_year,
        campus_id=current.campus_id,
        track=new_track,
        specialisation_id=current.specialisation_id,
        previous=current,
    )
    return _enrolment_begin(
        new,
        actor=actor,
        contract=contract,
        note="",
        reenrolment=True,
        data={"previous": current.pk},
    )


def _reenrolment_year(current: Enrolment, edition: Edition) -> ProgrammeYear:
    """The programme year after the current one, when the re-enrolment rule allows moving
    into it in ``edition`` (a translated DomainError otherwise)."""
    next_year = ProgrammeYear.objects.filter(
        programme_id=current.year.programme_id, position=current.year.position + 1
    ).first()
    _require(
        rules.reenrolment_check(
            current_position=current.year.position,
            target_position=next_year.position if next_year else 0,
            current_status=rules.EnrolmentStatus(current.status),
            current_start=current.edition.start_date,
            target_start=edition.start_date,
        )
    )
    assert next_year is not None
    return next_year


def _check_reenrolment_offer(
    current: Enrolment, edition: Edition, next_year: ProgrammeYear, new_track: str
) -> None:
    """The next edition is of the same programme and offers the next year on the same campus,
    with this track and specialisation; the person is not already enrolled in it."""
    if edition.programme_id != current.edition.programme_id:
        raise DomainError(_("The next edition must be of the same programme."), code="programme")
    if new_track not in Track.values:
        raise DomainError(_("Unknown track."), code="track")
    offered = Offering.objects.filter(
        edition=edition, campus_id=current.campus_id, year=next_year, track=new_track
    )
    if current.specialisation_id is not None:
        offered = offered.filter(specialisation_id=current.specialisation_id)
    if not offered.exists():
        raise DomainError(
            _(
                "The %(edition)s edition does not offer this year, campus, track and "
                "specialisation together."
            )
            % {"edition": edition.label},
            code="not_offered",
        )
    if Enrolment.objects.filter(learner_id=current.learner_id, edition=edition).exists():
        raise DomainError(
            _("This person is already enrolled in this edition."), code="already_enrolled"
        )


def _check_reenrolment_contract(
    current: Enrolment, edition: Edition, new_track: str, contract: ContractInput | None
) -> None:
    """Work-study needs a contract running into the edition or a new one; another track, none."""
    if (
        new_track == Track.WORK_STUDY
        and contract is None
        and _running_contract(current.learner_id, edition.start_date) is None
    ):
        raise DomainError(
            _(
                "No contract runs into this edition: a work-study re-enrolment needs its "
                "1-year contract."
            ),
            code="contract_required",
        )
    if new_track != Track.WORK_STUDY and contract is not None:
        raise DomainError(
            _("Only a work-study enrolment has a work-study contract."), code="not_work_study"
        )


# --- CVEC ---------------------------------------------------------------------------------


@transaction.atomic
def cvec_record(
    *,
    learner: Learner,
    academic_year: str,
    certificate_number: str,
    recorded_on: dt.date,
    actor: User | None,
) -> CvecProof:
    """Record the learner's CVEC certificate for an academic year (paid to the state, only
    recorded here; SPEC §8). Recording it again for the same year replaces the number."""
    number = certificate_number.strip().upper()
    if not number:
        raise DomainError(_("Give the CVEC certificate number."), code="cvec_required")
    if not academic_year.strip():
        raise DomainError(_("Give the academic year."), code="year_required")
    if actor is not None and actor.pk != learner.user_id:
        campus_ids = set(learner.enrolments.values_list("campus_id", flat=True))
        if not any(can_manage(user=actor, campus_id=c) for c in campus_ids):
            raise DomainError(
                _("You are not allowed to manage enrolments on this campus."), code="forbidden"
            )
    proof, _created = CvecProof.objects.update_or_create(
        learner=learner,
        academic_year=academic_year.strip(),
        defaults={"certificate_number": number, "recorded_on": recorded_on},
    )
    audit_record(action=Action.CVEC_RECORD, actor=actor, target=proof, summary=academic_year)
    return proof
