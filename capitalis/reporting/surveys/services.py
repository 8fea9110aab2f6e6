"""Writes on surveys (SPEC §9; issue 7 point 2): create a survey from a shipped questionnaire,
invite its recipients, e-mail personal links, remind those who have not answered, record an
answer given through a personal link. Atomic, audited, translated :class:`DomainError` on bad
input (nothing saved).

Personal links: the token is derived, not drawn: an HMAC-SHA256 keyed by the site's secret
(``salted_hmac``, its own salt) of the invitation's id and the instant it was created (a stored,
never-changing nonce), 43 URL-safe characters. Only its SHA-256 is stored, for the lookup; the
token itself is never stored and cannot be computed without the secret key. So a reminder carries
the same link as the invitation and the link of an earlier e-mail keeps working. When the secret
key is rotated (the old one kept in ``SECRET_KEY_FALLBACKS``) the link mailed earlier is found
again from the fallback keys; without the old key a reminder issues the new key's link and says it
replaces the previous one (the only case where an earlier link stops working).

Answer validation (:func:`validate_answers`) is a pure function over the questions and the raw
values; its messages are translated in the active language (the respondent's)."""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.core import clock, site
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record, pick_language
from capitalis.programmes.models import Edition
from capitalis.reporting.models import Survey, SurveyAnswer, SurveyInvitation, SurveyKind
from capitalis.reporting.surveys import queries, rules
from capitalis.reporting.surveys.data import questionnaire

logger = logging.getLogger(__name__)

TEXT_MAX = 2000
YES = ("yes", "1", "true", "oui")
NO = ("no", "0", "false", "non")


def max_reminders() -> int:
    """At most this many reminders per invitation (setting ``SURVEY_MAX_REMINDERS``, 2)."""
    return int(getattr(settings, "SURVEY_MAX_REMINDERS", 2))


def reminder_days() -> int:
    """No reminder sooner than this many days after the last mail (``SURVEY_REMINDER_DAYS``, 7)."""
    return int(getattr(settings, "SURVEY_REMINDER_DAYS", 7))


# --- answer validation (pure) ----------------------------------------------------------------


