"""Writes on jury sessions (SPEC §6; issue 5 points 5, 6). Every write is here, atomic, audited,
and raises a translated :class:`DomainError` on bad input (nothing is saved).

One module per subdomain, every public name re-exported here (callers write
``services.session_close(...)`` or ``from capitalis.jury.services import minutes_verify``):

- ``sessions``: scheduling and editing sessions, their jury and their learners;
- ``deliberation``: ``deliberate``, ``what_if``, ``decision_override``, ``decision_correct``;
- ``closing``: ``session_close`` (with the signed, frozen minutes) and ``minutes_verify``;
- ``appeals``; ``vae``; ``prior`` (block validations obtained before Capitalis);
- ``mails``: the e-mails to learners (texts in ``jury/mail/*.txt``);
- ``_common``: the guards they share (private).

Once a session is closed, every write on it is refused (``closed``); a correction is a new
decision in a later, open session that cites the old one.

An entry point called by a view, the API or a task opens a durable transaction
(``transaction.atomic(durable=True)``): it is never nested in a caller's transaction, so its
commit (and the mails sent after it) is final. ``session_create``, ``deliberate``,
``decision_override``, ``session_close`` and ``vae_candidate_create`` stay nestable: the demo
or a view also runs them inside a larger transaction.
"""

from capitalis.jury.services.appeals import appeal_decide, appeal_lodge
from capitalis.jury.services.closing import (
    MinutesCheck,
    minutes_verify,
    session_close,
    session_close_check,
    session_close_start,
)
from capitalis.jury.services.deliberation import (
    BLOCK_STATUSES,
    CERTIFICATION_STATUSES,
    WhatIf,
    certification_refresh,
    decision_correct,
    decision_override,
    deliberate,
    what_if,
)
from capitalis.jury.services.mails import appeal_notify, session_notify
from capitalis.jury.services.prior import (
    block_validation_record,
    prior_validation_record,
    prior_validations_import,
)
from capitalis.jury.services.sessions import (
    session_create,
    session_learners_add,
    session_update,
)
from capitalis.jury.services.vae import (
    vae_admissibility_decide,
    vae_candidate_create,
    vae_candidate_register,
    vae_document_add,
    vae_interview_record,
    vae_outcome_decide,
)

__all__ = [
    "BLOCK_STATUSES",
    "CERTIFICATION_STATUSES",
    "MinutesCheck",
    "WhatIf",
    "appeal_decide",
    "appeal_lodge",
    "appeal_notify",
    "block_validation_record",
    "certification_refresh",
    "decision_correct",
    "decision_override",
    "deliberate",
    "minutes_verify",
    "prior_validation_record",
    "prior_validations_import",
    "session_close",
    "session_close_check",
    "session_close_start",
    "session_create",
    "session_learners_add",
    "session_notify",
    "session_update",
    "vae_admissibility_decide",
    "vae_candidate_create",
    "vae_candidate_register",
    "vae_document_add",
    "vae_interview_record",
    "vae_outcome_decide",
    "what_if",
]
