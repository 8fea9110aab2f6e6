"""What the jury's services share: the guards on a session (open, its jury, its president)
and the refusals of the session rules in the user's language. Private to the package."""

from __future__ import annotations

from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.core.exceptions import DomainError
from capitalis.jury import rules
from capitalis.jury.models import (
    JurySession,
    SessionStatus,
)


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


def _require_jury(user: User | None, session: JurySession) -> None:
    if not permissions.can(user, "sit", "jury_session", session).ok:
        raise DomainError(
            _("Only the president and members of this jury session may do this."),
            code="not_authorised",
        )


def _require_president(user: User | None, session: JurySession) -> None:
    if not permissions.can(user, "preside", "jury_session", session):
        raise DomainError(
            _("Only the president of this jury session may do this."), code="not_authorised"
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
