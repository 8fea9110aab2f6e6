"""The audit trail's vocabulary: every action ``audit_record`` may write, in one place.

A member is named after the service that records it; its value is the string stored in
``AuditEvent.action``. The stored strings came in two styles (with an app prefix such as
``"enrolment."`` and without); they are kept as they are so existing audit rows still match,
and only named here. A new action gets a member here (prefer the ``"<app>.<service>"`` style);
``tests/core/test_audit_vocabulary.py`` fails on a call with a bare string.
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class Action(StrEnum):
    """One audited action; a ``str``, equal to the value stored in ``AuditEvent.action``."""

    # stored without a prefix (the older style)
    ACCOUNT_INVITE = "account_invite"
    ACCOUNT_SECRETS_FORGET = "account_secrets_forget"
    ADMISSION_JURY_CREATE = "admission_jury_create"
    API_TOKEN_CREATE = "api_token_create"  # noqa: S105 (an action name, not a secret)
    API_TOKEN_REVOKE = "api_token_revoke"  # noqa: S105 (an action name, not a secret)
    ASSESSMENT_CREATE = "assessment_create"
    ASSESSMENT_GROUP_SET = "assessment_group_set"
    ASSESSMENT_UPDATE = "assessment_update"
    BLOCK_VALIDATION_RECORD = "block_validation_record"
    CALENDAR_CREATE = "calendar_create"
    CAMPUS_RHYTHM_SET = "campus_rhythm_set"
    CAMPUS_SET = "campus_set"
    COURSE_COMPETENCIES_SET = "course_competencies_set"
    COURSE_CREATE = "course_create"
    COURSE_UPDATE = "course_update"
    CREDENTIAL_ISSUE = "credential_issue"
    CREDENTIAL_REISSUE = "credential_reissue"
    CREDENTIAL_REVOKE = "credential_revoke"
    DECISION_NOTIFY = "decision_notify"
    DOCUMENT_ISSUE = "document_issue"
    DOCUMENT_REISSUE = "document_reissue"
    DOCUMENT_REVOKE = "document_revoke"
    EDITION_APPLICATION_WINDOW_SET = "edition_application_window_set"
    EDITION_CREATE = "edition_create"
    EDITION_SET = "edition_set"
    EMAIL_ADDRESS_ENSURE = "email_address_ensure"
    FEE_SCHEDULE_SET = "fee_schedule_set"
    GROUP_RESULT_SET = "group_result_set"
    IMPORT_UPLOADS_CLEAN = "import_uploads_clean"
    INTERVIEW_ARRANGEMENTS_SET = "interview_arrangements_set"
    INTERVIEW_BOOK = "interview_book"
    INTERVIEW_GRID_SET = "interview_grid_set"
    INTERVIEW_RECORD = "interview_record"
    INTERVIEW_SLOT_CREATE = "interview_slot_create"
    INVOICE_CANCEL = "invoice_cancel"
    INVOICE_CREATE = "invoice_create"
    JURY_APPEAL_DECIDE = "jury_appeal_decide"
    JURY_APPEAL_LODGE = "jury_appeal_lodge"
    JURY_DECISION_CORRECT = "jury_decision_correct"
    JURY_DECISION_OVERRIDE = "jury_decision_override"
    JURY_DELIBERATE = "jury_deliberate"
    JURY_SESSION_CREATE = "jury_session_create"
    JURY_SESSION_LEARNERS_ADD = "jury_session_learners_add"
    JURY_SESSION_SIGN = "jury_session_sign"
    JURY_SESSION_UPDATE = "jury_session_update"
    OFFERING_SET = "offering_set"
    PAYMENT_RECORD = "payment_record"
    PROGRAMME_SET = "programme_set"
    PROGRAMME_YEAR_SET = "programme_year_set"
    RESULT_SET = "result_set"
    ROLE_GRANT = "role_grant"
    ROLE_REVOKE = "role_revoke"
    SCHOOL_CLOSURE_SET = "school_closure_set"
    SPECIALISATION_SET = "specialisation_set"
    USER_CREATE = "user_create"
    # stored with the app prefix 'accounts.'
    USERS_ANONYMISE = "accounts.users_anonymise"
    VAE_ADMISSIBILITY_DECIDE = "vae_admissibility_decide"
    VAE_CANDIDATE_CREATE = "vae_candidate_create"
    VAE_DOCUMENT_ADD = "vae_document_add"
    VAE_INTERVIEW_RECORD = "vae_interview_record"
    VAE_OUTCOME_DECIDE = "vae_outcome_decide"
    # stored with the app prefix 'admissions.'
    APPLICATION_CREATE = "admissions.application_create"
    APPLICATION_DEGREE_ADD = "admissions.application_degree_add"
    APPLICATION_DEGREE_REMOVE = "admissions.application_degree_remove"
    APPLICATION_DEGREES_SAVE = "admissions.application_degrees_save"
    APPLICATION_DEGREES_SET = "admissions.application_degrees_set"
    APPLICATION_EVALUATE_ELIGIBILITY = "admissions.application_evaluate_eligibility"
    APPLICATION_FEE_RECORD = "admissions.application_fee_record"
    APPLICATION_TRANSITION = "admissions.application_transition"
    APPLICATION_UPDATE_DRAFT = "admissions.application_update_draft"
    CANDIDATE_SIGNUP = "admissions.candidate_signup"
    CANDIDATE_SIGNUP_EXISTING = "admissions.candidate_signup_existing"
    DOCUMENT_ADD = "admissions.document_add"
    DOCUMENT_REMOVE = "admissions.document_remove"
    APPLICATION_DOCUMENTS_ERASE = "admissions.application_documents_erase"
    APPLICATIONS_ANONYMISE = "admissions.applications_anonymise"
    INTERVIEWS_ANONYMISE = "admissions.interviews_anonymise"
    # stored with the app prefix 'assessment.'
    RESULTS_IMPORT = "assessment.results_import"
    # stored with the app prefix 'core.'
    DATA_LOAD = "core.data_load"
    JOB_DONE = "core.job_done"
    JOB_FAILED = "core.job_failed"
    JOB_FILES_CLEAN = "core.job_files_clean"
    JOB_START = "core.job_start"
    # stored with the app prefix 'enrolment.'
    CONTRACT_CREATE = "enrolment.contract_create"
    CONTRACT_TERMINATE = "enrolment.contract_terminate"
    CONTRACT_TUTOR_SET = "enrolment.contract_tutor_set"
    CVEC_RECORD = "enrolment.cvec_record"
    DEMO_LEARNER_LOGIN = "enrolment.demo_learner_login"
    ENROLMENT_CREATE = "enrolment.enrolment_create"
    ENROLMENT_REENROL = "enrolment.enrolment_reenrol"
    ENROLMENT_TRANSITION = "enrolment.enrolment_transition"
    INTERNSHIP_CREATE = "enrolment.internship_create"
    LEARNER_CREATE = "enrolment.learner_create"
    LEARNER_UPDATE = "enrolment.learner_update"
    # stored with the app prefix 'jury.'
    PRIOR_VALIDATION_RECORD = "jury.prior_validation_record"
    # stored with the app prefix 'programmes.'
    CALENDAR_EVENTS_SYNC = "programmes.calendar_events_sync"
    # stored with the app prefix 'referential.'
    REGISTER_IMPORT = "referential.register_import"
    # stored with the app prefix 'reporting.'
    AWARD_DECLARATION_RESEND = "reporting.award_declaration_resend"
    DECLARATION_EXPORT = "reporting.declaration_export"
    DECLARATION_REPORT_IMPORT = "reporting.declaration_report_import"
    PERSONAL_DATA_EXPORT = "reporting.personal_data_export"
    RETENTION_APPLY = "reporting.retention_apply"
    SURVEY_ANSWER = "reporting.survey_answer"
    SURVEY_CREATE = "reporting.survey_create"
    SURVEY_INVITE = "reporting.survey_invite"
    SURVEY_REMIND = "reporting.survey_remind"
    SURVEY_SCHEDULE = "reporting.survey_schedule"
    SURVEY_SEND = "reporting.survey_send"
