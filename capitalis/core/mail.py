"""Plain-text e-mails written as templates (``<app>/mail/<name>.txt``), rendered in the active
language (the caller wraps the rendering in ``translation.override`` of the recipient's).

A mail template loads ``i18n``, wraps its text in ``{% autoescape off %}`` (a mail is plain
text: a name with an apostrophe or an ampersand arrives as typed, never HTML-escaped) and
writes each paragraph as a ``{% blocktranslate trimmed %}`` whose message id is the one the
``.po`` already translates. Leading and trailing blank lines of the template are dropped."""

from __future__ import annotations

from collections.abc import Mapping

from django.template.loader import render_to_string


def mail_text(template_name: str, context: Mapping[str, object]) -> str:
    """The mail text ``template_name`` renders with ``context`` in the active language."""
    return render_to_string(template_name, dict(context)).strip()
