"""The Content-Security-Policy in a real browser: the pages and the API documentation (Swagger
UI, ReDoc, both served from this site) render with no violation reported by Chromium."""

from __future__ import annotations

import pytest

from tests.programmes.calendar_builders import EDITION, build_calendars

pytestmark = pytest.mark.browser

# Runs before any page script (a DevTools init script, not subject to the page's policy).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""

REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture
def watched(page):
    page.context.add_init_script(LISTEN)
    return page


def _violations(page) -> list[str]:
    return list(page.evaluate("window.__csp"))


def test_home_page_has_a_policy_and_no_violation(watched, live_server) -> None:
    response = watched.goto(f"{live_server.url}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    watched.wait_for_load_state("networkidle")
    assert watched.evaluate("typeof htmx") == "object"
    assert _violations(watched) == []


def test_swagger_ui_renders_from_this_site(watched, live_server) -> None:
    requested: list[str] = []
    watched.on("request", lambda r: requested.append(r.url))
    watched.goto(f"{live_server.url}/api/docs/")
    watched.locator(".swagger-ui .info .title").wait_for(timeout=60_000)
    assert "Capitalis API" in watched.locator(".swagger-ui .info .title").inner_text()
    assert watched.locator(".opblock").count() > 0
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert _violations(watched) == []


def test_redoc_renders_from_this_site(watched, live_server) -> None:
    requested: list[str] = []
    watched.on("request", lambda r: requested.append(r.url))
    watched.goto(f"{live_server.url}/api/redoc/")
    watched.locator("h1", has_text="Capitalis API").wait_for(timeout=60_000)
    watched.wait_for_load_state("networkidle")
    # ReDoc's footer always asks for Redocly's logo on their CDN: the policy blocks it (nothing
    # leaves the site) and ReDoc then leaves the logo out. Nothing else comes from elsewhere.
    elsewhere = [u for u in requested if not u.startswith((live_server.url, "blob:", "data:"))]
    assert elsewhere in ([], [REDOCLY_LOGO])
    others = [v for v in _violations(watched) if REDOCLY_LOGO not in v]
    assert others == [], "\n".join(others)
    assert watched.locator(f'img[src="{REDOCLY_LOGO}"]').count() == 0


def test_calendar_feed_address_selected_on_focus(watched, live_server) -> None:
    """The former inline onfocus= handler, now a static script."""
    build_calendars(events=1)
    watched.goto(f"{live_server.url}/programmes/calendars/{EDITION}/PARIS/work_study/")
    watched.wait_for_load_state("networkidle")
    watched.focus("#feed-url")
    selected = watched.evaluate(
        "(() => { const i = document.getElementById('feed-url');"
        " return i.selectionEnd - i.selectionStart; })()"
    )
    assert selected == len(watched.locator("#feed-url").input_value())
    assert _violations(watched) == []
