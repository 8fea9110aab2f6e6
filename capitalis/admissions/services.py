"""Writes on admissions (SPEC §3). Every write is here, atomic, audited, and raises a translated
:class:`DomainError` on bad input (nothing is saved).

Sections: candidate accounts; applications (draft, degrees, fee); documents; the status machine
(``application_transition``, the single service that moves an application, used by every other
part); submission and eligibility. Interviews and the admission jury: ``jury.services``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from capitalis.accounts import permissions
from capitalis.accounts import queries as accounts_queries
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role
from capitalis.accounts.services import role_grant, user_create
from capitalis.admissions import rules
from capitalis.admissions.models import (
    STATUS_LABELS,
    Application,
    ApplicationDocument,
    ApplicationTransition,
    PriorDegree,
)
from capitalis.admissions.queries import actors_for, eligibility_rules_for
from capitalis.core import clock, events
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.core.text import clean_text
from capitalis.core.uploads import check_upload
from capitalis.programmes.models import Campus, Edition, Offering, ProgrammeYear, Specialisation

logger = logging.getLogger(__name__)

# --- candidate accounts -------------------------------------------------------------------


def password_check(*, email: str, full_name: str, password: str) -> None:
    """The password rules of settings.AUTH_PASSWORD_VALIDATORS (at least 12 characters, not
    like the e-mail address or the name, not common, not only digits), checked against the
    would-be user; a translated ``DomainError`` (code ``password``) lists what is wrong."""
    would_be = User(email=email.strip().lower(), full_name=full_name.strip())
    try:
        password_validation.validate_password(password, user=would_be)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="password") from error


@transaction.atomic
def candidate_signup(
    *, email: str, full_name: str, password: str, preferred_language: str = "fr"
) -> User:
    """A new candidate account: a user with the CANDIDATE role (the password follows the
    password rules; an address that has an account is refused with code ``exists`` — the
    public sign-up page goes through :func:`candidate_signup_request`, which does not tell)."""
    if preferred_language not in ("fr", "en"):
        raise DomainError(_("Choose French or English."), code="language")
    password_check(email=email, full_name=full_name, password=password)
    user = user_create(
        email=email.strip().lower(),
        full_name=full_name.strip(),
        password=password,
        preferred_language=preferred_language,
        email_verified=False,  # confirmed by the link of the confirmation e-mail
    )
    role_grant(user=user, role=Role.CANDIDATE, actor=user)
    audit_record(action=Action.CANDIDATE_SIGNUP, actor=user, target=user, summary=user.email)
    return user


@transaction.atomic
def candidate_signup_request(
    *, email: str, full_name: str, password: str, preferred_language: str = "fr"
) -> User | None:
    """The public sign-up, which never tells whether an address already has an account: a
    new address gets its candidate account and a welcome e-mail; an address that has one
    gets nothing created, nobody logged in, and its owner a notice e-mail. The caller shows
    the same outcome either way. Returns the new user, or None. Bad input (language,
    password) raises a translated ``DomainError`` and changes nothing."""
    if preferred_language not in ("fr", "en"):
        raise DomainError(_("Choose French or English."), code="language")
    password_check(email=email, full_name=full_name, password=password)
    address = email.strip().lower()
    user: User | None = None
    if not User.objects.filter(email__iexact=address).exists():
        try:
            with transaction.atomic():
                user = candidate_signup(
                    email=address,
                    full_name=full_name,
                    password=password,
                    preferred_language=preferred_language,
                )
        except DomainError as error:
            if error.code != "exists":
                raise
        except IntegrityError:  # created meanwhile by a concurrent sign-up
            user = None
    if user is not None:
        user_id = user.pk
        transaction.on_commit(lambda: signup_mail(user_id=user_id, new=True))
        return user
    make_password(password)  # as much work as a real sign-up: the timing does not tell either
    owner = User.objects.filter(email__iexact=address).first()
    if owner is not None:
        audit_record(
            action=Action.CANDIDATE_SIGNUP_EXISTING,
            target=owner,
            summary="sign-up attempted with an address that has an account",
        )
        owner_id = owner.pk
        transaction.on_commit(lambda: signup_mail(user_id=owner_id, new=False))
    return None


def signup_mail(*, user_id: int, new: bool) -> bool:
    """E-mail sent after a sign-up, in the person's language: a welcome for a new account, a
    notice to the owner when someone signed up with an address that has an account. A mail
    failure is logged; it does not undo anything."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    with translation.override(user.preferred_language or "fr"):
        if new:
            subject = _("Your candidate account is ready")
            body = _(
                "Hello,\n\nYour Capitalis candidate account is ready. Log in with this "
                "e-mail address and the password you chose to start your application.\n"
            )
        else:
            subject = _("Someone tried to create an account with your address")
            body = _(
                "Hello,\n\nSomeone (perhaps you) tried to create a Capitalis candidate "
                "account with this e-mail address, which already has an account. Nothing was "
                "changed. If it was you, log in with your e-mail address and password. If it "
                "was not you, you can ignore this message.\n"
            )
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:  # the account (or nothing) stands; the mail can be sent again
        logger.exception("sign-up mail for user %s not sent", user_id)
        return False
    return True


