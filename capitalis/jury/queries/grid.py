"""The deliberation grid (learners × blocks with their decisions), a page of it, and the
earlier decisions a correction may cite."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Coalesce

from capitalis.enrolment.models import Enrolment
from capitalis.jury.models import BlockDecision, CertificationDecision, JurySession
from capitalis.referential.models import Block


@dataclass
class GridCell:
    decision: BlockDecision | None
    block: Block


@dataclass
class GridRow:
    enrolment: Enrolment
    cells: list[GridCell]
    certification: CertificationDecision | None


@dataclass
class Grid:
    session: JurySession
    blocks: list[Block]
    rows: list[GridRow] = field(default_factory=list)


def grid_for(*, session: JurySession, enrolments: Sequence[Enrolment] | None = None) -> Grid:
    """Learners × blocks with the decisions, in a fixed number of queries: every learner of
    the session, or only ``enrolments`` (one page of the grid)."""
    blocks = list(Block.objects.filter(version_id=session.version_id).order_by("position", "code"))
    block_qs = BlockDecision.objects.filter(session=session)
    cert_qs = CertificationDecision.objects.filter(session=session)
    if enrolments is None:
        enrolments = list(
            Enrolment.objects.filter(jury_sessions=session)
            .select_related("learner__user", "campus")
            .order_by("learner__user__full_name", "learner__user__email", "pk")
        )
    else:
        ids = [e.pk for e in enrolments]
        block_qs = block_qs.filter(enrolment_id__in=ids)
        cert_qs = cert_qs.filter(enrolment_id__in=ids)
    decisions: dict[tuple[int, int], BlockDecision] = {
        (d.enrolment_id, d.block_id): d
        for d in block_qs.select_related("overridden_by", "cites__session")
    }
    certs = {d.enrolment_id: d for d in cert_qs.select_related("overridden_by")}
    grid = Grid(session, blocks)
    for e in enrolments:
        grid.rows.append(
            GridRow(e, [GridCell(decisions.get((e.pk, b.pk)), b) for b in blocks], certs.get(e.pk))
        )
    return grid


GRID_PAGE_SIZE = 50
ATTENTION = "attention"
GRID_STATUS_FILTERS = (ATTENTION, "certified", "partially_certified", "not_certified")


@dataclass
class GridPage:
    """One page of the deliberation grid: the learners matching the search and the status
    filter, ``per_page`` at a time, in name order."""

    grid: Grid
    total: int
    page: int
    pages: int
    per_page: int


def grid_page_for(
    *,
    session: JurySession,
    search: str = "",
    status: str = "",
    page: int = 1,
    per_page: int = GRID_PAGE_SIZE,
) -> GridPage:
    """A page of the grid. ``search`` matches the learner's name or e-mail; ``status`` keeps
    the learners whose final certification decision has that status, or ``attention``: not
    certified, partially certified, or not deliberated yet. Five queries whatever the session's
    size (count, the page's learners, blocks, block and certification decisions, none per
    learner)."""
    qs = Enrolment.objects.filter(jury_sessions=session)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(learner__user__full_name__icontains=search)
            | Q(learner__user__email__icontains=search)
        )
    if status in GRID_STATUS_FILTERS:
        certs = CertificationDecision.objects.filter(session=session).annotate(
            final=Coalesce("override_status", "computed_status")
        )
        if status == ATTENTION:
            qs = qs.exclude(pk__in=certs.filter(final="certified").values("enrolment_id"))
        else:
            qs = qs.filter(pk__in=certs.filter(final=status).values("enrolment_id"))
    total = qs.count()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    enrolments = list(
        qs.select_related("learner__user", "campus").order_by(
            "learner__user__full_name", "learner__user__email", "pk"
        )[start : start + per_page]
    )
    return GridPage(grid_for(session=session, enrolments=enrolments), total, page, pages, per_page)


def earlier_decisions_for(
    *, session: JurySession, search: str = "", limit: int = 50
) -> list[BlockDecision]:
    """Block decisions of closed sessions of the same version held before ``session`` (what a
    correction may cite), of the learners matching ``search`` (name or e-mail), at most
    ``limit`` rows. One query."""
    qs = (
        BlockDecision.objects.filter(
            session__version_id=session.version_id, session__status="closed"
        )
        .filter(
            Q(session__date__lt=session.date)
            | Q(session__date=session.date, session_id__lt=session.pk)
        )
        .select_related("session", "block", "enrolment__learner__user")
        .order_by(
            "enrolment__learner__user__full_name",
            "enrolment_id",
            "-session__date",
            "block__position",
        )
    )
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(enrolment__learner__user__full_name__icontains=search)
            | Q(enrolment__learner__user__email__icontains=search)
        )
    return list(qs[:limit])
