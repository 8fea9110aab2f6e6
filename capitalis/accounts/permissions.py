"""One permission model for the whole project: who may read and act on what, declared once.

``TABLE`` names every protected resource (an application, an enrolment, an invoice, a jury
session...) with:

- the model it is stored in, by label (``"enrolment.Enrolment"``): accounts comes before the
  other apps and never imports them; the model is looked up when a query is built;
- the *paths* from that model to what a grant or a person can be matched with: its campus, its
  course, its admission jury, its owner, its tutor, the people who sit on its jury session;
- its *rules*: for each action ("read", "manage", "decide", "issue"...), which roles reach it
  and through which reach (the whole school, the campus / course / admission jury of the grant,
  or the person's own link to the row).

Two generic functions read the table: :func:`visible` builds the queryset filter of the rows a
user may see (or act on), :func:`can` answers for one object (or one campus / course id) with a
reason. The apps' ``*_for`` queries and ``can_*`` checks delegate to them, so a rule is changed
here and nowhere else. See docs/architecture.md, "Permissions: one table".
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet

from capitalis.accounts.queries import grants_for
from capitalis.accounts.rules import STAFF_ROLES, Grant, Role, ScopeKind


class Reach(enum.StrEnum):
    """How a rule reaches the rows of a resource.

    The first five go through the user's grants: ``SCHOOL`` needs a whole-school (GLOBAL) grant
    of the role; ``CAMPUS``, ``COURSE``, ``JURY_SESSION`` and ``ADMISSION_JURY`` match the
    row's campus / course / session / admission jury with the grants of that scope kind (a
    GLOBAL grant of the role covers every one, as in ``rules.has_role``). The last five go
    through the row itself: the user is its owner, its tutor, sits on its jury, presides it, or
    sits on a session that may still take it up (``MAY_HEAR``: an open session of a VAE
    candidate's version, before one is chosen; the rule's ``where`` says which sessions).
    """

    SCHOOL = "school"
    CAMPUS = "campus"
    COURSE = "course"
    JURY_SESSION = "jury_session"
    ADMISSION_JURY = "admission_jury"
    OWN = "own"
    TUTOR = "tutor"
    SITS_ON = "sits_on"
    PRESIDES = "presides"
    MAY_HEAR = "may_hear"


SCOPED: dict[Reach, ScopeKind] = {
    Reach.CAMPUS: ScopeKind.CAMPUS,
    Reach.COURSE: ScopeKind.COURSE,
    Reach.JURY_SESSION: ScopeKind.JURY_SESSION,
    Reach.ADMISSION_JURY: ScopeKind.ADMISSION_JURY,
}
PERSONAL = frozenset({Reach.OWN, Reach.TUTOR, Reach.SITS_ON, Reach.PRESIDES, Reach.MAY_HEAR})


@dataclass(frozen=True)
class Rule:
    """``roles`` may do ``actions`` on the rows they reach through ``reach``. For a personal
    reach (own, tutor, sits on, presides) an empty ``roles`` means any signed-in person.
    ``where`` narrows the rows further (field path -> value), e.g. the disability referent
    reads only the applications that ask for an accommodation. A ``where`` path that crosses a
    relation (``__``) is checked in the database, in the same subquery as a to-many path of
    the rule (so "an *open* session she sits on" is one session, not two)."""

    actions: frozenset[str]
    reach: Reach
    roles: frozenset[Role] = frozenset()
    where: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Resource:
    """A protected kind of row: its model, its paths per reach and its rules. A path listed in
    ``many`` crosses a to-many relation: it is matched in a subquery, so a row is never
    repeated. ``superuser``: whether a Django superuser reaches every row (some apps only trust
    grants)."""

    name: str
    model: str
    paths: Mapping[Reach, tuple[str, ...]]
    rules: tuple[Rule, ...]
    many: frozenset[str] = frozenset()
    superuser: bool = True

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)


def _rule(actions: str, reach: Reach, *roles: Role, **where: Any) -> Rule:
    return Rule(frozenset(actions.split()), reach, frozenset(roles), tuple(sorted(where.items())))


R = Role
PD, AO, CC, FIN = R.PROGRAMME_DIRECTOR, R.ADMISSIONS_OFFICER, R.CAMPUS_COORDINATOR, R.FINANCE
JURY = (R.JURY_PRESIDENT, R.JURY_MEMBER)

# What enrolment staff read: the whole school (global grant) or their campus; the learner her
# own rows; the employer tutor his apprentices'. Enrolling is for the director and the campus's
# admissions officers and coordinators.
_ENROLMENT_RULES = (
    _rule("read manage", Reach.SCHOOL, PD),
    _rule("read", Reach.SCHOOL, AO, FIN),
    _rule("read", Reach.CAMPUS, AO, CC, FIN),
    _rule("manage", Reach.CAMPUS, AO, CC),
    _rule("read", Reach.OWN),
    _rule("read", Reach.TUTOR, R.EMPLOYER_TUTOR),
)
# A work-study contract or an internship: by its enrolment, and its own employer tutor.
_PLACEMENT_PATHS: Mapping[Reach, tuple[str, ...]] = MappingProxyType(
    {
        Reach.CAMPUS: ("enrolment__campus_id",),
        Reach.OWN: ("enrolment__learner__user_id",),
        Reach.TUTOR: ("tutor_id",),
    }
)


def _session_issued(name: str, model: str, director_actions: str) -> Resource:
    """What a jury session issues to a learner (her credential, its documents): the director
    may do ``director_actions`` school-wide; the learner reads hers; the session's jury reads
    them and its president revokes them. Grants only (no superuser bypass)."""
    return Resource(
        name,
        model,
        {
            Reach.OWN: ("learner__user_id",),
            Reach.SITS_ON: ("session__president_id", "session__members"),
            Reach.PRESIDES: ("session__president_id",),
        },
        (
            _rule(director_actions, Reach.SCHOOL, PD),
            _rule("read", Reach.OWN),
            _rule("read", Reach.SITS_ON),
            _rule("revoke", Reach.PRESIDES),
        ),
        many=frozenset({"session__members"}),
        superuser=False,
    )


TABLE: dict[str, Resource] = {
    r.name: r
    for r in (
        # --- accounts ----------------------------------------------------------------------
        # The school's people and their role grants: the programme director (whole school)
        # lists accounts, creates staff accounts (with their invitation) and grants or
        # withdraws roles.
        Resource(
            "account",
            "accounts.User",
            {},
            (_rule("read manage", Reach.SCHOOL, PD),),
        ),
        # --- admissions ------------------------------------------------------------------
        Resource(
            "application",
            "admissions.Application",
            {
                Reach.CAMPUS: ("campus_id",),
                Reach.ADMISSION_JURY: ("jury_id",),
                Reach.OWN: ("candidate_id",),
            },
            (
                _rule("read manage decide arrangements record_fee", Reach.SCHOOL, PD),
                _rule("read", Reach.SCHOOL, AO),
                _rule("read manage record_fee", Reach.CAMPUS, AO),
                _rule("record_fee", Reach.CAMPUS, FIN),
                _rule("read decide arrangements", Reach.ADMISSION_JURY, *JURY),
                _rule("read", Reach.CAMPUS, R.DISABILITY_REFERENT, accommodation_requested=True),
                _rule("arrangements", Reach.CAMPUS, R.DISABILITY_REFERENT),
                _rule("read", Reach.OWN),
                _rule("read", Reach.OWN, R.CANDIDATE),  # the role offered it, rows or not
            ),
            superuser=False,
        ),
        Resource(
            "admission_jury",
            "admissions.AdmissionJury",
            {Reach.CAMPUS: ("campus_id",), Reach.ADMISSION_JURY: ("id",)},
            (
                _rule("read manage", Reach.SCHOOL, PD),
                _rule("read manage", Reach.CAMPUS, AO),
                _rule("read", Reach.ADMISSION_JURY, *JURY),
            ),
            superuser=False,
        ),
        Resource(
            "interview_slot",
            "admissions.InterviewSlot",
            {Reach.CAMPUS: ("campus_id",), Reach.SITS_ON: ("interviewers",)},
            (
                _rule("read manage", Reach.SCHOOL, PD),
                _rule("read manage", Reach.CAMPUS, AO),
                _rule("read", Reach.SITS_ON),
            ),
            many=frozenset({"interviewers"}),
            superuser=False,
        ),
        # --- enrolment -------------------------------------------------------------------
        Resource(
            "enrolment",
            "enrolment.Enrolment",
            {
                Reach.CAMPUS: ("campus_id",),
                Reach.OWN: ("learner__user_id",),
                Reach.TUTOR: (
                    "learner__enrolments__contracts__tutor_id",
                    "learner__enrolments__internships__tutor_id",
                ),
            },
            _ENROLMENT_RULES,
            many=frozenset(
                {
                    "learner__enrolments__contracts__tutor_id",
                    "learner__enrolments__internships__tutor_id",
                }
            ),
        ),
        Resource(
            "learner",
            "enrolment.Learner",
            {
                Reach.CAMPUS: ("enrolments__campus_id",),
                Reach.OWN: ("user_id",),
                Reach.TUTOR: (
                    "enrolments__contracts__tutor_id",
                    "enrolments__internships__tutor_id",
                ),
            },
            _ENROLMENT_RULES,
            many=frozenset(
                {
                    "enrolments__campus_id",
                    "enrolments__contracts__tutor_id",
                    "enrolments__internships__tutor_id",
                }
            ),
        ),
        # A tutor sees only the contracts and internships he tutors, not another employer's.
        Resource("contract", "enrolment.Contract", _PLACEMENT_PATHS, _ENROLMENT_RULES),
        Resource("internship", "enrolment.Internship", _PLACEMENT_PATHS, _ENROLMENT_RULES),
        # --- finance ---------------------------------------------------------------------
        Resource(
            "invoice",
            "finance.Invoice",
            {Reach.CAMPUS: ("campus_id",), Reach.OWN: ("customer_id",)},
            (
                _rule("read manage", Reach.CAMPUS, FIN),
                _rule("reconcile", Reach.SCHOOL, FIN),
                _rule("read", Reach.OWN),
                _rule("read", Reach.OWN, R.CANDIDATE),  # offered to the role (application fees)
            ),
        ),
        Resource(
            "payment",
            "finance.Payment",
            {Reach.CAMPUS: ("invoice__campus_id",), Reach.OWN: ("invoice__customer_id",)},
            (
                _rule("read manage", Reach.CAMPUS, FIN),
                _rule("read", Reach.OWN),
            ),
        ),
        # --- assessment ------------------------------------------------------------------
        Resource(
            "assessment",
            "assessment.Assessment",
            {Reach.COURSE: ("course_id",)},
            (
                _rule("read manage", Reach.SCHOOL, PD),
                _rule("read manage", Reach.COURSE, R.LECTURER),
            ),
        ),
        Resource(
            "assessment_group",
            "assessment.AssessmentGroup",
            {Reach.COURSE: ("assessment__course_id",)},
            (
                _rule("read manage", Reach.SCHOOL, PD),
                _rule("read manage", Reach.COURSE, R.LECTURER),
            ),
        ),
        # The catalogue is public; only the director sets an edition's application window.
        Resource(
            "edition",
            "programmes.Edition",
            {},
            (_rule("manage", Reach.SCHOOL, PD),),
        ),
        Resource(
            "course",
            "programmes.Course",
            {Reach.COURSE: ("id",)},
            (
                _rule("teach", Reach.SCHOOL, PD),
                _rule("teach", Reach.COURSE, R.LECTURER),
            ),
        ),
        # --- certification jury ----------------------------------------------------------
        # Who sits on a session is the session's own president and members, not a grant.
        Resource(
            "jury_session",
            "jury.JurySession",
            {Reach.SITS_ON: ("president_id", "members"), Reach.PRESIDES: ("president_id",)},
            (
                _rule("read manage schedule", Reach.SCHOOL, PD),
                _rule("read sit", Reach.SITS_ON),
                _rule("manage preside", Reach.PRESIDES),
            ),
            many=frozenset({"members"}),
            superuser=False,
        ),
        # VAE candidates: the director registers and follows them; the candidate reads hers
        # and adds documents to her dossier (the VAE candidate role is the one offered it:
        # someone registered from an existing account reads hers without the role). The jury
        # reads the dossier it interviews: the jury of its session or, before the interview,
        # of an open session of her version (which may hold it).
        Resource(
            "vae_candidate",
            "jury.VaeCandidate",
            {
                Reach.OWN: ("learner__user_id",),
                Reach.SITS_ON: ("dossier__session__president_id", "dossier__session__members"),
                Reach.MAY_HEAR: (
                    "version__jury_sessions__president_id",
                    "version__jury_sessions__members",
                ),
            },
            (
                _rule("read manage submit", Reach.SCHOOL, PD),
                _rule("read submit", Reach.OWN),
                _rule("read", Reach.OWN, R.VAE_CANDIDATE),
                _rule("read", Reach.SITS_ON),
                _rule(
                    "read",
                    Reach.MAY_HEAR,
                    dossier__isnull=False,
                    dossier__session__isnull=True,
                    version__jury_sessions__status="open",
                ),
            ),
            many=frozenset(
                {
                    "dossier__session__members",
                    "version__jury_sessions__president_id",
                    "version__jury_sessions__members",
                }
            ),
        ),
        # Blocks validated before Capitalis: the director records them (the one who schedules
        # the juries that will count them).
        Resource(
            "block_validation",
            "jury.BlockValidation",
            {},
            (_rule("manage", Reach.SCHOOL, PD),),
        ),
        Resource(
            "certification_decision",
            "jury.CertificationDecision",
            {Reach.SITS_ON: ("session__president_id", "session__members")},
            (
                _rule("read", Reach.SCHOOL, PD),
                _rule("read", Reach.SITS_ON),
            ),
            many=frozenset({"session__members"}),
            superuser=False,
        ),
        # --- credentials -----------------------------------------------------------------
        _session_issued("credential", "credentials.Credential", "read revoke manage"),
        _session_issued("document", "credentials.IssuedDocument", "read revoke"),
        # --- reporting and the register -------------------------------------------------
        # Indicators: the whole school (global grants) or the campuses one is staff of.
        Resource(
            "indicators",
            "programmes.Campus",
            {Reach.CAMPUS: ("id",)},
            (
                _rule("read", Reach.SCHOOL, PD, AO, FIN),
                _rule("read", Reach.CAMPUS, CC, AO, FIN, R.DISABILITY_REFERENT),
            ),
        ),
        # Surveys: the director runs them; a campus coordinator reads those of the editions
        # with learners on her campus.
        Resource(
            "survey",
            "reporting.Survey",
            {Reach.CAMPUS: ("edition__enrolments__campus_id",)},
            (
                _rule("read manage", Reach.SCHOOL, PD),
                _rule("read", Reach.CAMPUS, CC),
            ),
            many=frozenset({"edition__enrolments__campus_id"}),
        ),
        Resource(
            "personal_data_request",
            "reporting.PersonalDataRequest",
            {},
            (_rule("read manage", Reach.SCHOOL, PD),),
        ),
        Resource(
            "award_declaration",
            "reporting.AwardDeclaration",
            {},
            (_rule("read manage", Reach.SCHOOL, PD),),
        ),
        Resource(
            "register",
            "referential.Certification",
            {},
            (_rule("import", Reach.SCHOOL, PD),),
        ),
        # A transcript: the learner's own enrolment (and, through "certification_decision",
        # those decided by a session one sits on).
        Resource(
            "transcript",
            "enrolment.Enrolment",
            {Reach.OWN: ("learner__user_id",)},
            (
                _rule("read", Reach.SCHOOL, PD),
                _rule("read", Reach.OWN),
            ),
            superuser=False,
        ),
    )
}


class UnknownResource(LookupError):
    """A resource name that is not in ``TABLE`` (a typo must fail loudly, never open)."""


def resource(name: str) -> Resource:
    try:
        return TABLE[name]
    except KeyError:
        raise UnknownResource(name) from None


# --- who is asking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """The person asking, as the table needs her: id, superuser flag and grants. Built once
    (one query) and passed around when several checks are made in a row."""

    user_id: int | None
    superuser: bool = False
    grants: frozenset[Grant] = field(default_factory=frozenset)

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None or bool(self.grants)

    @classmethod
    def of_grants(cls, grants: frozenset[Grant]) -> Principal:
        """Only the grants (no person): for the checks that go through grants alone."""
        return cls(None, False, grants)


def principal(user: Any, *, with_grants: bool = True) -> Principal:
    """``user`` (a User, AnonymousUser, None or already a Principal) as a Principal. Reading
    the grants is one query; ``with_grants=False`` skips it (for rules that need no role)."""
    if isinstance(user, Principal):
        return user
    if user is None or not getattr(user, "is_authenticated", False):
        return Principal(None)
    grants = grants_for(user=user) if with_grants else frozenset()
    return Principal(user.pk, bool(user.is_superuser), grants)


def _asker(user: Any, rules: list[Rule]) -> Principal:
    """The Principal for these rules: without reading grants when every rule is personal
    with no role (e.g. "sits on this session": the session's own lists decide)."""
    needs = any(r.roles or r.reach not in PERSONAL for r in rules)
    return principal(user, with_grants=needs)


def _holds(who: Principal, roles: frozenset[Role]) -> bool:
    """A personal rule's roles: any signed-in person when empty, else one of the roles."""
    return not roles or any(g.role in roles for g in who.grants)


def _global(who: Principal, roles: frozenset[Role]) -> bool:
    return any(g.role in roles and g.scope is ScopeKind.GLOBAL for g in who.grants)


def _scoped_ids(who: Principal, roles: frozenset[Role], kind: ScopeKind) -> set[int]:
    return {
        g.scope_id
        for g in who.grants
        if g.role in roles and g.scope is kind and g.scope_id is not None
    }


def _rules(res: Resource, action: str) -> list[Rule]:
    found = [r for r in res.rules if action in r.actions]
    if not found:
        known = sorted({a for r in res.rules for a in r.actions})
        raise UnknownResource(f"{res.name}: no action {action!r} (known: {', '.join(known)})")
    return found


# --- querysets ---------------------------------------------------------------------------------

NOTHING = Q(pk__in=[])
EVERYTHING = Q()


def _where(rule: Rule) -> Q:
    return Q(**dict(rule.where)) if rule.where else EVERYTHING


def _path_q(res: Resource, path: str, lookup: str, value: Any, rule: Rule | None = None) -> Q:
    """The rows whose ``path`` matches ``value`` (and the rule's ``where``). A to-many path is
    matched in a subquery, with the ``where`` inside it: one related row meets both."""
    q = Q(**{f"{path}{lookup}": value})
    where = _where(rule) if rule is not None else EVERYTHING
    if path in res.many:
        return Q(pk__in=res.model_class()._default_manager.filter(q & where).values("pk"))
    return q & where


def _plain(rule: Rule) -> bool:
    """Whether the rule's ``where`` reads the row's own fields only (checked in Python)."""
    return all("__" not in p for p, _v in rule.where)


def visible(user: Any, name: str, action: str = "read") -> Q:
    """The rows of resource ``name`` that ``user`` may ``action``, as a filter: ``EVERYTHING``
    (``Q()``) for all of them, ``NOTHING`` for none. Raises UnknownResource for a name or an
    action the table does not declare."""
    res = resource(name)
    rules = _rules(res, action)
    who = _asker(user, rules)
    if not who.signed_in:
        return NOTHING
    if res.superuser and who.superuser:
        return EVERYTHING
    parts: list[Q] = []
    for rule in rules:
        if rule.reach is Reach.SCHOOL or (rule.reach in SCOPED and _global(who, rule.roles)):
            if _global(who, rule.roles):
                if not rule.where:
                    return EVERYTHING
                parts.append(_where(rule))
            continue
        if rule.reach in SCOPED:
            ids = _scoped_ids(who, rule.roles, SCOPED[rule.reach])
            if ids:
                for path in res.paths[rule.reach]:
                    parts.append(_path_q(res, path, "__in", sorted(ids), rule))
            continue
        if who.user_id is not None and _holds(who, rule.roles):
            for path in res.paths[rule.reach]:
                part = _path_q(res, path, "", who.user_id, rule)
                if part not in parts:  # a role's rule may repeat the everyone's one
                    parts.append(part)
    if not parts:
        return NOTHING
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def sees_all(user: Any, name: str, action: str = "read") -> bool:
    """Does ``user`` reach every row of ``name`` for ``action``?"""
    return visible(user, name, action) == EVERYTHING


def scope_ids(user: Any, name: str, action: str, reach: Reach) -> set[int] | None:
    """The campus / course / ... ids where ``user`` may ``action`` on ``name`` through its
    grants: None for every one (superuser, whole-school grant), an empty set for none."""
    res = resource(name)
    who = principal(user)
    if not who.signed_in:
        return set()
    if res.superuser and who.superuser:
        return None
    ids: set[int] = set()
    for rule in _rules(res, action):
        if rule.reach is Reach.SCHOOL or (rule.reach in SCOPED and _global(who, rule.roles)):
            if _global(who, rule.roles):
                return None
        elif rule.reach is reach:
            ids |= _scoped_ids(who, rule.roles, SCOPED[reach])
    return ids


M = TypeVar("M", bound=Model)


def restrict(qs: QuerySet[M], user: Any, name: str, action: str = "read") -> QuerySet[M]:
    """``qs`` narrowed to what ``user`` may ``action`` (unchanged when she reaches it all)."""
    q = visible(user, name, action)
    return qs if q == EVERYTHING else qs.filter(q)


# --- one object ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A yes/no answer with its reason (which rule allowed, or why nothing did)."""

    ok: bool
    reason: str

    def __bool__(self) -> bool:
        return self.ok


def _resolve(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        try:
            value = getattr(value, part)
        except ObjectDoesNotExist:  # a reverse one-to-one not created yet
            return None
    return value


def _in_db(res: Resource, obj: Any, q: Q) -> bool:
    return res.model_class()._default_manager.filter(pk=obj.pk).filter(q).exists()


def _where_holds(res: Resource, rule: Rule, obj: Any) -> bool:
    """Does ``obj`` meet the rule's ``where``? (A personal rule's ``where`` that crosses a
    relation is checked later, with its path, in one query.)"""
    if obj is None or not rule.where:
        return True
    if _plain(rule):
        return all(_resolve(obj, p) == v for p, v in rule.where)
    return rule.reach in PERSONAL or _in_db(res, obj, _where(rule))


def can(user: Any, action: str, name: str, obj: Any = None, **at: int | None) -> Decision:
    """May ``user`` do ``action`` on ``obj`` (a row of resource ``name``)?

    Without ``obj``, ``at`` gives the scope ids to check (``campus=3``, ``course=7``): "may she
    manage enrolments on campus 3?". With neither, the question is "anywhere at all?": any
    whole-school grant, or any grant of a role on the rule's scope kind. Personal rules (own,
    tutor, sits on) need the object."""
    res = resource(name)
    rules = _rules(res, action)
    who = _asker(user, rules)
    if not who.signed_in:
        return Decision(False, "not signed in")
    if res.superuser and who.superuser:
        return Decision(True, "superuser")
    for rule in rules:
        if not _where_holds(res, rule, obj):
            continue
        if rule.reach is Reach.SCHOOL:
            if _global(who, rule.roles):
                return Decision(True, f"{action} {name}: whole-school grant")
            continue
        if rule.reach in SCOPED:
            kind = SCOPED[rule.reach]
            if obj is None and kind.value not in at:
                if at:  # asked about another kind of scope: this rule does not answer
                    continue
                if _global(who, rule.roles) or _scoped_ids(who, rule.roles, kind):
                    return Decision(True, f"{action} {name}: a {kind.value} grant")
                continue
            if _global(who, rule.roles):
                return Decision(True, f"{action} {name}: whole-school grant")
            values = (
                {at[kind.value]}
                if obj is None
                else {_resolve(obj, p) for p in res.paths[rule.reach] if p not in res.many}
            )
            values.discard(None)
            if values & _scoped_ids(who, rule.roles, kind):
                return Decision(True, f"{action} {name}: grant on this {kind.value}")
            continue
        if obj is None or who.user_id is None or not _holds(who, rule.roles):
            continue
        for path in res.paths[rule.reach]:
            if path in res.many or not _plain(rule):
                hit = _in_db(res, obj, _path_q(res, path, "", who.user_id, rule))
            else:
                hit = _resolve(obj, path) == who.user_id
            if hit:
                return Decision(True, f"{action} {name}: {rule.reach.value}")
    return Decision(False, f"no rule lets this person {action} this {name}")


# --- who is offered what (the navigation) ----------------------------------------------------


def is_staff(user: Any) -> bool:
    """Does ``user`` work for the school: a staff role on any scope, or a superuser?"""
    who = principal(user)
    return who.superuser or any(g.role in STAFF_ROLES for g in who.grants)


def administers(user: Any) -> bool:
    """May ``user`` open the site's administration (Django's admin: superusers only)?"""
    return principal(user, with_grants=False).superuser


def personal_role(user: Any, action: str, name: str) -> bool:
    """Does ``user`` hold a role that a personal rule of ``name`` names for ``action`` (the
    employer tutor for the learners he tutors, the VAE candidate for her case)? Rows or not:
    the navigation offers the page to the role, empty until there is something behind it."""
    rules = [r for r in _rules(resource(name), action) if r.reach in PERSONAL and r.roles]
    if not rules:
        return False
    who = principal(user)
    return who.user_id is not None and any(_holds(who, r.roles) for r in rules)


def owns_any(user: Any, name: str) -> bool:
    """Is ``user`` the owner of some row of ``name`` (its ``OWN`` path: her application...)?"""
    res = resource(name)
    who = principal(user, with_grants=False)
    if who.user_id is None or Reach.OWN not in res.paths:
        return False
    rows = res.model_class()._default_manager
    return any(rows.filter(_path_q(res, p, "", who.user_id)).exists() for p in res.paths[Reach.OWN])
