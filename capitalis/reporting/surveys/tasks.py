"""Background work on surveys (Celery; in-process without a broker): e-mail the invitations of a
survey, send the reminders due. Each task loads by id and calls a service."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from capitalis.reporting.surveys import services


@shared_task(name="reporting.survey_send_invitations")
def survey_send_invitations(survey_id: int) -> int:
    """E-mail the survey's invitations not sent yet."""
    return services.survey_send_pending(survey_id=survey_id)


@shared_task(name="reporting.survey_send_reminders")
def survey_send_reminders(today: str | None = None, survey_id: int | None = None) -> int:
    """Remind those who have not answered (settings SURVEY_MAX_REMINDERS, SURVEY_REMINDER_DAYS);
    schedule it daily with Celery beat in production."""
    return services.survey_remind(
        today=date.fromisoformat(today) if today else None, survey_id=survey_id
    )


@shared_task(name="reporting.survey_schedule")
def survey_schedule(today: str | None = None) -> dict[str, int]:
    """Create and send the surveys due today (employment at 6 months / 2 years, satisfaction at
    the end of an edition); idempotent, schedule it daily with Celery beat (see the README)."""
    done = services.survey_schedule(today=date.fromisoformat(today) if today else None)
    return {
        "due": len(done),
        "created": sum(d.outcome == services.Outcome.CREATED for d in done),
        "sent": sum(d.sent for d in done),
    }
