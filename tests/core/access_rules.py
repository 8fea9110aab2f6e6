"""Who may open each route (the role × route matrix, tests/core/test_access_matrix.py)."""

from __future__ import annotations

from dataclasses import dataclass

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Rule:
    who: str | frozenset[str]  # "public", "authenticated" or a set of role values
    post_only: bool = False

    def allows(self, who: str) -> bool:
        if self.who == "public":
            return True
        if self.who == "authenticated":
            return who != ANONYMOUS
        return who in self.who


DIRECTOR = "programme_director"
COORDINATOR = "campus_coordinator"
ADMISSIONS = "admissions_officer"
LECTURER = "lecturer"
PRESIDENT = "jury_president"
MEMBER = "jury_member"
REFERENT = "disability_referent"
FINANCE = "finance"
LEARNER = "learner"
TUTOR = "employer_tutor"
VAE = "vae_candidate"
CANDIDATE = "candidate"
NOBODY: frozenset[str] = frozenset()
# The small world does not build this route's object (its URL names an id that exists nowhere):
# every role and anonymous must be refused, nothing more is checked.
ABSENT = NOBODY


def _(*roles: str) -> frozenset[str]:
    return frozenset(roles)


# Route name → who may open it, with the URL parameters naming someone else's object (the "B"
# side of tests/core/access_world.py): only a role whose scope covers it is allowed.
RULES: dict[str, Rule] = {
    "accounts-api:me": Rule("authenticated"),
    "accounts-api:token-list": Rule("authenticated"),
    "accounts-api:token-revoke": Rule(_(DIRECTOR), post_only=True),
    "accounts-api:user-list": Rule(_(DIRECTOR)),
    "accounts-api:user-detail": Rule(_(DIRECTOR)),
    "accounts-api:user-role-grant": Rule(_(DIRECTOR), post_only=True),
    "accounts-api:user-role-revoke": Rule(_(DIRECTOR), post_only=True),
    "accounts-api:user-invite": Rule(_(DIRECTOR), post_only=True),
    "accounts:api-token-revoke": Rule(_(DIRECTOR), post_only=True),
    "accounts:api-tokens": Rule("authenticated"),
    "accounts:email_verification_resend": Rule("authenticated", post_only=True),
    "accounts:login": Rule("public"),
    "accounts:logout": Rule("authenticated", post_only=True),
    "accounts:password_change": Rule("authenticated"),
    "accounts:password_change_done": Rule("authenticated"),
    "accounts:people": Rule(_(DIRECTOR)),
    "accounts:person": Rule(_(DIRECTOR)),
    "accounts:person-revoke": Rule(_(DIRECTOR), post_only=True),
    "accounts:person-invite": Rule(_(DIRECTOR), post_only=True),
    "admissions-api:signup": Rule("public", post_only=True),
    "admissions-api:api-dashboard": Rule(_(DIRECTOR, ADMISSIONS)),
    "admissions-api:api-interview": Rule(ABSENT),
    "admissions-api:api-interview-record": Rule(_(DIRECTOR, ADMISSIONS), post_only=True),
    "admissions-api:api-interview-slot-book": Rule(_(DIRECTOR, ADMISSIONS), post_only=True),
    "admissions-api:api-interview-slot-create": Rule("authenticated"),  # GET: a scoped list
    "admissions-api:api-jury-create": Rule("authenticated"),  # GET: a scoped list
    "admissions-api:api-jury-present": Rule(_(DIRECTOR, ADMISSIONS), post_only=True),
    "admissions-api:api-jury-decisions": Rule(_(DIRECTOR), post_only=True),
    "admissions-api:application-degree-remove": Rule(_(DIRECTOR), post_only=True),
    "admissions-api:application-degrees": Rule(_(DIRECTOR), post_only=True),
    "admissions-api:application-detail": Rule(_(DIRECTOR)),
    "admissions-api:application-document-download": Rule(ABSENT),
    "admissions-api:application-documents": Rule(_(DIRECTOR), post_only=True),
    "admissions-api:application-letter": Rule(ABSENT),
    "admissions-api:application-list": Rule("authenticated"),
    "admissions-api:application-submit": Rule(_(DIRECTOR), post_only=True),
    "admissions-api:application-transition": Rule(_(DIRECTOR), post_only=True),
    "admissions:application-detail": Rule(_(DIRECTOR)),
    "admissions:application-edit": Rule(_(DIRECTOR)),
    "admissions:application-fee": Rule(_(DIRECTOR), post_only=True),
    "admissions:application-list": Rule("authenticated"),
    "admissions:application-move": Rule(_(DIRECTOR), post_only=True),
    "admissions:application-new": Rule("authenticated"),
    "admissions:decision-letter": Rule(ABSENT),
    "admissions:decision-letter-pdf": Rule(ABSENT),
    "admissions:document-download": Rule(ABSENT),
    "admissions:document-preview": Rule(ABSENT),
    "admissions:interview": Rule(ABSENT),
    "admissions:interview-slot-book": Rule(_(DIRECTOR), post_only=True),
    "admissions:interview-slots": Rule(_(DIRECTOR, ADMISSIONS)),
    "admissions:juries": Rule(_(DIRECTOR, ADMISSIONS)),
    "admissions:jury": Rule(ABSENT),
    "admissions:signup": Rule("public"),
    "assessment-api:assessment-create": Rule(_(DIRECTOR), post_only=True),
    "assessment-api:assessment-detail": Rule(_(DIRECTOR)),
    "assessment-api:assessment-edit": Rule(_(DIRECTOR), post_only=True),
    "assessment-api:assessment-list": Rule("authenticated"),
    "assessment-api:group-results": Rule(_(DIRECTOR), post_only=True),
    "assessment-api:result-detail": Rule(ABSENT),
    "assessment-api:result-list": Rule("authenticated"),
    "assessment-api:results-import": Rule(_(DIRECTOR), post_only=True),
    "assessment:create": Rule(_(DIRECTOR, LECTURER)),
    "assessment:edit": Rule(_(DIRECTOR)),
    "assessment:groups": Rule(_(DIRECTOR)),
    "assessment:import": Rule(_(DIRECTOR)),
    "assessment:import-template-csv": Rule(_(DIRECTOR)),
    "assessment:import-template-xlsx": Rule(_(DIRECTOR)),
    "assessment:list": Rule("authenticated"),
    "assessment:my-results": Rule("authenticated"),
    "assessment:results": Rule(_(DIRECTOR)),
    "credentials-api:credential-detail": Rule(ABSENT),
    "credentials-api:credential-list": Rule("authenticated"),
    "credentials-api:credential-revoke": Rule(_(DIRECTOR), post_only=True),
    "credentials-api:credential-verify": Rule("public", post_only=True),
    "credentials-api:document-detail": Rule(ABSENT),
    "credentials-api:document-list": Rule("authenticated"),
    "credentials-api:document-reissue": Rule(_(DIRECTOR), post_only=True),
    "credentials-api:document-revoke": Rule(_(DIRECTOR), post_only=True),
    "credentials-api:document-transcript": Rule(_(DIRECTOR), post_only=True),
    "credentials-api:session-issue": Rule(_(DIRECTOR, PRESIDENT), post_only=True),
    "credentials:action": Rule(_(DIRECTOR), post_only=True),
    "credentials:document-action": Rule(_(DIRECTOR), post_only=True),
    "credentials:document-download": Rule(ABSENT),
    "credentials:download": Rule(ABSENT),
    "credentials:mine": Rule("authenticated"),
    "credentials:session": Rule(_(DIRECTOR)),
    "credentials:session-issue": Rule(_(DIRECTOR), post_only=True),
    "credentials:session-transcripts": Rule(_(DIRECTOR), post_only=True),
    "credentials:sessions": Rule("authenticated"),
    "credentials:transcript-issue": Rule(_(DIRECTOR), post_only=True),
    "enrolment-api:contract-detail": Rule(ABSENT),
    "enrolment-api:contract-list": Rule("authenticated"),
    "enrolment-api:contract-terminate": Rule(_(DIRECTOR), post_only=True),
    "enrolment-api:enrolment-detail": Rule(_(DIRECTOR)),
    "enrolment-api:enrolment-list": Rule("authenticated"),
    "enrolment-api:enrolment-reenrol": Rule(_(DIRECTOR), post_only=True),
    "enrolment-api:enrolment-transition": Rule(_(DIRECTOR), post_only=True),
    "enrolment-api:internship-detail": Rule(ABSENT),
    "enrolment-api:internship-list": Rule("authenticated"),
    "enrolment-api:learner-detail": Rule(_(DIRECTOR)),
    "enrolment-api:learner-list": Rule("authenticated"),
    "enrolment:admitted": Rule(_(DIRECTOR, COORDINATOR, ADMISSIONS)),
    "enrolment:application-learner": Rule(NOBODY),  # application B is not enrolled
    "enrolment:contract-add": Rule(_(DIRECTOR)),
    "enrolment:contract-terminate": Rule(ABSENT),
    "enrolment:contract-tutor": Rule(ABSENT),
    "enrolment:cvec-add": Rule(_(DIRECTOR), post_only=True),
    "enrolment:dashboard": Rule(_(DIRECTOR, COORDINATOR, ADMISSIONS, FINANCE)),
    "enrolment:enrol": Rule(_(DIRECTOR)),
    "enrolment:internship-add": Rule(_(DIRECTOR)),
    "enrolment:learner": Rule(_(DIRECTOR)),
    "enrolment:learner-update": Rule(_(DIRECTOR), post_only=True),
    "enrolment:me": Rule(_(LEARNER)),
    "enrolment:move": Rule(_(DIRECTOR), post_only=True),
    "enrolment:reenrol": Rule(_(DIRECTOR)),
    "finance-api:fee-quote": Rule("public"),
    "finance-api:fee-schedule-list": Rule("public"),
    # learner B's invoice: campus B's finance only (the director does not read invoices)
    "finance-api:invoice-detail": Rule(NOBODY),
    "finance-api:invoice-list": Rule("authenticated"),
    "finance-api:payment-list": Rule("authenticated"),
    "finance:export": Rule(_(FINANCE)),
    "finance:export-job": Rule(_(FINANCE), post_only=True),
    "finance-api:export": Rule(_(FINANCE), post_only=True),
    "finance:invoice-detail": Rule(NOBODY),
    "finance:invoice-list": Rule("authenticated"),
    # a background job: only the person who started it (the world's is the president's)
    "jobs:detail": Rule(_(PRESIDENT)),
    # the file her finished job made (an export): only she downloads it
    "jobs:file": Rule(_(PRESIDENT)),
    "jobs-api:job-file": Rule(_(PRESIDENT)),
    "jobs:list": Rule("authenticated"),
    "jobs-api:job-detail": Rule(_(PRESIDENT)),
    "jobs-api:job-list": Rule("authenticated"),
    "jury-api:my-appeals": Rule("authenticated", post_only=True),
    "jury-api:my-blocks": Rule("authenticated"),
    "jury-api:my-years": Rule("authenticated"),
    "jury-api:prior-validations": Rule(_(DIRECTOR)),
    "jury-api:prior-validations-import": Rule(_(DIRECTOR), post_only=True),
    "jury-api:session-certification-decisions": Rule(_(DIRECTOR)),
    "jury-api:session-close": Rule(_(DIRECTOR), post_only=True),
    "jury-api:session-correct": Rule(_(DIRECTOR), post_only=True),
    "jury-api:session-decide-appeal": Rule(_(DIRECTOR), post_only=True),
    "jury-api:session-decisions": Rule(_(DIRECTOR)),
    "jury-api:session-deliberate": Rule(_(DIRECTOR), post_only=True),
    "jury-api:session-detail": Rule(_(DIRECTOR)),
    "jury-api:session-list": Rule("authenticated"),
    "jury-api:session-override": Rule(_(DIRECTOR), post_only=True),
    "jury-api:session-preview": Rule(_(DIRECTOR), post_only=True),
    "jury-api:session-vae-outcome": Rule(_(DIRECTOR), post_only=True),
    "jury-api:session-verify": Rule(_(DIRECTOR)),
    "jury-api:session-what-if": Rule(_(DIRECTOR), post_only=True),
    "jury:appeal-decide": Rule(ABSENT),
    "jury:close": Rule(_(DIRECTOR)),
    "jury:correct": Rule(ABSENT),
    "jury:corrections": Rule(_(DIRECTOR)),
    "jury:dashboard": Rule("authenticated"),
    "jury:deliberate": Rule(_(DIRECTOR), post_only=True),
    "jury:grid": Rule(_(DIRECTOR)),
    "jury:minutes": Rule(NOBODY),  # session B is not closed: no minutes yet
    "jury:my-blocks": Rule(_(LEARNER)),
    "jury:my-vae": Rule(NOBODY),  # 404 without a VAE application (none built)
    "jury:override": Rule(ABSENT),
    "jury:prior-document": Rule(ABSENT),
    "jury:prior-import": Rule(_(DIRECTOR)),
    "jury:prior-list": Rule(_(DIRECTOR)),
    "jury:prior-new": Rule(_(DIRECTOR)),
    "jury:prior-template": Rule(_(DIRECTOR)),
    "jury:reasons": Rule(ABSENT),
    "jury:session-edit": Rule(_(DIRECTOR)),
    "jury:session-new": Rule(_(DIRECTOR)),
    "jury:vae-detail": Rule(ABSENT),
    "jury:vae-document-download": Rule(ABSENT),
    "jury:vae-document-preview": Rule(ABSENT),
    "jury:vae-list": Rule(_(DIRECTOR)),
    "jury:verify": Rule(_(DIRECTOR)),
    "jury:what-if": Rule(_(DIRECTOR)),
    "programmes-api:calendar-detail": Rule(NOBODY),  # no calendar built: 404
    "programmes-api:calendar-ics": Rule(NOBODY),  # no calendar built: 404
    "programmes-api:calendar-list": Rule("public"),
    "programmes-api:campus-detail": Rule("public"),
    "programmes-api:campus-list": Rule("public"),
    "programmes-api:course-detail": Rule("public"),
    "programmes-api:course-list": Rule("public"),
    "programmes-api:edition-application-window": Rule(_(DIRECTOR)),
    "programmes-api:edition-detail": Rule("public"),
    "programmes-api:edition-list": Rule("public"),
    "programmes-api:programme-detail": Rule("public"),
    "programmes-api:programme-list": Rule("public"),
    "programmes:calendar": Rule(NOBODY),  # no calendar built: 404
    "programmes:calendar-feed": Rule(ABSENT),
    "programmes:catalogue": Rule("public"),
    "programmes:catalogue-edition": Rule("public"),
    "programmes:edition-applications": Rule(_(DIRECTOR)),
    "referential-api:certification-detail": Rule("public"),
    "referential-api:certification-list": Rule("public"),
    "referential-api:register-import": Rule(_(DIRECTOR), post_only=True),
    "referential:certification-detail": Rule("public"),
    "referential:certification-list": Rule("public"),
    "referential:register-import": Rule(_(DIRECTOR)),
    "reporting-api:declaration-export": Rule(_(DIRECTOR), post_only=True),
    "reporting-api:declaration-file": Rule(ABSENT),
    "reporting-api:declaration-files": Rule(_(DIRECTOR)),
    "reporting-api:declaration-report": Rule(_(DIRECTOR), post_only=True),
    "reporting-api:declaration-resend": Rule(_(DIRECTOR), post_only=True),
    "reporting-api:declarations": Rule(_(DIRECTOR)),
    "reporting-api:indicators": Rule(ABSENT),
    "reporting-api:privacy-export": Rule(_(DIRECTOR), post_only=True),
    "reporting-api:privacy-mine": Rule("authenticated", post_only=True),
    "reporting-api:public-indicators": Rule(ABSENT),
    "reporting-api:survey-answer": Rule("public", post_only=True),
    "reporting-api:survey-detail": Rule(ABSENT),
    "reporting-api:survey-invite": Rule(_(DIRECTOR), post_only=True),
    "reporting-api:survey-list": Rule("authenticated"),
    "reporting-api:survey-rates": Rule(ABSENT),
    "reporting-api:survey-remind": Rule(_(DIRECTOR), post_only=True),
    "reporting:declarations": Rule(_(DIRECTOR)),
    "reporting:declarations-download": Rule(ABSENT),
    "reporting:declarations-export": Rule(_(DIRECTOR), post_only=True),
    "reporting:declarations-report": Rule(_(DIRECTOR), post_only=True),
    "reporting:declarations-resend": Rule(_(DIRECTOR), post_only=True),
    "reporting:indicators": Rule(_(DIRECTOR, COORDINATOR, ADMISSIONS, REFERENT, FINANCE)),
    "reporting:indicators-csv": Rule(ABSENT),
    "reporting:privacy": Rule(_(DIRECTOR)),
    "reporting:privacy-export": Rule(_(DIRECTOR), post_only=True),
    "reporting:privacy-mine": Rule("authenticated"),
    "reporting:survey-create": Rule(_(DIRECTOR)),
    "reporting:survey-detail": Rule(ABSENT),
    "reporting:survey-invite": Rule(_(DIRECTOR), post_only=True),
    "reporting:survey-list": Rule(_(DIRECTOR, COORDINATOR)),
    "reporting:survey-open-mine": Rule(_(DIRECTOR), post_only=True),
    "reporting:survey-remind": Rule(_(DIRECTOR), post_only=True),
    "results:index": Rule("public"),
    "results:programme": Rule("public"),
    "results:survey-answer": Rule(ABSENT),
    "verify:achievement": Rule("public"),
    "verify:achievement-block": Rule(ABSENT),
    "verify:did": Rule(NOBODY),  # 404 while the issuer is a did:key
    "verify:form": Rule("public"),
    "verify:page": Rule(ABSENT),
    "verify:status-list": Rule(ABSENT),
    "web:admissions-dashboard": Rule(_(DIRECTOR, ADMISSIONS)),
    "web:home": Rule("public"),
}

