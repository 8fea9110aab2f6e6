"""The deliberation grid fits a 1280-pixel screen: with the six blocks of a real certification
(long register codes), overrides and their justifications, the certification column is on the
screen without scrolling sideways (issue 13)."""

from __future__ import annotations

import pytest

from capitalis.jury import services
from capitalis.jury.models import BlockDecision, CertificationDecision
from capitalis.referential.models import Block
from tests.browser.helpers import check, fits_the_screen, log_in, shoot
from tests.jury.builders import grade, session, world

pytestmark = pytest.mark.browser


def test_the_certification_column_is_on_a_1280_screen(page, live_server, settings) -> None:
    w = world(learners=3)
    blocks = list(Block.objects.filter(version=w.version).order_by("position"))
    for n in range(len(blocks), 6):  # six blocks, as the shipped certification has
        blocks.append(
            Block.objects.create(
                version=w.version, code=f"X{n}", title_fr=f"Bloc {n}", kind="optional", position=n
            )
        )
    for n, block in enumerate(blocks):
        block.code = f"{w.version.certification.code}BC0{n + 1}"
        block.save(update_fields=["code"])
    for enrolment in w.enrolments:
        for blk in w.blocks[:3]:
            grade(w, enrolment, blk, 14)
        grade(w, enrolment, w.blocks[3], 8)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    weak = BlockDecision.objects.filter(session=s, block=w.blocks[3]).first()
    services.decision_override(
        decision=weak,
        status="validated",
        justification="Mission en entreprise probante, attestée par le tuteur et le jury",
        expected_version=weak.version,
        actor=w.president,
    )
    cert = CertificationDecision.objects.get(session=s, enrolment=weak.enrolment)
    services.decision_override(
        decision=cert,
        status="certified",
        justification="Blocs validés par le jury après examen du dossier",
        expected_version=cert.version,
        actor=w.president,
    )

    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server.url, "president@example.org")
    page.goto(f"{live_server.url}/jury/sessions/{s.pk}/")
    shoot(page, "jury-grid-1280")
    region = page.locator(".table-wrap[role=region]")
    overflow = region.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the grid scrolls sideways by {overflow}px"
    header = page.get_by_role("columnheader", name="Décision de certification")
    box = header.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1280
    assert fits_the_screen(page)
    check(page, "jury-grid-1280-axe")
