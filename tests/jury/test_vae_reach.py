"""Who reads a VAE candidate's file is the "vae_candidate" entry of the permission table: the
candidate, VAE staff, the jury of her dossier's session and, before the interview, the jury of
an open session of her version. A juror of another version's session, of a closed session, or
of another session once the interview is recorded gets 404 (the page and the query agree)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.jury import queries, services
from capitalis.jury.models import JurySession, VaeCandidate
from tests.jury.builders import person, session, world

pytestmark = pytest.mark.django_db


def _sees(user: User, candidate: VaeCandidate) -> bool:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    status = client.get(f"/jury/vae/{candidate.pk}/").status_code
    assert status in (200, 404)
    found = queries.vae_candidate_for(user=user, pk=candidate.pk) is not None
    allowed = permissions.can(user, "read", "vae_candidate", candidate).ok
    assert found is allowed is (status == 200), (user.email, found, allowed, status)
    return found


def _candidate(w, email: str, *, admissible: bool = True) -> VaeCandidate:
    candidate = services.vae_candidate_create(
        user=person(email, "Candidate Vae", (Role.VAE_CANDIDATE, ScopeKind.GLOBAL, None)),
        version=w.version,
        experience_summary="Expérience fictive.",
        experience_years=8,
        actor=w.director,
    )
    if not admissible:
        return candidate
    return services.vae_admissibility_decide(
        candidate=candidate, admissible=True, note="Utile", actor=w.director, today=dt.date.today()
    )


def _other_session(w, version, prefix: str) -> JurySession:
    return services.session_create(
        version=version,
        date=dt.date(2025, 7, 2),
        title=f"Jury {prefix}",
        president=person(f"{prefix}-president@example.org", "Présidence Autre"),
        members=[person(f"{prefix}-member@example.org", "Membre Autre")],
        enrolments=[],
        actor=w.director,
    )


def test_a_juror_of_an_open_session_of_her_version_reads_the_file_another_version_does_not():
    w = world(learners=1)
    session(w)  # open, for the candidate's version
    other = _other_session(w, w.earlier, "earlier")  # open, for another version
    candidate = _candidate(w, "vae@example.org")
    assert _sees(w.president, candidate) and _sees(w.member, candidate)
    assert not _sees(other.president, candidate)
    assert not _sees(other.members.get(), candidate)
    assert _sees(candidate.learner.user, candidate) and _sees(w.director, candidate)
    assert not _sees(w.enrolments[0].learner.user, candidate)


def test_no_dossier_yet_or_a_closed_session_opens_nothing_to_a_juror():
    w = world(learners=1)
    held = session(w)
    pending = _candidate(w, "pending@example.org", admissible=False)
    assert not _sees(w.member, pending)  # no dossier yet: nothing to examine
    assert _sees(pending.learner.user, pending)
    closed_at = dt.datetime(2025, 7, 1, 18, tzinfo=dt.UTC)
    JurySession.objects.filter(pk=held.pk).update(status="closed", closed_at=closed_at)
    candidate = _candidate(w, "vae@example.org")
    fresh = _other_session(w, w.version, "fresh")  # open, another jury
    # the member's session is closed: he may no longer take the case up, though another
    # session of her version is open (the open session must be one he sits on)
    assert not _sees(w.member, candidate)
    assert _sees(fresh.president, candidate)


def test_once_interviewed_only_the_jury_of_her_session_reads_the_file():
    w = world(learners=1)
    held = session(w)
    candidate = _candidate(w, "vae@example.org")
    later = _other_session(w, w.version, "later")  # another open session of her version
    assert _sees(later.president, candidate)
    services.vae_interview_record(
        dossier=candidate.dossier, session=held, on=dt.date(2025, 7, 1), note="", actor=w.member
    )
    candidate.refresh_from_db()
    assert _sees(w.member, candidate) and _sees(w.president, candidate)
    assert not _sees(later.president, candidate)