class AnswerErrors(DomainError):
    """Answers refused: one translated message per question code (``errors``)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Some answers need your attention."), code="invalid")
        self.errors = errors

    def as_body(self) -> dict[str, Any]:
        return {**super().as_body(), "errors": self.errors}


@dataclass(frozen=True)
class CleanAnswer:
    question: str
    number: int | None
    text: str


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _yes_no(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and value in (0, 1):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in YES:
            return 1
        if word in NO:
            return 0
    return None


def validate_answers(
    questions: Sequence[Mapping[str, Any]], raw: Mapping[str, Any]
) -> tuple[list[CleanAnswer], dict[str, str]]:
    """Check each answer against its question (scale within min..max, yes/no, one of the
    choices, text length, required); return the clean answers and the errors by question code.
    Unknown question codes are errors too. Optional questions left blank are not stored."""
    errors: dict[str, str] = {}
    clean: list[CleanAnswer] = []
    codes = {str(q["code"]) for q in questions}
    for code in raw:
        if code not in codes:
            errors[str(code)] = _("This survey has no question “%(code)s”.") % {"code": code}
    for q in questions:
        code = str(q["code"])
        value = raw.get(code)
        if _blank(value):
            if q.get("required", True):
                errors[code] = _("This question needs an answer.")
            continue
        kind = q["type"]
        if kind == "scale":
            number = _as_int(value)
            low, high = int(q["min"]), int(q["max"])
            if number is None or not low <= number <= high:
                errors[code] = _("Choose a whole number between %(min)s and %(max)s.") % {
                    "min": low,
                    "max": high,
                }
                continue
            clean.append(CleanAnswer(code, number, ""))
        elif kind == "yes_no":
            yes_no = _yes_no(value)
            if yes_no is None:
                errors[code] = _("Answer yes or no.")
                continue
            clean.append(CleanAnswer(code, yes_no, ""))
        elif kind == "choice":
            options = [str(c["code"]) for c in q.get("choices", [])]
            if not isinstance(value, str) or value.strip() not in options:
                errors[code] = _("Choose one of the options offered.")
                continue
            clean.append(CleanAnswer(code, None, value.strip()))
        else:
            if not isinstance(value, str):
                errors[code] = _("Write your answer as text.")
                continue
            text = value.strip()
            if len(text) > TEXT_MAX:
                errors[code] = _("Your answer is too long (at most %(max)s characters).") % {
                    "max": TEXT_MAX
                }
                continue
            clean.append(CleanAnswer(code, None, text))
    return clean, errors


# --- surveys ---------------------------------------------------------------------------------


def _require_manager(actor: User | None) -> None:
    if actor is None or not permissions.can(actor, "manage", "survey").ok:
        raise DomainError(_("Only a programme director may manage surveys."), code="forbidden")


@transaction.atomic
def survey_create(
    *,
    edition: Edition,
    kind: str,
    opens_on: date,
    closes_on: date,
    actor: User | None,
    check_actor: bool = True,
) -> Survey:
    """A survey of ``kind`` for a programme edition, with the questions of the shipped
    questionnaire copied in (they stay as they are once answered)."""
    if check_actor:
        _require_manager(actor)
    if kind not in SurveyKind.values:
        raise DomainError(_("Unknown kind of survey: %(kind)s.") % {"kind": kind}, code="kind")
    if closes_on <= opens_on:
        raise DomainError(_("The survey must close after it opens."), code="dates")
    shipped = questionnaire(kind)
    if shipped is None:
        raise DomainError(
            _("No questionnaire is shipped for this kind of survey (data/reporting/surveys/)."),
            code="questionnaire",
        )
    if Survey.objects.filter(kind=kind, edition=edition).exists():
        raise DomainError(_("This edition already has a survey of this kind."), code="duplicate")
    survey = Survey.objects.create(
        kind=kind,
        programme_id=edition.programme_id,
        edition=edition,
        title_fr=shipped.title_fr,
        title_en=shipped.title_en,
        questions=shipped.questions,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    audit_record(
        action=Action.SURVEY_CREATE,
        actor=actor,
        target=survey,
        summary=f"Survey {kind} created for edition {edition.code}",
        data={"kind": kind, "edition": edition.pk, "opens_on": str(opens_on)},
    )
    return survey


@transaction.atomic
def survey_invite(
    *,
    survey: Survey,
    actor: User | None,
    today: date | None = None,
    check_actor: bool = True,
    send: bool = True,
) -> int:
    """Invite every recipient not yet invited (see ``queries.recipients``); the e-mails
    leave after commit (Celery task, in-process without a broker) unless ``send`` is False.
    Returns how many were invited."""
    if check_actor:
        _require_manager(actor)
    today = today or clock.today()
    if queries.survey_state(survey=survey, today=today) == "closed":
        raise DomainError(_("This survey is closed: nobody can be invited."), code="closed")
    already = SurveyInvitation.objects.filter(survey=survey).values("learner_id")
    new = [
        SurveyInvitation(
            survey=survey,
            learner=learner,
            email=learner.user.email,
            # a placeholder nobody knows: the first mailing stores the derived link's hash
            token_hash=queries.token_hash(secrets.token_urlsafe(32)),
        )
        for learner in queries.recipients(survey=survey).exclude(pk__in=already)
    ]
    SurveyInvitation.objects.bulk_create(new)
    if new:
        audit_record(
            action=Action.SURVEY_INVITE,
            actor=actor,
            target=survey,
            summary=f"{len(new)} invitation(s) created",
            data={"invited": len(new)},
        )
    survey_id = survey.pk
    if not send:
        return len(new)

    def _send() -> None:
        from capitalis.reporting.surveys.tasks import survey_send_invitations

        survey_send_invitations.delay(survey_id)

    transaction.on_commit(_send)
    return len(new)


def _link(token: str) -> str:
    return site.absolute(reverse("results:survey-answer", kwargs={"token": token}))


def _mail(
    invitation: SurveyInvitation, token: str, *, reminder: bool, replaced: bool = False
) -> EmailMessage:
    user = invitation.learner.user if invitation.learner else None
    language = (user.preferred_language if user else "fr") or "fr"
    survey = invitation.survey
    with translation.override(language):
        title = pick_language(survey.title_fr, survey.title_en, language)
        subject = _("Reminder: %(title)s") % {"title": title} if reminder else title
        lines = [
            _("Hello %(name)s,") % {"name": user.get_full_name() if user else ""},
            _(
                "Your school asks for your opinion: “%(title)s”. It takes a few minutes, on your "
                "phone or computer, without an account."
            )
            % {"title": title},
            _("Your personal link (please do not share it): %(link)s") % {"link": _link(token)},
            _("You can answer until %(date)s.") % {"date": survey.closes_on.isoformat()},
        ]
        if reminder and replaced:
            lines.append(_("This link replaces the one in our previous e-mail."))
        elif reminder:
            lines.append(_("It is the same link as in our previous e-mail."))
        lines.append(
            _(
                "Your answers are used for the figures the school publishes; they are kept "
                "separate from your name once the retention period is over."
            )
        )
    return EmailMessage(subject=subject, body="\n\n".join(lines), to=[invitation.email])


TOKEN_SALT = "capitalis.reporting.survey-link"  # noqa: S105 (a salt, not a secret)


def _nonce(invitation: SurveyInvitation) -> str:
    """The invitation's creation instant (UTC, microseconds): stored, never changed."""
    return invitation.created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%f")