# --- applications -------------------------------------------------------------------------


def _check_target(
    *,
    edition: Edition,
    year: ProgrammeYear,
    campus: Campus,
    track: str,
    specialisation: Specialisation | None,
) -> None:
    """Only what the edition offers: year, campus, track and specialisation together."""
    offers = Offering.objects.filter(edition=edition, year=year, campus=campus, track=track)
    if specialisation is not None:
        offers = offers.filter(specialisation=specialisation)
    if not offers.exists():
        raise DomainError(
            _(
                "The %(edition)s edition does not offer this year, campus, track and "
                "specialisation together."
            )
            % {"edition": edition.label},
            code="not_offered",
        )


def _check_window(edition: Edition, today: dt.date | None) -> None:
    """Candidates apply only while the edition's application window is open (SPEC §3;
    ``rules.application_window``)."""
    day = today or clock.today()
    if not rules.applications_open(
        start_date=edition.start_date,
        opens_on=edition.applications_open_on,
        closes_on=edition.applications_close_on,
        today=day,
    ):
        first, last = rules.application_window(
            start_date=edition.start_date,
            opens_on=edition.applications_open_on,
            closes_on=edition.applications_close_on,
        )
        raise DomainError(
            _("Applications to the %(edition)s edition are open from %(first)s to %(last)s only.")
            % {
                "edition": edition.label,
                "first": formats.date_format(first, "SHORT_DATE_FORMAT"),
                "last": formats.date_format(last, "SHORT_DATE_FORMAT"),
            },
            code="applications_closed",
        )


def _require_candidate_draft(application: Application, actor_user: User) -> None:
    if application.candidate_id != actor_user.pk:
        raise DomainError(_("Only the candidate can change her application."), code="forbidden")
    if application.status != rules.Status.DRAFT:
        raise DomainError(
            _("This application has been submitted and can no longer be changed."),
            code="not_draft",
        )


@transaction.atomic
def application_create(
    *,
    candidate: User,
    edition: Edition,
    year: ProgrammeYear,
    campus: Campus,
    track: str,
    specialisation: Specialisation | None = None,
    english_level: str = "",
    accommodation_requested: bool = False,
    accommodation_details: str = "",
    today: dt.date | None = None,
) -> Application:
    """A draft application of ``candidate`` to what the edition offers, while its application
    window is open (``today``: the day the candidate applies, by default today; the demo
    replays applications made during the window)."""
    _check_window(edition, today)
    _check_target(
        edition=edition, year=year, campus=campus, track=track, specialisation=specialisation
    )
    _check_english(english_level)
    application = Application.objects.create(
        candidate=candidate,
        edition=edition,
        year=year,
        campus=campus,
        track=track,
        specialisation=specialisation,
        english_level=english_level,
        accommodation_requested=accommodation_requested,
        accommodation_details=accommodation_details.strip() if accommodation_requested else "",
    )
    audit_record(
        action=Action.APPLICATION_CREATE,
        actor=candidate,
        target=application,
        summary=str(application),
    )
    return application


def _check_english(level: str) -> None:
    if level and level not in rules.CEFR:
        raise DomainError(
            _("Choose an English level from A1 to C2."),
            code="english_level",
        )


