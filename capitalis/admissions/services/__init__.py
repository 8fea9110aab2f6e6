"""Writes on admissions (SPEC §3). Every write is here, atomic, audited, and raises a translated
:class:`DomainError` on bad input (nothing is saved).

One module per subdomain, every public name re-exported here (callers write
``services.application_submit(...)`` or ``from capitalis.admissions.services import
application_transition``):

- ``signup``: candidate accounts (password rules, the sign-up and its e-mails);
- ``applications``: a candidate's draft (create, change) and the application fee;
- ``degrees``: a draft's prior degrees;
- ``documents``: a draft's documents;
- ``transitions``: the status machine (``application_transition``, the single service that
  moves an application, used by every other part) and the manual review;
- ``submission``: submission and eligibility;
- ``retention``: anonymising what the retention rules no longer keep (texts, documents,
  interview notes);
- ``_common``: the guards they share (private).

Interviews and the admission jury: ``capitalis.admissions.jury.services``."""

from capitalis.admissions.services.applications import (
    UNSET,
    application_create,
    application_fee_record,
    application_update_draft,
)
from capitalis.admissions.services.degrees import (
    DEGREE_PARTS,
    DegreeInput,
    application_degree_add,
    application_degree_remove,
    application_degrees_save,
    application_degrees_set,
    degree_missing,
)
from capitalis.admissions.services.documents import document_add, document_remove
from capitalis.admissions.services.retention import (
    APPLICATION_BLANK,
    INTERVIEW_BLANK,
    application_documents_erase,
    applications_anonymise,
    interviews_anonymise,
)
from capitalis.admissions.services.signup import (
    candidate_signup,
    candidate_signup_request,
    password_check,
    signup_mail,
)
from capitalis.admissions.services.submission import (
    PART_LABELS,
    application_evaluate_eligibility,
    application_submit,
)
from capitalis.admissions.services.transitions import (
    application_send_to_manual_review,
    application_transition,
)

__all__ = [
    "APPLICATION_BLANK",
    "DEGREE_PARTS",
    "INTERVIEW_BLANK",
    "PART_LABELS",
    "UNSET",
    "DegreeInput",
    "application_create",
    "application_degree_add",
    "application_degree_remove",
    "application_degrees_save",
    "application_degrees_set",
    "application_documents_erase",
    "application_evaluate_eligibility",
    "application_fee_record",
    "application_send_to_manual_review",
    "application_submit",
    "application_transition",
    "application_update_draft",
    "applications_anonymise",
    "candidate_signup",
    "candidate_signup_request",
    "degree_missing",
    "document_add",
    "document_remove",
    "interviews_anonymise",
    "password_check",
    "signup_mail",
]
