"""Decision letters (issue 4 point 5): HTML and PDF in the candidate's language, e-mailed on
commit with the PDF attached; readable by the candidate and the staff, not by others."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.test import Client

from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions.jury import letters
from capitalis.admissions.jury import services as jury_services
from capitalis.admissions.rules import Status
from tests.admissions.builders import staff
from tests.admissions.jury.builders import eligible, jury, jury_world, presented

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _decided(django_capture_on_commit_callbacks):
    jw = jury_world()
    sitting, president, _member = jury(jw)
    french = presented(
        jw, sitting, eligible(jw, "fr@example.org", language="fr", name="Aline Test")
    )
    english = presented(jw, sitting, eligible(jw, "en@example.org", language="en", name="Ben Test"))
    with django_capture_on_commit_callbacks(execute=True):
        french = jury_services.application_decide(
            application=french,
            decision=Status.ADMITTED,
            actor=president,
            expected_version=french.version,
        )
        english = jury_services.application_decide(
            application=english,
            decision=Status.REFUSED,
            actor=president,
            expected_version=english.version,
            note="Places are full this year.",
        )
    return jw, french, english


def test_letters_are_in_the_candidates_language(django_capture_on_commit_callbacks) -> None:
    _jw, french, english = _decided(django_capture_on_commit_callbacks)
    html_fr = letters.letter_html(french)
    assert '<html lang="fr">' in html_fr
    assert "Décision d’admission" in html_fr
    assert "Le jury d’admission a décidé de vous admettre." in html_fr
    html_en = letters.letter_html(english)
    assert '<html lang="en">' in html_en
    assert "Admission decision" in html_en
    assert "decided not to accept your application" in html_en
    assert "Places are full this year." in html_en


def test_the_pdf_is_a_pdf_with_the_text(django_capture_on_commit_callbacks) -> None:
    _jw, french, _english = _decided(django_capture_on_commit_callbacks)
    pdf = letters.letter_pdf(french)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "Décision d’admission" in text


def test_the_candidate_gets_the_letter_by_mail(django_capture_on_commit_callbacks, mailoutbox):
    _jw, french, _english = _decided(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2
    by_to = {m.to[0]: m for m in mailoutbox}
    fr_mail, en_mail = by_to["fr@example.org"], by_to["en@example.org"]
    assert fr_mail.subject == "Votre candidature : la décision du jury d’admission"
    assert en_mail.subject == "Your application: the admission jury's decision"
    (name, content, mimetype) = fr_mail.attachments[0]
    assert name == f"decision-{french.pk}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    assert "has not accepted" in en_mail.body


def test_no_mail_before_the_decision_is_committed(django_capture_on_commit_callbacks, mailoutbox):
    jw = jury_world()
    sitting, president, _member = jury(jw)
    application = presented(jw, sitting, eligible(jw, "a@example.org"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jury_services.application_decide(
            application=application,
            decision=Status.ADMITTED,
            actor=president,
            expected_version=application.version,
        )
    assert len(callbacks) == 1 and mailoutbox == []


def test_letter_pages_for_the_candidate_and_staff_only(django_capture_on_commit_callbacks):
    jw, french, english = _decided(django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(french.candidate)
    response = client.get(f"/admissions/letters/{french.pk}/")
    assert response.status_code == 200 and "Décision" in response.content.decode()
    # Its inline style carries the nonce the Content-Security-Policy allows.
    nonce = re.search(r"style-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce and f'<style nonce="{nonce[1]}">' in response.content.decode()
    pdf = client.get(f"/admissions/letters/{french.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    client.force_login(english.candidate)
    assert client.get(f"/admissions/letters/{french.pk}/").status_code == 404
    client.force_login(staff("lect@example.org", Role.LECTURER, ScopeKind.COURSE, 1))
    assert client.get(f"/admissions/letters/{french.pk}/").status_code == 404
    client.force_login(jw.officer)
    assert client.get(f"/admissions/letters/{french.pk}/").status_code == 200


def test_the_decided_application_links_its_letter(django_capture_on_commit_callbacks):
    """The candidate finds her letter from her application's page; a file still waiting for
    its decision has no letter link."""
    jw, french, _english = _decided(django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(french.candidate)
    page = client.get(f"/admissions/{french.pk}/").content.decode()
    assert f'href="/admissions/letters/{french.pk}/"' in page
    assert f'href="/admissions/letters/{french.pk}/pdf/"' in page
    waiting = eligible(jw, "waiting@example.org", name="Wanda Test")
    client.force_login(waiting.candidate)
    assert "/admissions/letters/" not in client.get(f"/admissions/{waiting.pk}/").content.decode()