def derive_token(invitation: SurveyInvitation, *, secret: str | bytes | None = None) -> str:
    """The personal link's token of an invitation: URL-safe base64 of
    HMAC-SHA256(secret key, salt + id + nonce) (``secret``: the current SECRET_KEY by default)."""
    digest = salted_hmac(
        TOKEN_SALT,
        f"{invitation.pk}:{invitation.survey_id}:{_nonce(invitation)}",
        secret=secret,
        algorithm="sha256",
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _link_token(invitation: SurveyInvitation) -> tuple[str, bool]:
    """The token to mail and whether it replaces the stored one: the link already mailed when
    the current or a fallback secret key derives it, else the current key's (stored now)."""
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        token = derive_token(invitation, secret=secret)
        if hmac.compare_digest(queries.token_hash(token), invitation.token_hash):
            return token, False
    token = derive_token(invitation)
    invitation.token_hash = queries.token_hash(token)
    return token, True


@transaction.atomic
def invitation_token_issue(*, invitation: SurveyInvitation) -> str:
    """The personal link token of an invitation (the same at every call with the same secret
    key; only its hash is stored); marks the invitation sent. Used when a signed-in learner
    opens her survey from her home page, and by the demo's simulated respondents."""
    token, _replaced = _link_token(invitation)
    if invitation.sent_at is None:
        invitation.sent_at = clock.now()
    invitation.save(update_fields=["token_hash", "sent_at", "updated_at"])
    return token


@dataclass(frozen=True)
class _ReminderDue:
    """A reminder's conditions, checked again under the row lock."""

    today: date
    limit: int
    days: int


def _still_due(invitation: SurveyInvitation, reminder: _ReminderDue | None) -> bool:
    """Is the mail still due once the row is locked? (Two runs at once — a beat task and a
    click — then send it once: an invitation already mailed is not mailed again, a reminder is
    not sent beyond the limit or sooner than the delay.)"""
    if invitation.answered_at is not None or not invitation.email:
        return False
    if reminder is None:
        return invitation.sent_at is None
    last = invitation.last_reminded_at or invitation.sent_at
    if last is None or invitation.reminders >= reminder.limit:
        return False
    return timezone.localdate(last) <= reminder.today - timedelta(days=reminder.days)


def _mail_one(invitation_id: int, *, reminder: _ReminderDue | None = None) -> bool:
    """E-mail one invitation's link (the same link at each mailing, see the module docstring),
    an invitation or (``reminder``) a reminder, if still due under the row lock; the counters
    (and a replaced hash) are undone if the mail fails."""
    try:
        with transaction.atomic():
            invitation = (
                SurveyInvitation.objects.select_for_update(of=("self",))
                .select_related("survey", "learner__user")
                .get(pk=invitation_id)
            )
            if not _still_due(invitation, reminder):
                return False
            token, replaced = _link_token(invitation)
            now = clock.now()
            if reminder is not None:
                invitation.reminders = F("reminders") + 1
                invitation.last_reminded_at = now
            else:
                invitation.sent_at = now
            invitation.save(
                update_fields=[
                    "token_hash",
                    "reminders",
                    "last_reminded_at",
                    "sent_at",
                    "updated_at",
                ]
            )
            _mail(invitation, token, reminder=reminder is not None, replaced=replaced).send()
    except (IntegrityError, SurveyInvitation.DoesNotExist):
        return False
    except Exception:  # a failed mail leaves the invitation unsent; it can be sent again
        logger.exception("survey invitation %s not mailed", invitation_id)
        return False
    return True


def survey_send_pending(*, survey_id: int, actor: User | None = None) -> int:
    """E-mail the invitations of a survey that were not sent yet; returns how many went out."""
    ids = list(
        SurveyInvitation.objects.filter(
            survey_id=survey_id, sent_at__isnull=True, answered_at__isnull=True
        )
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    sent = sum(_mail_one(pk) for pk in ids)
    if sent:
        with transaction.atomic():
            audit_record(
                action=Action.SURVEY_SEND,
                actor=actor,
                target_type="reporting.survey",
                target_id=str(survey_id),
                summary=f"{sent} survey invitation(s) e-mailed",
                data={"sent": sent},
            )
    return sent


def reminders_due(
    *,
    today: date,
    limit: int | None = None,
    days: int | None = None,
    survey_id: int | None = None,
) -> list[int]:
    """Invitations to remind: sent, not answered, survey open on ``today``, fewer than ``limit``
    reminders, last mail at least ``days`` days before ``today``."""
    limit = max_reminders() if limit is None else limit
    days = reminder_days() if days is None else days
    qs = (
        SurveyInvitation.objects.filter(
            sent_at__isnull=False,
            answered_at__isnull=True,
            reminders__lt=limit,
            survey__opens_on__lte=today,
            survey__closes_on__gte=today,
        )
        .exclude(email="")
        .annotate(last_mail=Coalesce("last_reminded_at", "sent_at"))
        .filter(last_mail__date__lte=today - timedelta(days=days))
    )
    if survey_id is not None:
        qs = qs.filter(survey_id=survey_id)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def survey_remind(
    *,
    today: date | None = None,
    limit: int | None = None,
    days: int | None = None,
    survey_id: int | None = None,
    actor: User | None = None,
) -> int:
    """Remind those who have not answered (at most ``limit`` reminders each, not sooner than
    ``days`` days after the previous mail); returns how many reminders went out."""
    today = today or clock.today()
    if (limit is not None and limit < 0) or (days is not None and days < 0):
        raise DomainError(_("The number of reminders and days cannot be negative."))
    limit = max_reminders() if limit is None else limit
    days = reminder_days() if days is None else days
    ids = reminders_due(today=today, limit=limit, days=days, survey_id=survey_id)
    due = _ReminderDue(today=today, limit=limit, days=days)
    sent = sum(_mail_one(pk, reminder=due) for pk in ids)
    if sent:
        with transaction.atomic():
            audit_record(
                action=Action.SURVEY_REMIND,
                actor=actor,
                target_type="reporting.survey",
                target_id=str(survey_id or ""),
                summary=f"{sent} survey reminder(s) e-mailed",
                data={"sent": sent, "today": today.isoformat()},
            )
    return sent


# --- schedule: surveys created and sent when due ---------------------------------------------


def schedule_window_days() -> int:
    """Days an employment survey stays due after its date (``SURVEY_SCHEDULE_WINDOW_DAYS``, 30)."""
    return int(getattr(settings, "SURVEY_SCHEDULE_WINDOW_DAYS", 30))


def satisfaction_days() -> int:
    """Satisfaction surveys are due in an edition's last N days (``SURVEY_SATISFACTION_DAYS``,
    30)."""
    return int(getattr(settings, "SURVEY_SATISFACTION_DAYS", 30))


def survey_open_days() -> int:
    """A scheduled survey stays open this many days (``SURVEY_OPEN_DAYS``, 30)."""
    return int(getattr(settings, "SURVEY_OPEN_DAYS", 30))


class Outcome:
    """What the schedule did (or would do, in a dry run) with one due survey."""

    CREATED = "created"  # created from the shipped questionnaire, invitations sent
    TO_CREATE = "to_create"  # dry run: would be created
    EXISTING = "existing"  # already there and open: new recipients invited, pending mails sent
    NO_RECIPIENTS = "no_recipients"  # nobody to ask: not created
    NOT_OPEN = "not_open"  # already there, opens later (planned by staff): left alone
    CLOSED = "closed"  # already there and closed: left alone


@dataclass(frozen=True)
class Scheduled:
    """One due survey and what the run did with it (``invited``/``sent``: would invite/send in
    a dry run)."""

    edition: Edition
    kind: str
    due_on: date
    outcome: str
    survey_id: int | None = None
    invited: int = 0
    sent: int = 0


def _schedule_one(
    *, edition: Edition, kind: str, survey: Survey | None, today: date, dry_run: bool
) -> tuple[str, Survey | None, int]:
    """Create the survey if missing and invite (no mail yet); returns the outcome, the survey
    and how many were invited."""
    if survey is not None:
        state = queries.survey_state(survey=survey, today=today)
        if state != "open":
            return state, survey, 0
        if dry_run:
            return Outcome.EXISTING, survey, queries.recipients_not_invited(survey=survey).count()
        invited = survey_invite(
            survey=survey, actor=None, today=today, check_actor=False, send=False
        )
        return Outcome.EXISTING, survey, invited
    count = queries.recipients(survey=Survey(kind=kind, edition=edition)).count()
    if not count:
        return Outcome.NO_RECIPIENTS, None, 0
    if dry_run:
        return Outcome.TO_CREATE, None, count
    try:
        with transaction.atomic():
            survey = survey_create(
                edition=edition,
                kind=kind,
                opens_on=today,
                closes_on=today + timedelta(days=survey_open_days()),
                actor=None,
                check_actor=False,
            )
            invited = survey_invite(
                survey=survey, actor=None, today=today, check_actor=False, send=False
            )
    except (IntegrityError, DomainError) as error:
        # another run created it meanwhile: treat it as existing
        if isinstance(error, DomainError) and error.code != "duplicate":
            raise
        survey = Survey.objects.filter(kind=kind, edition=edition).first()
        if survey is None:
            raise
        return _schedule_one(edition=edition, kind=kind, survey=survey, today=today, dry_run=False)
    return Outcome.CREATED, survey, invited


def survey_schedule(
    *,
    today: date | None = None,
    dry_run: bool = False,
    window_days: int | None = None,
    satisfaction_window: int | None = None,
    actor: User | None = None,
) -> list[Scheduled]:
    """Create and send the surveys that are due on ``today`` (see ``rules``): the
    employment surveys 6 months and 2 years after an edition's certification decisions, the
    satisfaction surveys in its last month. A missing survey is created from the shipped
    questionnaire (open from ``today`` for ``SURVEY_OPEN_DAYS``) and its recipients invited
    and e-mailed; an open one gets its new recipients invited and its unsent invitations
    e-mailed; one not open (planned by staff, or closed) is left alone. Idempotent: a second
    run on the same day creates and sends nothing. ``dry_run`` writes nothing and sends
    nothing. Each write is audited by its service, and the run by ``reporting.survey_schedule``
    when it created or sent anything."""
    today = today or clock.today()
    window_days = schedule_window_days() if window_days is None else window_days
    if satisfaction_window is None:
        satisfaction_window = satisfaction_days()
    if window_days < 1 or satisfaction_window < 1:
        raise DomainError(_("The survey windows last at least one day."), code="window")
    due = rules.due_surveys(
        queries.schedule_facts(
            today=today, window_days=window_days, satisfaction_days=satisfaction_window
        ),
        today=today,
        window_days=window_days,
        satisfaction_days=satisfaction_window,
    )
    editions = Edition.objects.select_related("programme").in_bulk({d.edition_id for d in due})
    existing = {
        (s.edition_id, s.kind): s
        for s in Survey.objects.filter(edition_id__in=editions, kind__in={d.kind for d in due})
    }
    done: list[Scheduled] = []
    for item in due:
        edition = editions[item.edition_id]
        outcome, survey, invited = _schedule_one(
            edition=edition,
            kind=item.kind,
            survey=existing.get((item.edition_id, item.kind)),
            today=today,
            dry_run=dry_run,
        )
        sent = _schedule_send(
            survey=survey, outcome=outcome, invited=invited, dry_run=dry_run, actor=actor
        )
        done.append(
            Scheduled(
                edition=edition,
                kind=item.kind,
                due_on=item.due_on,
                outcome=outcome,
                survey_id=survey.pk if survey else None,
                invited=invited,
                sent=sent,
            )
        )
    if not dry_run:
        _audit_schedule(done, today=today, actor=actor)
    return done


def _schedule_send(
    *, survey: Survey | None, outcome: str, invited: int, dry_run: bool, actor: User | None
) -> int:
    """E-mail the unsent invitations of a scheduled survey (created or open); in a dry run,
    count what would be sent instead."""
    if survey is not None and outcome == Outcome.EXISTING and dry_run:
        return invited + queries.invitations_unsent(survey=survey).count()
    if outcome == Outcome.TO_CREATE:
        return invited
    if survey is not None and outcome in (Outcome.CREATED, Outcome.EXISTING):
        return survey_send_pending(survey_id=survey.pk, actor=actor)
    return 0


def _audit_schedule(done: list[Scheduled], *, today: date, actor: User | None) -> None:
    """One audit record for a scheduler run that created or sent anything (none otherwise)."""
    created = [d for d in done if d.outcome == Outcome.CREATED]
    if not (created or any(d.invited or d.sent for d in done)):
        return
    with transaction.atomic():
        audit_record(
            action=Action.SURVEY_SCHEDULE,
            actor=actor,
            summary=(
                f"Survey schedule {today.isoformat()}: {len(created)} survey(s) created, "
                f"{sum(d.sent for d in done)} e-mail(s) sent"
            ),
            data={
                "today": today.isoformat(),
                "surveys": [
                    {
                        "survey": d.survey_id,
                        "edition": d.edition.pk,
                        "kind": d.kind,
                        "outcome": d.outcome,
                        "invited": d.invited,
                        "sent": d.sent,
                    }
                    for d in done
                    if d.outcome in (Outcome.CREATED, Outcome.EXISTING)
                ],
            },
        )


# --- answering -------------------------------------------------------------------------------


def unknown_link_error() -> DomainError:
    return DomainError(
        _(
            "This survey link is unknown. It may be mistyped, or replaced by the link of a more "
            "recent e-mail."
        ),
        code="unknown",
    )


@transaction.atomic
def survey_answer(
    *, token: str, answers: Mapping[str, Any], today: date | None = None
) -> SurveyInvitation:
    """Record the answers given through a personal link, all or nothing, once: an unknown token
    (code ``unknown``), a survey not open (``not_open``/``closed``), a link already used
    (``answered``) or an invalid answer (:class:`AnswerErrors`) changes nothing."""
    today = today or clock.today()
    if not token or len(token) > 200:
        raise unknown_link_error()
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("survey")
        .filter(token_hash=queries.token_hash(token))
        .first()
    )
    if invitation is None:
        raise unknown_link_error()
    survey = invitation.survey
    state = queries.survey_state(survey=survey, today=today)
    if state == "closed":
        raise DomainError(
            _("This survey closed on %(date)s: answers are no longer accepted.")
            % {"date": survey.closes_on.isoformat()},
            code="closed",
        )
    if state == "not_open":
        raise DomainError(
            _("This survey opens on %(date)s.") % {"date": survey.opens_on.isoformat()},
            code="not_open",
        )
    if invitation.answered_at is not None:
        raise DomainError(
            _("You have already answered this survey: thank you. Your answers cannot be changed."),
            code="answered",
        )
    clean, errors = validate_answers(survey.questions, answers)
    if errors:
        raise AnswerErrors(errors)
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(invitation=invitation, question=a.question, number=a.number, text=a.text)
        for a in clean
    )
    invitation.answered_at = clock.now()
    invitation.save(update_fields=["answered_at", "updated_at"])
    audit_record(
        action=Action.SURVEY_ANSWER,
        target=invitation,
        summary=f"Survey {survey.pk} answered through a personal link",
        data={"survey": survey.pk, "answers": len(clean)},
    )
    return invitation