class _Unset:
    """An argument not given: the draft keeps its value (a partial change, API PATCH)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@transaction.atomic
def application_update_draft(
    *,
    application: Application,
    actor_user: User,
    edition: Edition = UNSET,
    year: ProgrammeYear = UNSET,
    campus: Campus = UNSET,
    track: str = UNSET,
    specialisation: Specialisation | None = UNSET,
    english_level: str = UNSET,
    accommodation_requested: bool = UNSET,
    accommodation_details: str = UNSET,
    today: dt.date | None = None,
) -> Application:
    """Change a draft (the candidate only), while its edition's application window is open.
    Only the arguments given change; the prior degrees and documents are never touched here."""
    _require_candidate_draft(application, actor_user)
    given = {
        name: value
        for name, value in {
            "edition": edition,
            "year": year,
            "campus": campus,
            "track": track,
            "specialisation": specialisation,
            "english_level": english_level,
            "accommodation_requested": accommodation_requested,
            "accommodation_details": accommodation_details,
        }.items()
        if value is not UNSET
    }
    for name, value in given.items():
        setattr(application, name, value)
    _check_window(application.edition, today)
    _check_target(
        edition=application.edition,
        year=application.year,
        campus=application.campus,
        track=application.track,
        specialisation=application.specialisation,
    )
    _check_english(application.english_level)
    application.accommodation_details = (
        application.accommodation_details.strip() if application.accommodation_requested else ""
    )
    application.save()
    audit_record(
        action=Action.APPLICATION_UPDATE_DRAFT,
        actor=actor_user,
        target=application,
        summary=str(application),
        data={"changed": sorted(given)},
    )
    return application


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
    _require_candidate_draft(application, actor_user)
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
    _require_candidate_draft(application, actor_user)
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
    _require_candidate_draft(application, actor_user)
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
    _require_candidate_draft(application, actor_user)
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


@transaction.atomic
def application_fee_record(
    *,
    application: Application,
    actor_user: User | None,
    paid: bool,
    paid_on: dt.date | None = None,
    evidence: str = "",
) -> Application:
    """Record the 80 € application fee as paid (or not); no gateway. Admissions staff of the
    application's campus may record it, and so may finance staff (global or of that campus),
    e.g. when they record the payment of the application-fee invoice (``evidence`` names it).
    With no user (the system), only on evidence."""
    if actor_user is None:
        allowed = bool(evidence)
    else:
        allowed = permissions.can(actor_user, "record_fee", "application", application).ok
    if not allowed:
        raise DomainError(
            _("Only admissions or finance staff of this campus can record the application fee."),
            code="forbidden",
        )
    application.application_fee_paid = paid
    application.application_fee_paid_on = (paid_on or clock.today()) if paid else None
    application.save(
        update_fields=["application_fee_paid", "application_fee_paid_on", "updated_at"]
    )
    audit_record(
        action=Action.APPLICATION_FEE_RECORD,
        actor=actor_user,
        target=application,
        summary=("paid" if paid else "not paid") + (f" ({evidence})" if evidence else ""),
        data={"evidence": evidence} if evidence else {},
    )
    return application


# --- documents ----------------------------------------------------------------------------


@transaction.atomic
def document_add(
    *, application: Application, actor_user: User, kind: str, upload: IO[bytes], name: str
) -> ApplicationDocument:
    """Store a document of a draft through the storage API, after the checks of ``uploads``
    (≤ 10 MB, PDF/JPEG/PNG from the content); a new document replaces one of the same kind."""
    _require_candidate_draft(application, actor_user)
    if kind not in ApplicationDocument.Kind.values:
        raise DomainError(_("Unknown kind of document."), code="kind")
    checked = check_upload(upload, name)
    for old in application.documents.filter(kind=kind):
        old.file.delete(save=False)
        old.delete()
    document = ApplicationDocument(
        application=application,
        kind=kind,
        original_name=name[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    # FileField.save goes through default_storage (document_path gives a random-ish name).
    document.file.save(name, File(upload, name=name), save=False)
    document.save()
    audit_record(
        action=Action.DOCUMENT_ADD,
        actor=actor_user,
        target=document,
        summary=f"{kind} {checked.content_type} {checked.size} bytes",
        data={"sha256": checked.sha256, "application": application.pk},
    )
    return document


@transaction.atomic
def document_remove(*, document: ApplicationDocument, actor_user: User) -> None:
    _require_candidate_draft(document.application, actor_user)
    audit_record(
        action=Action.DOCUMENT_REMOVE,
        actor=actor_user,
        target=document,
        summary=document.kind,
    )
    document.file.delete(save=False)
    document.delete()


# --- the status machine -------------------------------------------------------------------


def _status_label(status: rules.Status) -> str:
    return str(STATUS_LABELS[status])


@transaction.atomic
def application_transition(
    *,
    application: Application,
    target: rules.Status | str,
    actor_user: User | None,
    expected_version: int,
    note: str = "",
    also_as: frozenset[rules.Actor] = frozenset(),
) -> Application:
    """Move ``application`` to ``target`` if the transition table allows it for the roles
    ``actor_user`` holds on it (None: the system), or for ``also_as``: a role the calling
    service has established for this one move (an interviewer of the file's slot records the
    interview as the jury would). The update is conditional on
    ``expected_version``: when someone else changed the file meanwhile, nothing is saved and a
    :class:`DomainError` (code ``conflict``) says so. Writes the transition (who, when, note) and
    an audit record; sets ``presented_on`` / ``decided_on``. Returns the fresh application."""
    try:
        target_status = rules.Status(target)
    except ValueError:
        raise DomainError(_("Unknown status."), code="not_in_table") from None
    row = Application.objects.filter(pk=application.pk).values_list("status", "version").first()
    if row is None:
        raise DomainError(_("This application no longer exists."), code="missing")
    current, version = rules.Status(row[0]), row[1]
    if version != expected_version:
        raise _conflict()
    if (current, target_status) not in rules.TRANSITIONS:
        raise DomainError(
            _("An application cannot go from “%(current)s” to “%(target)s”.")
            % {"current": _status_label(current), "target": _status_label(target_status)},
            code="not_in_table",
        )
    actors = actors_for(user=actor_user, application=application) | also_as
    if not any(rules.can_transition(current, target_status, a).ok for a in actors):
        raise DomainError(
            _("You are not allowed to move this application from “%(current)s” to “%(target)s”.")
            % {"current": _status_label(current), "target": _status_label(target_status)},
            code="not_authorised",
        )
    today = clock.today()
    changes: dict[str, Any] = {
        "status": target_status.value,
        "version": F("version") + 1,
        "updated_at": clock.now(),
    }
    if target_status is rules.Status.SUBMITTED:
        changes["submitted_at"] = clock.now()
    if target_status is rules.Status.PRESENTED:
        changes["presented_on"] = today
    if target_status in rules.DECISIONS:
        changes["decided_on"] = Coalesce(F("decided_on"), Value(today))
        if note:
            changes["decision_note"] = note
    if target_status is rules.Status.MANUAL_REVIEW:
        changes["manual_review_note"] = note
    updated = Application.objects.filter(
        pk=application.pk, version=expected_version, status=current.value
    ).update(**changes)
    if updated == 0:
        raise _conflict()
    fresh = Application.objects.get(pk=application.pk)
    Application.history.bulk_history_create(  # type: ignore[attr-defined]
        [fresh], update=True, default_user=actor_user, default_change_reason=note[:100]
    )
    ApplicationTransition.objects.create(
        application=fresh,
        from_status=current.value,
        to_status=target_status.value,
        by=actor_user,
        note=note,
    )
    audit_record(
        action=Action.APPLICATION_TRANSITION,
        actor=actor_user,
        target=fresh,
        summary=f"{current.value} → {target_status.value}",
        data={"from": current.value, "to": target_status.value, "note": note},
    )
    if target_status is rules.Status.SUBMITTED:
        # followers (finance: the application-fee invoice) run once this is committed
        events.publish(events.APPLICATION_SUBMITTED, application_id=fresh.pk)
    # keep the caller's object in step
    for name in (
        "status",
        "version",
        "submitted_at",
        "presented_on",
        "decided_on",
        "manual_review_note",
        "decision_note",
        "updated_at",
    ):
        setattr(application, name, getattr(fresh, name))
    return fresh


def _conflict() -> DomainError:
    return DomainError(
        _(
            "This application was changed by someone else meanwhile; nothing was saved. "
            "Reload it and decide again."
        ),
        code="conflict",
    )


@transaction.atomic
def application_send_to_manual_review(
    *, application: Application, actor_user: User, expected_version: int, note: str
) -> Application:
    """Admissions staff send a file (submitted or ineligible) to manual review, with a note
    (e.g. a foreign degree's equivalence to check)."""
    note = clean_text(note)
    if not note:
        raise DomainError(_("Say why the file needs a manual review."), code="note_required")
    return application_transition(
        application=application,
        target=rules.Status.MANUAL_REVIEW,
        actor_user=actor_user,
        expected_version=expected_version,
        note=note.strip(),
    )


# --- submission and eligibility -----------------------------------------------------------


PART_LABELS = {
    "title": gettext_lazy("the degree's title"),
    "level": gettext_lazy("the level"),
    "ects": gettext_lazy("the ECTS"),
    "field": gettext_lazy("the field"),
    "country": gettext_lazy("the country"),
}


def _missing_for_submission(application: Application) -> list[str]:
    missing: list[str] = []
    degrees = list(application.prior_degrees.order_by("id"))
    if not degrees:
        missing.append(_("at least one prior degree"))
    for n, degree in enumerate(degrees, start=1):
        parts = degree_missing(degree)
        if parts:
            missing.append(
                _("degree %(n)s: %(parts)s")
                % {"n": n, "parts": ", ".join(str(PART_LABELS[p]) for p in parts)}
            )
    if not application.english_level:
        missing.append(_("your English level"))
    kinds = set(application.documents.values_list("kind", flat=True))
    for kind, label in ApplicationDocument.Kind.choices:
        if kind not in kinds:
            missing.append(str(label))
    if application.accommodation_requested and not application.accommodation_details.strip():
        missing.append(_("the accommodation you need"))
    return missing


@transaction.atomic
def application_submit(
    *,
    application: Application,
    actor_user: User,
    expected_version: int,
    today: dt.date | None = None,
) -> Application:
    """The candidate submits a complete draft while the edition's window is open; the
    eligibility evaluation follows at once."""
    _require_candidate_draft(application, actor_user)
    _check_window(application.edition, today)
    accounts_queries.ensure_email_verified(user=application.candidate)
    missing = _missing_for_submission(application)
    if missing:
        raise DomainError(
            _("The application is not complete: %(missing)s.") % {"missing": ", ".join(missing)},
            code="incomplete",
        )
    application = application_transition(
        application=application,
        target=rules.Status.SUBMITTED,
        actor_user=actor_user,
        expected_version=expected_version,
    )
    return application_evaluate_eligibility(application=application)


def _candidate_facts(application: Application) -> rules.Candidate:
    return rules.Candidate(
        degrees=tuple(
            rules.Degree(
                level=d.level,
                ects=d.ects or 0,
                field=d.field,
                country=d.country,
                title=d.title,
                in_progress=d.in_progress,
            )
            for d in application.prior_degrees.all()
        ),
        english_level=application.english_level or None,
    )


@transaction.atomic
def application_evaluate_eligibility(*, application: Application) -> Application:
    """Evaluate the edition's rules for the year (``rules.evaluate_all``), store each outcome,
    and move a submitted file to eligible or ineligible as the system. An edition without rules
    leaves the file submitted, for admissions staff to review."""
    from capitalis.admissions.models import EligibilityRule

    rows = list(
        EligibilityRule.objects.filter(
            edition_id=application.edition_id, year_id=application.year_id
        ).order_by("position", "code")
    )
    plain = eligibility_rules_for(edition_id=application.edition_id, year_id=application.year_id)
    outcomes = rules.evaluate_all(plain, _candidate_facts(application))
    labels = {r.code: (r.label_fr, r.label_en) for r in rows}
    stored = [
        {
            "code": o.code,
            "kind": o.kind.value,
            "passed": o.passed,
            "conditional": o.conditional,
            "reason": o.reason,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in o.params.items()},
            "label_fr": labels.get(o.code, ("", ""))[0],
            "label_en": labels.get(o.code, ("", ""))[1],
        }
        for o in outcomes
    ]
    Application.objects.filter(pk=application.pk).update(eligibility=stored)
    application.eligibility = stored
    audit_record(
        action=Action.APPLICATION_EVALUATE_ELIGIBILITY,
        target=application,
        summary=", ".join(f"{o.code}:{'pass' if o.passed else 'fail'}" for o in outcomes),
        data={"outcomes": stored},
    )
    if not outcomes or application.status != rules.Status.SUBMITTED:
        return application
    return application_transition(
        application=application,
        target=rules.eligibility_status(outcomes),
        actor_user=None,
        expected_version=application.version,
        note=_("Eligibility evaluated on submission."),
    )
