"""Credential pages (SPEC §7; issue 6 points 2, 4): the public verification page of a credential
or PDF (``/verify/<id>/``, no login, rate-limited), the paste-a-credential form (``/verify/``),
the signed status list and the DID document; the learner's credentials and PDFs; the staff page
of a jury session (issue, revoke, reissue). Thin: reads through ``queries``, writes through
``services``; something the user may not see is a 404."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from capitalis.accounts import permissions
from capitalis.accounts.queries import request_user
from capitalis.core import clock
from capitalis.core.handlers import domain_errors
from capitalis.credentials import keys, queries, services, services_documents
from capitalis.credentials.models import Credential, CredentialKind
from capitalis.jury.models import JurySession
from capitalis.jury.queries import session_for, session_list_for

MAX_PASTE = 256 * 1024


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def rate_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """At most ``VERIFY_RATE_PER_MINUTE`` (default 60) requests per minute and client address
    on the public pages, counted in the shared cache (fixed one-minute windows); a 429 page
    beyond."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = int(getattr(settings, "VERIFY_RATE_PER_MINUTE", 60))
        key = f"credentials-verify:{client_ip(request)}:{int(clock.now().timestamp() // 60)}"
        cache.add(key, 0, timeout=61)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=61)
            count = 1
        if count > limit:
            response = render(request, "credentials/rate_limited.html", status=429)
            response["Retry-After"] = "60"
            return response
        return view(request, *args, **kwargs)

    return wrapper


# --- public --------------------------------------------------------------------------------


def _not_found(request: HttpRequest, value: str) -> HttpResponse:
    return render(request, "credentials/verify_not_found.html", {"value": value[:80]}, status=404)


def _credential_facts(credential: Credential) -> dict[str, Any]:
    """What a credential certifies, as the credential itself states it (no more)."""
    doc = credential.document
    subject = doc.get("credentialSubject", {})
    achievement = subject.get("achievement", {})
    names = [
        i.get("identityHash")
        for i in subject.get("identifier", [])
        if i.get("identityType") == "name" and not i.get("hashed")
    ]
    blocks = []
    if credential.kind == CredentialKind.CERTIFICATION:
        done = {r.get("resultDescription") for r in subject.get("result", [])}
        for rd in achievement.get("resultDescription", []):
            if rd.get("id") in done:
                code = (rd.get("alignment") or [{}])[0].get("targetCode", "")
                blocks.append({"code": code, "title": rd.get("name", "")})
    return {
        "holder": names[0] if names else "",
        "title": achievement.get("name", ""),
        "code": achievement.get("humanCode", ""),
        "certification": credential.version.certification.code,
        "awarded_on": credential.awarded_on,
        "session": credential.session.title if credential.session else "",
        "blocks": blocks,
        "issuer": (doc.get("issuer") or {}).get("name", ""),
    }


@rate_limited
def verify_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """The public page a QR code or a credential's evidence opens."""
    uid = queries.parse_public_id(public_id)
    item = queries.issued_by_public_id(uid) if uid else None
    if item is None:
        return _not_found(request, public_id)
    context: dict[str, Any] = {"item": item, "revoked_at": item.revoked_at}
    if isinstance(item, Credential):
        result = queries.stored_credential_check(item)
        context.update(
            kind="credential",
            authentic=result.authentic,
            reasons=[r for r in result.reasons if r.code not in {"revoked", "replaced"}],
            facts=_credential_facts(item),
            kind_label=item.get_kind_display(),
        )
    else:
        summary = item.summary or {}
        lang = (getattr(request, "LANGUAGE_CODE", "fr") or "fr")[:2]
        context.update(
            kind="document",
            authentic=True,
            reasons=[],
            kind_label=summary.get(f"kind_label_{lang}") or item.get_kind_display(),
            facts={
                "holder": summary.get("holder", ""),
                "title": summary.get(f"title_{lang}") or summary.get("title_fr", ""),
                "code": summary.get("code", ""),
                "level": summary.get("level", ""),
                "awarded_on": item.awarded_on,
                "session": summary.get("session", ""),
                "blocks": [
                    {
                        "code": b.get("code", ""),
                        "title": b.get(f"title_{lang}") or b.get("title_fr", ""),
                    }
                    for b in summary.get("blocks", [])
                ],
                "sha256": item.sha256,
            },
        )
    context["replaced_by"] = item.replaced_by
    if request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    ):
        return JsonResponse(_verdict_json(context), json_dumps_params={"ensure_ascii": False})
    return render(request, "credentials/verify.html", context)


