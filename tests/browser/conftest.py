"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live server. One browser per session, a fresh context and page per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A page in a fresh context (no cookies), French first like a French visitor."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def confirm_address_and_log_in(page, base: str, email: str, password: str) -> None:
    """After a sign-up: open the confirmation link of the last e-mail sent to ``email`` (the
    live server shares the test's mail outbox), confirm, then log in through the page and land
    on the candidate's applications."""
    import re

    from django.core import mail

    link = None
    for message in reversed(mail.outbox):
        found = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body)
        if email in message.to and found:
            link = found.group(1)
            break
    assert link, [m.subject for m in mail.outbox]
    page.goto(base + link)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto(f"{base}/accounts/login/?next=/admissions/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def log_in(page, base: str, email: str, password: str) -> None:
    """Log in through the login page (from a fresh session) and land on the home page."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


def serious_violations(page) -> list[str]:
    """The serious or critical accessibility violations axe-core finds on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]
