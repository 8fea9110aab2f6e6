"""VAE pages (SPEC §6): staff list and register candidates, decide admissibility; the dossier
page (documents mapped to blocks, the jury interview, the outcome block by block — validated
blocks are capitalised like training); the candidate sees her own dossier. Thin: writes through
``services``; a dossier the user may not see answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.accounts.queries import request_user
from capitalis.core import clock
from capitalis.core.downloads import file_response, id_ok
from capitalis.core.exceptions import DomainError
from capitalis.core.handlers import domain_errors
from capitalis.core.params import parse_id
from capitalis.jury import queries, services
from capitalis.jury.models import Admissibility, JurySession, VaeCandidate, VaeDossier
from capitalis.referential.models import CertificationVersion

MAX_UPLOAD = 10 * 1024 * 1024


def _require_staff(user: User) -> None:
    if not permissions.can(user, "manage", "vae_candidate"):
        raise Http404(_("Page not found."))


@login_required
@require_http_methods(["GET", "POST"])
def vae_list(request: HttpRequest) -> HttpResponse:
    """Staff: the VAE candidates and a form to register one (an existing account, or a new one
    by e-mail and name)."""
    user = request_user(request)
    _require_staff(user)
    versions = queries.vae_versions()
    form = {"email": "", "full_name": "", "summary": "", "years": "", "version": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        with domain_errors(request) as refused:
            candidate = _candidate_register(form, versions, user)
        if not refused:
            messages.success(request, _("The VAE candidate was registered."))
            return redirect("jury:vae-detail", pk=candidate.pk)
    candidates = list(queries.vae_candidates().select_related("dossier"))
    return render(
        request,
        "jury/vae_list.html",
        {"candidates": candidates, "versions": versions, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _candidate_register(
    form: dict[str, str], versions: list[CertificationVersion], actor: User
) -> VaeCandidate:
    version = next((v for v in versions if str(v.pk) == form["version"]), None)
    if version is None:
        raise DomainError(_("Choose the certification version."), code="version")
    try:
        years = int(form["years"] or "0")
    except ValueError:
        years = -1
    if not 0 <= years <= 60:
        raise DomainError(_("Years of experience: a whole number from 0 to 60."), code="years")
    return services.vae_candidate_register(
        email=form["email"],
        full_name=form["full_name"],
        version=version,
        experience_summary=form["summary"],
        experience_years=years,
        actor=actor,
    )


def _candidate_for(user: User, pk: int) -> tuple[VaeCandidate, bool, bool]:
    """The candidate if ``user`` may read her file (``queries.vae_candidate_for``), else 404:
    (candidate, is VAE staff, is the candidate herself)."""
    candidate = queries.vae_candidate_for(user=user, pk=pk)
    if candidate is None:
        raise Http404(_("Page not found."))
    staff = permissions.can(user, "manage", "vae_candidate").ok
    return candidate, staff, candidate.learner.user_id == user.pk


@login_required
@require_http_methods(["GET", "POST"])
def vae_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The candidate's file: admissibility (staff decide once, with a note), then the
    dossier: documents mapped to blocks, the jury interview, the outcome block by block."""
    user = request_user(request)
    candidate, staff, own = _candidate_for(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        with domain_errors(request):
            _act(request, candidate, action, user)
        return redirect("jury:vae-detail", pk=pk)
    return render(request, "jury/vae_detail.html", _context(candidate, staff, own, user))


def _context(candidate: VaeCandidate, staff: bool, own: bool, user: User) -> dict[str, object]:
    dossier: VaeDossier | None = getattr(candidate, "dossier", None)
    blocks = queries.vae_blocks(version_id=candidate.version_id)
    documents = list(dossier.documents.prefetch_related("blocks").order_by("pk")) if dossier else []
    outcomes = {o.block_id: o for o in dossier.outcomes.all()} if dossier else {}
    validations = queries.vae_validations(learner_id=candidate.learner_id)
    sessions: list[JurySession] = []
    can_decide = False
    if dossier is not None:
        sessions = queries.vae_interview_sessions(user=user, candidate=candidate)
        can_decide = bool(
            dossier.session
            and not dossier.session.is_closed
            and dossier.interview_on
            and permissions.can(user, "sit", "jury_session", dossier.session).ok
        )
    rows = [
        {
            "block": b,
            "title": queries.title_of(b),
            "outcome": outcomes.get(b.pk),
            "validation": validations.get(b.pk),
            "documents": [d for d in documents if b in d.blocks.all()],
        }
        for b in blocks
    ]
    return {
        "candidate": candidate,
        "dossier": dossier,
        "documents": documents,
        "rows": rows,
        "blocks": blocks,
        "staff": staff,
        "own": own,
        "pending": candidate.admissibility == Admissibility.PENDING,
        "sessions": sessions,
        "can_interview": bool(sessions),
        "can_decide": can_decide,
        # the session that held the case closed without deciding it: still pending, ready
        # for a new session
        "closed_undecided": bool(
            dossier is not None
            and dossier.session is not None
            and dossier.session.is_closed
            and not outcomes
        ),
        "today": clock.today(),
    }


def _act(request: HttpRequest, candidate: VaeCandidate, action: str, user: User) -> None:
    """One POSTed action on the file; the services refuse what the user may not do."""
    if action == "admissibility":
        _admissibility(request, candidate, user)
        return
    dossier: VaeDossier | None = getattr(candidate, "dossier", None)
    if dossier is None:
        raise DomainError(_("The dossier opens once the candidate is admissible."), code="dossier")
    steps = {"document": _document, "interview": _interview, "outcome": _outcome}
    step = steps.get(action)
    if step is None:
        raise Http404(_("Page not found."))
    step(request, candidate, dossier, user)


def _admissibility(request: HttpRequest, candidate: VaeCandidate, user: User) -> None:
    _require_staff(user)
    post = request.POST
    choice = post.get("admissible", "")
    if choice not in ("yes", "no"):
        raise DomainError(_("Choose admissible or not admissible."), code="admissible")
    if not post.get("note", "").strip():
        raise DomainError(_("Write the note explaining the decision."), code="note")
    services.vae_admissibility_decide(
        candidate=candidate,
        admissible=choice == "yes",
        note=post.get("note", "").strip(),
        actor=user,
        today=clock.today(),
    )
    messages.success(request, _("The admissibility decision was recorded."))


def _document(
    request: HttpRequest, candidate: VaeCandidate, dossier: VaeDossier, user: User
) -> None:
    if not permissions.can(user, "submit", "vae_candidate", candidate):
        raise Http404(_("Page not found."))
    title = request.POST.get("title", "").strip()
    if not title:
        raise DomainError(_("Give the document a title."), code="title")
    ids = [i for i in map(parse_id, request.POST.getlist("blocks")) if i is not None]
    upload = request.FILES.get("file")
    content = None
    filename = ""
    if upload is not None:
        if upload.size is not None and upload.size > MAX_UPLOAD:
            raise DomainError(_("The file is larger than 10 MB."), code="size")
        content = upload.read()
        filename = upload.name or ""
    services.vae_document_add(
        dossier=dossier,
        title=title,
        blocks=queries.blocks_by_id(ids),
        content=content,
        filename=filename,
        actor=user,
    )
    messages.success(request, _("The document was added to the dossier."))


def _interview(
    request: HttpRequest, _candidate: VaeCandidate, dossier: VaeDossier, user: User
) -> None:
    post = request.POST
    session_pk = parse_id(post.get("session", ""))
    session = queries.session_for(user=user, pk=session_pk) if session_pk is not None else None
    if session is None:
        raise DomainError(_("Choose the jury session holding the interview."), code="session")
    on = parse_date(post.get("on", "") or "")
    if on is None:
        raise DomainError(_("Enter the interview date."), code="date")
    services.vae_interview_record(
        dossier=dossier, session=session, on=on, note=post.get("note", "").strip(), actor=user
    )
    messages.success(request, _("The jury interview was recorded."))


def _outcome(
    request: HttpRequest, candidate: VaeCandidate, dossier: VaeDossier, user: User
) -> None:
    post = request.POST
    outcomes: dict[int, tuple[bool, str]] = {}
    for block in queries.vae_blocks(version_id=candidate.version_id):
        choice = post.get(f"block-{block.pk}", "")
        if choice in ("validated", "not_validated"):
            outcomes[block.pk] = (
                choice == "validated",
                post.get(f"justification-{block.pk}", "").strip(),
            )
    if not outcomes:
        raise DomainError(_("Decide on at least one block."), code="blocks")
    created = services.vae_outcome_decide(dossier=dossier, outcomes=outcomes, actor=user)
    messages.success(
        request,
        _("Outcome recorded: %(count)s block(s) validated and capitalised.")
        % {"count": len(created)},
    )


@login_required
def my_vae(request: HttpRequest) -> HttpResponse:
    """The VAE candidate's own dossier (the latest, when she has several)."""
    user = request_user(request)
    candidate = queries.vae_candidate_mine(user=user)
    if candidate is None:
        raise Http404(_("Page not found."))
    return redirect("jury:vae-detail", pk=candidate.pk)


def _vae_document(request: HttpRequest, pk: int, document_pk: int, *, inline: bool) -> FileResponse:
    """A document of the dossier, for those who may read the dossier (the candidate, VAE
    staff, the jury that interviews her: ``_candidate_for``); anyone else gets 404. The type
    was not stored at upload: only a PDF or an image by its content keeps its type."""
    if not (id_ok(pk) and id_ok(document_pk)):
        raise Http404(_("Page not found."))
    candidate, _staff, _own = _candidate_for(request_user(request), pk)
    dossier: VaeDossier | None = getattr(candidate, "dossier", None)
    document = dossier.documents.filter(pk=document_pk).first() if dossier else None
    if document is None or not document.file:
        raise Http404(_("Page not found."))
    return file_response(
        document.file, filename=document.file.name or "", content_type=None, inline=inline
    )


@login_required
@require_safe
def vae_document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A document of the VAE dossier, as a file to save."""
    return _vae_document(request, pk, document_pk, inline=False)


@login_required
@require_safe
def vae_document_preview(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A document of the VAE dossier shown in the browser (PDF or image)."""
    return _vae_document(request, pk, document_pk, inline=True)