def _verdict_json(context: dict[str, Any]) -> dict[str, Any]:
    """The page's verdict as JSON (``?format=json``): same facts, nothing more."""
    item = context["item"]
    facts = dict(context["facts"])
    facts["awarded_on"] = item.awarded_on.isoformat()
    return {
        "id": str(item.public_id),
        "kind": context["kind"],
        "authentic": context["authentic"],
        "current": context["authentic"] and not item.revoked_at and not item.replaced_by_id,
        "revoked_at": item.revoked_at.isoformat() if item.revoked_at else None,
        "replaced_by": str(item.replaced_by.public_id) if item.replaced_by else None,
        "reasons": [{"code": r.code, "text": r.text} for r in context["reasons"]],
        "certifies": facts,
    }


@rate_limited
@require_http_methods(["GET", "POST"])
def verify_form(request: HttpRequest) -> HttpResponse:
    """Paste a credential (JSON) → the verdict with its reasons."""
    context: dict[str, Any] = {"text": ""}
    if request.method == "POST":
        text = str(request.POST.get("credential", ""))[:MAX_PASTE]
        context["text"] = text
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        context["result"] = queries.verify_document(document)
    return render(request, "credentials/verify_form.html", context)


@rate_limited
def status_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The signed BitstringStatusListCredential (re-signed when stale)."""
    found = queries.status_list_by_slug(slug)
    if found is None:
        raise Http404(_("Page not found."))
    document = services.status_list_signed(found)
    accept = request.headers.get("Accept", "")
    content_type = "application/vc+ld+json" if "application/vc" in accept else "application/json"
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = content_type
    response["Cache-Control"] = "public, max-age=300"
    return response


def did_document(request: HttpRequest) -> HttpResponse:
    """The did:web DID document (404 when the issuer is a did:key)."""
    document = keys.did_document()
    if document is None:
        raise Http404(_("Page not found."))
    response = JsonResponse(document)
    response["Content-Type"] = "application/did+json"
    return response


# --- learner -------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The learner's credentials (JSON) and PDFs, with their verification links."""
    user = request_user(request)
    credentials = list(
        Credential.objects.filter(learner__user=user, replaced_by__isnull=True)
        .select_related("version__certification", "block", "session")
        .order_by("-awarded_on", "kind", "block__position")
    )
    documents = list(
        queries.documents_for_learner(user=user)
        .filter(replaced_by__isnull=True)
        .order_by("-issued_at")
    )
    return render(
        request,
        "credentials/mine.html",
        {"credentials": credentials, "documents": documents, "base_url": queries.base_url()},
    )


