"""What the browser tests share: screenshots on demand, the axe check, the language switch and
logging in through the page. Import from here (``from tests.browser.helpers import check``)
rather than copying them into a test module."""

from __future__ import annotations

import os
import re

from axe_playwright_python.sync_playwright import Axe
from django.core import mail

# Set SCREENSHOT_DIR to look at the pages the tests open (full-page PNGs, named per step).
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")
PASSWORD = "pw-Secret-123"  # the builders' users' password (tests/*/builders.py)
SERIOUS = {"serious", "critical"}

_axe: Axe | None = None


def _axe_runner() -> Axe:
    """One Axe per process: it reads axe-core's script from disk when created."""
    global _axe
    if _axe is None:
        _axe = Axe()
    return _axe


def shoot(page, name: str) -> None:
    """A full-page screenshot ``<SCREENSHOT_DIR>/<name>.png`` when SCREENSHOT_DIR is set."""
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    results = _axe_runner().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def check(page, name: str) -> None:
    """Screenshot (when asked for), then no serious or critical axe violation."""
    shoot(page, name)
    serious = serious_violations(page)
    assert serious == [], f"{name}: {serious}"


def fits_the_screen(page) -> bool:
    """Nothing wider than the window: the page does not scroll sideways."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def switch_language(page, code: str) -> None:
    """Pick ``code`` in the header's language switch and wait for the page it reloads."""
    page.select_option("#language-select", code)
    with page.expect_navigation():
        page.click(".language-switch button[type=submit]")


def log_in(page, base: str, email: str, password: str = PASSWORD, *, french: bool = True) -> None:
    """Log in through the login page (French or English labels) and land on the home page."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Adresse e-mail" if french else "E-mail address").fill(email)
    page.get_by_label("Mot de passe" if french else "Password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def confirm_address_and_log_in(page, base: str, email: str, password: str) -> None:
    """After a sign-up: open the confirmation link of the last e-mail sent to ``email`` (the
    live server shares the test's mail outbox), confirm, then log in through the page and land
    on the candidate's applications."""
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
