"""The scheduling page: a programme director sees it in French and English, previews the
learners before saving, and bad input shows field errors, keeps what she typed and changes
nothing; nobody else reaches it. The close page lists undecided VAE cases; the VAE page shows
a case a closed session left undecided as pending."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from capitalis.accounts.models import User
from capitalis.jury import queries, services
from capitalis.jury.models import JurySession, VaeDossier
from tests.jury.builders import grade, person, world

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "fr") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(user)
    return c


def _world():
    w = world(learners=2)
    User.objects.filter(pk__in=[w.president.pk, w.member.pk, w.member2.pk]).update(is_staff=True)
    return w


def _form(w, **changes):
    data = {
        "title": "Jury de juin",
        "version": str(w.version.pk),
        "date": "2026-06-01",
        "appeal_days": "30",
        "president": str(w.president.pk),
        "members": [str(w.member.pk)],
        "edition": str(w.edition.pk),
        "campus": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("language", "heading", "button"),
    [
        ("fr", "Programmer une session de jury", "Prévisualiser les apprenants"),
        ("en", "Schedule a jury session", "Preview the learners"),
    ],
)
def test_the_page_renders_in_both_languages(language, heading, button):
    w = _world()
    r = client_for(w.director, language).get(reverse("jury:session-new"))
    html = r.content.decode()
    assert r.status_code == 200 and heading in html and button in html
    dashboard = client_for(w.director, language).get(reverse("jury:dashboard")).content.decode()
    assert reverse("jury:session-new") in dashboard


def test_preview_then_save():
    w = _world()
    c = client_for(w.director)
    r = c.post(reverse("jury:session-new"), {**_form(w), "action": "preview"})
    html = r.content.decode()
    assert r.status_code == 200 and "2 apprenants dans le périmètre" in html
    assert all(str(e.learner) in html for e in w.enrolments)
    assert JurySession.objects.count() == 0  # nothing saved by the preview
    fingerprint = r.context["fingerprint"]
    # saving with other filters than the previewed ones shows the new list first
    r = c.post(
        reverse("jury:session-new"),
        {**_form(w, edition=""), "action": "save", "previewed": fingerprint},
    )
    assert r.status_code == 400 and JurySession.objects.count() == 0
    r = c.post(
        reverse("jury:session-new"), {**_form(w), "action": "save", "previewed": fingerprint}
    )
    assert r.status_code == 302
    s = JurySession.objects.get()
    assert (s.title, s.president, list(s.members.all())) == (
        "Jury de juin",
        w.president,
        [w.member],
    )
    assert s.learners.count() == 2


def test_bad_input_shows_field_errors_keeps_input_changes_nothing():
    w = _world()
    c = client_for(w.director)
    r = c.post(
        reverse("jury:session-new"), {**_form(w, date="", title="Mon jury"), "action": "preview"}
    )
    html = r.content.decode()
    assert r.status_code == 400 and "Ce champ est obligatoire." in html
    assert 'value="Mon jury"' in html
    r = c.post(reverse("jury:session-new"), {**_form(w), "action": "preview"})
    fingerprint = r.context["fingerprint"]
    r = c.post(
        reverse("jury:session-new"),
        {
            **_form(w, members=[str(w.president.pk)], title="Mon jury"),
            "action": "save",
            "previewed": fingerprint,
        },
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert "Le président ne peut pas figurer aussi parmi les membres." in html
    assert r.context["form"].errors["members"]
    assert 'value="Mon jury"' in html
    assert JurySession.objects.count() == 0
    # someone else's id (a learner) is not a choice
    r = c.post(
        reverse("jury:session-new"),
        {**_form(w, president=str(w.enrolments[0].learner.user_id)), "action": "preview"},
    )
    assert r.status_code == 400 and r.context["form"].errors["president"]


def test_only_the_programme_director_reaches_the_page_and_edits():
    w = _world()
    s = services.session_create(
        version=w.version,
        date=dt.date(2026, 6, 1),
        title="Jury de juin",
        president=w.president,
        members=[w.member],
        filters=queries.ScopeFilters(edition=w.edition.pk),
        actor=w.director,
    )
    for user in (w.president, w.member, person("x@example.org", "X")):
        assert client_for(user).get(reverse("jury:session-new")).status_code == 404
        assert client_for(user).get(reverse("jury:session-edit", args=[s.pk])).status_code == 404
    r = client_for(w.director).get(reverse("jury:session-edit", args=[s.pk]))
    assert r.status_code == 200 and 'value="Jury de juin"' in r.content.decode()
    assert "Jury de juin" in client_for(w.member).get(reverse("jury:dashboard")).content.decode()


def test_close_page_lists_the_undecided_vae_case_and_the_vae_page_shows_it_pending():
    w = _world()
    cand = services.vae_candidate_create(
        user=person("vae@example.org", "Candidate Vae"),
        version=w.version,
        experience_summary="",
        experience_years=9,
        actor=w.director,
    )
    services.vae_admissibility_decide(
        candidate=cand, admissible=True, note="ok", actor=w.director, today=dt.date(2025, 3, 1)
    )
    dossier = VaeDossier.objects.get(candidate=cand)
    services.vae_document_add(
        dossier=dossier, title="Livret", blocks=w.blocks[:1], actor=w.director
    )
    s = services.session_create(
        version=w.version,
        date=timezone.localdate(),
        title="Jury du jour",
        president=w.president,
        filters=queries.ScopeFilters(edition=w.edition.pk, vae=True),
        actor=w.director,
    )
    grade(w, w.enrolments[0], w.blocks[0], 12)
    services.deliberate(session=s, actor=w.president)
    c = client_for(w.president)
    html = c.get(reverse("jury:close", args=[s.pk])).content.decode()
    assert "Candidate Vae" in html and 'value="leave"' in html
    r = c.post(reverse("jury:close", args=[s.pk]))
    assert r.status_code == 400 and JurySession.objects.get(pk=s.pk).status == "open"
    r = c.post(reverse("jury:close", args=[s.pk]), {"pending": "leave"})
    assert r.status_code == 302 and JurySession.objects.get(pk=s.pk).status == "closed"
    page = client_for(w.director).get(reverse("jury:vae-detail", args=[cand.pk])).content.decode()
    assert "il reste en attente et peut être inscrit à une nouvelle session" in page
    assert "en attente d'une nouvelle session de jury" in page
