"""The minutes (procès-verbal) of a jury session as a PDF (WeasyPrint): every decision of the
session, block by block, with overrides and their justifications, and the president's
signature (SPEC §6). Rendered in the site's official language (French by default).

The PDF uses the system's DejaVu fonts through CSS ``font-family`` (fonts-dejavu-core)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from capitalis.accounts.models import User
from capitalis.jury.models import JurySession
from capitalis.jury.queries import grid_for, reason_text

TEMPLATE = "jury/minutes.html"


def minutes_html(*, session: JurySession, signed_by: User, signed_at: datetime) -> str:
    """The minutes as a standalone HTML document."""
    with translation.override(settings.LANGUAGE_CODE[:2]):
        grid = grid_for(session=session)
        rows = []
        for row in grid.rows:
            cells = []
            for cell in row.cells:
                d = cell.decision
                cells.append(
                    {
                        "block": cell.block,
                        "decision": d,
                        "reasons": [reason_text(r) for r in (d.reasons if d else [])][:6],
                    }
                )
            rows.append({"row": row, "cells": cells})
        return render_to_string(
            TEMPLATE,
            {
                "session": session,
                "grid": grid,
                "rows": rows,
                "members": list(session.members.order_by("full_name", "email")),
                "signed_by": signed_by,
                "signed_at": signed_at,
            },
        )


def minutes_pdf(*, session: JurySession, signed_by: User, signed_at: datetime) -> bytes:
    """The minutes as PDF bytes."""
    from weasyprint import HTML  # heavy import, only when a PDF is made

    html = minutes_html(session=session, signed_by=signed_by, signed_at=signed_at)
    return bytes(HTML(string=html).write_pdf())
