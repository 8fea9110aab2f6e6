"""The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY, django-csp): every page has
it, no template needs 'unsafe-inline', and the API documentation comes from this site only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "capitalis").glob("*/templates/**/*.html"))
# Rendered only into PDFs by WeasyPrint, never sent to a browser.
PDF_ONLY = {"jury/minutes.html"}

DIRECTIVES = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
}


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/referential/", "/api/docs/"])
def test_pages_send_the_policy(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    policy = _policy(response)
    for directive, value in DIRECTIVES.items():
        assert policy[directive] == value, directive
    assert policy["script-src"].split()[0] == "'self'"
    assert policy["style-src"].split()[0] == "'self'"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    # The security headers set before the policy are still there.
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_htmx_script_carries_the_nonce_of_the_header(client: Client) -> None:
    response = client.get("/accounts/login/")
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce
    html = response.content.decode()
    assert f'nonce="{nonce[1]}"' in html
    # htmx is told not to inject its own style element (its indicator styles are in app.css).
    assert '"includeIndicatorStyles":false' in html
    assert ".htmx-indicator" in Path(finders.find("web/app.css")).read_text()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "capitalis")))
def test_templates_need_no_unsafe_inline(path: Path) -> None:
    """No inline event handler, no style="" attribute, no <style> or inline <script> without
    the nonce: each would be refused by the browser under the policy."""
    name = str(path).split("/templates/", 1)[1]
    if name in PDF_ONLY:
        return
    text = path.read_text()
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"\sstyle\s*=", text), "style attribute"
    for tag in re.findall(r"<style\b[^>]*>", text):
        assert "nonce=" in tag, tag
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or "nonce=" in tag, tag


def _same_origin_static(client: Client, html: str, tag: str, attr: str) -> list[str]:
    urls = re.findall(rf"<{tag}\b[^>]*\b{attr}=\"([^\"]+)\"", html)
    for url in urls:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
        else:
            assert client.get(url).status_code == 200, url
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_api_documentation_is_served_from_this_site(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    scripts = _same_origin_static(client, html, "script", "src")
    assert scripts
    _same_origin_static(client, html, "link", "href")
    assert "cdn." not in html and "googleapis" not in html
    assert not re.search(r"<script\b(?![^>]*\bsrc=)", html), "inline script"
    assert "<style" not in html


@pytest.mark.django_db
def test_swagger_start_up_script_is_a_same_origin_script(client: Client) -> None:
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in response.content.decode()


@pytest.mark.django_db
def test_admin_pages_need_no_unsafe_inline(client: Client) -> None:
    from capitalis.accounts.models import User
    from capitalis.accounts.services import api_token_create

    admin = User.objects.create_superuser(email="admin@example.org", password="pw-Secret-123")
    token, _text = api_token_create(user=admin, name="ci")
    client.force_login(admin)
    for url in (
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{admin.pk}/change/",
        "/admin/accounts/apitoken/",
        f"/admin/accounts/apitoken/{token.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response, url
        html = response.content.decode()
        assert not re.search(r"<script\b(?![^>]*\b(src|nonce)=)", html), url
        assert not re.search(r"<style\b(?![^>]*\bnonce=)", html), url
        assert not re.search(r"\sstyle=\"", html), url
        assert not re.search(r"\son[a-z]+=\"", html), url
