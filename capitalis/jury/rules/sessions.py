"""Scheduling and closing a jury session: its composition, when it may be edited or closed."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from capitalis.jury.rules.reasons import _MESSAGES, Reason
from capitalis.jury.rules.vocabulary import Key


class PendingChoice(enum.StrEnum):
    """What the president decides, on closing, about the VAE cases and appeals the session
    holds undecided: move them to a later (open) session, or leave them pending (listed in the
    minutes and the audit trail). Deciding them first leaves nothing pending."""

    MOVE = "move"
    LEAVE = "leave"


_MESSAGES.update(
    {
        "president_is_member": "the president cannot also be a member",
        "member_repeated": "a member is listed twice",
        "session_closed": "the session is closed",
        "before_date": "the session is on %(date)s: it cannot be closed before "
        "(today is %(today)s)",
        "pending_undecided": "%(vae)s VAE case(s) and %(appeals)s appeal(s) are undecided: decide "
        "them, move them to a later session or leave them pending explicitly",
        "move_needs_target": "moving the pending cases needs a later open session",
    }
)


@dataclass(frozen=True, slots=True)
class SessionCheck:
    """Whether a session write is allowed, with the reasons it is not."""

    ok: bool
    reasons: tuple[Reason, ...] = ()


def session_composition(president: Key, members: Sequence[Key]) -> SessionCheck:
    """A jury is distinct people: the president is not also a member, no member twice."""
    reasons: list[Reason] = []
    if president in members:
        reasons.append(Reason("president_is_member"))
    if len(set(members)) != len(members):
        reasons.append(Reason("member_repeated"))
    return SessionCheck(not reasons, tuple(reasons))


def session_editable(*, closed: bool) -> SessionCheck:
    """A session is scheduled and edited while it is open; once closed it is frozen."""
    if closed:
        return SessionCheck(False, (Reason("session_closed"),))
    return SessionCheck(True)


def session_closable(
    *,
    session_date: date,
    today: date,
    pending_vae: int,
    pending_appeals: int,
    choice: PendingChoice | None,
    has_target: bool = False,
) -> SessionCheck:
    """May the session be closed today? Not before its date (its minutes, and every certificate
    they ground, are dated on the session's day); and not while VAE cases or appeals it holds
    are undecided unless the president chose what becomes of them (moved to a later session,
    which must be named, or left pending): nothing is dropped silently."""
    reasons: list[Reason] = []
    if today < session_date:
        reasons.append(
            Reason("before_date", {"date": session_date.isoformat(), "today": today.isoformat()})
        )
    if (pending_vae or pending_appeals) and choice is None:
        reasons.append(
            Reason("pending_undecided", {"vae": pending_vae, "appeals": pending_appeals})
        )
    if (pending_vae or pending_appeals) and choice is PendingChoice.MOVE and not has_target:
        reasons.append(Reason("move_needs_target"))
    return SessionCheck(not reasons, tuple(reasons))
