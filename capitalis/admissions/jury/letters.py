"""Decision letters (SPEC §3; issue 4 point 5): the admission jury's decision as HTML and PDF
(WeasyPrint), in the candidate's language (``User.preferred_language``, French by default).

The PDF uses the system's DejaVu fonts through CSS ``font-family`` (Debian's
fonts-dejavu-core): no font file ships with the code.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation

from capitalis.admissions.models import Application
from capitalis.admissions.rules import Status
from capitalis.core.mail import mail_text

TEMPLATE = "admissions/letters/decision.html"
MAIL_TEMPLATE = "admissions/mail/decision.txt"


def letter_language(application: Application) -> str:
    """The candidate's language if the site offers it, French otherwise."""
    wanted = (application.candidate.preferred_language or "fr")[:2]
    offered = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in offered else "fr"


def _context(application: Application) -> dict[str, object]:
    status = Status(application.status)
    decided_on = application.decided_on
    return {
        "application": application,
        "candidate": application.candidate,
        "programme": application.edition.programme.title,
        "edition": application.edition.label,
        "year": application.year.title,
        "campus": application.campus.name,
        "decision": status.value,
        "admitted": status in (Status.ADMITTED, Status.ENROLLED),
        "waitlisted": status is Status.WAITLISTED,
        "refused": status is Status.REFUSED,
        "decided_on": formats.date_format(decided_on, "DATE_FORMAT") if decided_on else "",
        "note": application.decision_note,
    }


def letter_html(application: Application, *, csp_nonce: str = "") -> str:
    """The letter as a standalone HTML document, in the candidate's language. A page shown in
    the browser passes the request's Content-Security-Policy nonce for its inline style."""
    with translation.override(letter_language(application)):
        return render_to_string(TEMPLATE, {**_context(application), "csp_nonce": csp_nonce})


def letter_text(application: Application) -> str:
    """The e-mail body that carries the letter (in the active language;
    ``admissions/mail/decision.txt``)."""
    status = Status(application.status)
    return mail_text(
        MAIL_TEMPLATE,
        {
            "name": application.candidate.get_full_name(),
            "admitted": status is Status.ADMITTED,
            "waitlisted": status is Status.WAITLISTED,
            "programme": application.edition.programme.title,
            "year": application.year.title,
            "campus": application.campus.name,
        },
    )


def letter_pdf(application: Application) -> bytes:
    """The letter as a PDF (WeasyPrint)."""
    from weasyprint import HTML  # heavy import, only when a PDF is made

    return bytes(HTML(string=letter_html(application)).write_pdf())


def letter_filename(application: Application) -> str:
    return f"decision-{application.pk}.pdf"