# campus A's staff see campus A's learners (enrolment.queries CAMPUS_STAFF)
CAMPUS_A_STAFF = _(DIRECTOR, COORDINATOR, ADMISSIONS, FINANCE)

# Route name → (which "A" object its pk names, who may open it): each user's own things.
OWN: dict[str, tuple[str, Rule]] = {
    "enrolment:learner": ("learner", Rule(CAMPUS_A_STAFF | _(LEARNER, TUTOR))),
    "enrolment-api:learner-detail": ("learner", Rule(CAMPUS_A_STAFF | _(LEARNER, TUTOR))),
    "enrolment-api:enrolment-detail": ("enrolment", Rule(CAMPUS_A_STAFF | _(LEARNER, TUTOR))),
    "admissions:application-detail": ("application", Rule(_(DIRECTOR, ADMISSIONS, CANDIDATE))),
    "admissions-api:application-detail": ("application", Rule(_(DIRECTOR, ADMISSIONS, CANDIDATE))),
    # only finance staff (and the payer) read invoices, not the director (finance_scope)
    "finance:invoice-detail": ("invoice", Rule(_(FINANCE, LEARNER))),
    "finance-api:invoice-detail": ("invoice", Rule(_(FINANCE, LEARNER))),
    "jury:grid": ("session", Rule(_(DIRECTOR, PRESIDENT, MEMBER))),
    "jury-api:session-detail": ("session", Rule(_(DIRECTOR, PRESIDENT, MEMBER))),
    "credentials:session": ("session", Rule(_(DIRECTOR, PRESIDENT, MEMBER))),
    "assessment:results": ("assessment", Rule(_(DIRECTOR, LECTURER))),
    "assessment-api:assessment-detail": ("assessment", Rule(_(DIRECTOR, LECTURER))),
}