@login_required
def credential_download(request: HttpRequest, public_id: str) -> HttpResponse:
    """The signed credential as a JSON-LD file (the holder, or staff who may see it)."""
    credential = queries.credential_for(user=request_user(request), public_id=public_id)
    if credential is None:
        raise Http404(_("Page not found."))
    response = JsonResponse(
        credential.document, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Type"] = "application/ld+json"
    response["Content-Disposition"] = (
        f'attachment; filename="credential-{credential.public_id}.json"'
    )
    return response


@login_required
def document_download(request: HttpRequest, public_id: str) -> FileResponse:
    """One of the learner's PDFs."""
    uid = queries.parse_public_id(public_id)
    document = (
        queries.documents_for_learner(user=request_user(request)).filter(public_id=uid).first()
        if uid
        else None
    )
    if document is None or not document.pdf:
        raise Http404(_("Page not found."))
    return FileResponse(
        document.pdf.open("rb"),
        as_attachment=True,
        filename=f"{document.kind}-{document.public_id}.pdf",
        content_type="application/pdf",
    )


# --- staff ---------------------------------------------------------------------------------


def _session(request: HttpRequest, pk: int) -> JurySession:
    session = session_for(user=request_user(request), pk=pk)
    if session is None:
        raise Http404(_("Page not found."))
    return session


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """The closed jury sessions the user sits on (a programme director: all)."""
    rows = list(session_list_for(user=request_user(request)).filter(status="closed"))
    return render(request, "credentials/sessions.html", {"sessions": rows})


@login_required
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A session's issued credentials, the issue button, revoke/reissue forms."""
    session = _session(request, pk)
    user = request_user(request)
    credentials = list(queries.session_credentials(session_id=session.pk))
    documents = list(queries.session_documents(session_id=session.pk))
    return render(
        request,
        "credentials/session.html",
        {
            "session": session,
            "credentials": credentials,
            "documents": documents,
            "can_issue": permissions.can(user, "manage", "jury_session", session).ok,
            "can_revoke": permissions.can(user, "manage", "jury_session", session).ok,
            "frozen": session.is_closed and bool(session.minutes_sha256),
            "transcript_rows": queries.session_transcript_rows(session_id=session.pk),
        },
    )


@login_required
@require_POST
def session_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the session's credentials and PDFs: a background job, whose page follows it."""
    session = _session(request, pk)
    with domain_errors(request) as refused:
        job = services.session_issue_start(session=session, actor=request_user(request))
    if refused:
        return redirect("credentials:session", pk=session.pk)
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def credential_action(request: HttpRequest, public_id: str) -> HttpResponse:
    """Revoke or reissue (``action``), with the mandatory reason."""
    user = request_user(request)
    credential = queries.credential_for(user=user, public_id=public_id)
    if credential is None:
        raise Http404(_("Page not found."))
    reason = str(request.POST.get("reason", ""))
    action = request.POST.get("action", "revoke")
    with domain_errors(request):
        if action == "reissue":
            new = services.credential_reissue(credential=credential, actor=user, reason=reason)
            messages.success(request, _("Credential reissued: %(id)s.") % {"id": new.public_id})
        else:
            services.credential_revoke(credential=credential, actor=user, reason=reason)
            messages.success(request, _("Credential revoked."))
    if credential.session_id:
        return redirect("credentials:session", pk=credential.session_id)
    return redirect(reverse("credentials:sessions"))


@login_required
@require_POST
def document_action(request: HttpRequest, public_id: str) -> HttpResponse:
    """Revoke or reissue a PDF (``action``), with the mandatory reason: a programme director or
    the session's president (others who may see it are told; others get a 404)."""
    user = request_user(request)
    document = queries.document_for(user=user, public_id=public_id)
    if document is None:
        raise Http404(_("Page not found."))
    reason = str(request.POST.get("reason", ""))
    with domain_errors(request):
        if request.POST.get("action", "revoke") == "reissue":
            new = services_documents.document_reissue(document, actor=user, reason=reason)
            messages.success(request, _("Document reissued: %(id)s.") % {"id": new.public_id})
        else:
            services_documents.document_revoke(document, actor=user, reason=reason)
            messages.success(request, _("Document revoked."))
    if document.session_id and session_for(user=user, pk=document.session_id) is not None:
        return redirect("credentials:session", pk=document.session_id)
    return redirect(reverse("credentials:mine"))


@login_required
@require_POST
def transcript_issue(request: HttpRequest, pk: int, enrolment_id: int) -> HttpResponse:
    """Issue one learner's ECTS transcript from the session page (a programme director or the
    session's president); an enrolment the user may not see is a 404."""
    session = _session(request, pk)
    user = request_user(request)
    enrolment = queries.transcript_enrolment_for(user=user, enrolment_id=enrolment_id)
    if enrolment is None:
        raise Http404(_("Page not found."))
    language = str(request.POST.get("language", "")).strip() or None
    with domain_errors(request):
        document = services_documents.transcript_issue(
            enrolment=enrolment, actor=user, language=language
        )
        messages.success(
            request,
            _("Transcript of %(name)s issued: %(id)s.")
            % {"name": enrolment.learner.user.full_name, "id": document.public_id},
        )
    return redirect("credentials:session", pk=session.pk)


@login_required
@require_POST
def session_transcripts_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the ECTS transcript of every learner of the closed session: a background job,
    whose page follows it."""
    session = _session(request, pk)
    with domain_errors(request) as refused:
        job = services.session_transcripts_start(session=session, actor=request_user(request))
    if refused:
        return redirect("credentials:session", pk=session.pk)
    return redirect("jobs:detail", pk=job.pk)
