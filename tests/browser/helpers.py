"""What the browser tests share: screenshots on demand, the axe check (with the phone-width
check), the language switch, signing up and logging in through the page. Import from here
(``from tests.browser.helpers import check``) rather than copying them into a test module."""

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


def fits_the_screen(page, slack: int = 0) -> bool:
    """Nothing wider than the window (give or take ``slack`` pixels of rounding): the page does
    not scroll sideways."""
    return bool(
        page.evaluate(f"document.documentElement.scrollWidth <= window.innerWidth + {int(slack)}")
    )


def check_fits(page, name: str, *, slack: int = 0) -> None:
    """``check`` (screenshot, axe), then nothing wider than the window: on a phone, the page
    does not scroll sideways."""
    check(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert fits_the_screen(page, slack), f"{name} scrolls sideways: {width}px"


def in_view(locator, page) -> bool:
    """Within the screen's width (not hidden to the right of a horizontally scrolled table)."""
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def main_text(page) -> str:
    """The text of the page's main region."""
    return str(page.locator("main").inner_text())


def switch_language(page, code: str) -> None:
    """Pick ``code`` in the header's language switch and wait for the page it reloads."""
    page.select_option("#language-select", code)
    with page.expect_navigation():
        page.click(".language-switch button[type=submit]")


def log_in(
    page,
    base: str,
    email: str,
    password: str = PASSWORD,
    *,
    french: bool = True,
    fresh: bool = False,
    lands_on: str | None = "/",
) -> None:
    """Log in through the login page (French or English labels) and land on ``lands_on`` (the
    home page; None: do not wait, e.g. for the second-factor step). ``fresh``: forget the
    current session first (a journey that changes person)."""
    if fresh:
        page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Adresse e-mail" if french else "E-mail address").fill(email)
    page.get_by_label("Mot de passe" if french else "Password").fill(password)
    page.locator("main button[type=submit]").click()
    if lands_on is not None:
        page.wait_for_url(f"{base}{lands_on}")


def sign_up(page, full_name: str, email: str, password: str) -> None:
    """Fill in the open candidate sign-up page (French) and send it."""
    page.get_by_label("Nom complet").fill(full_name)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Créer mon compte").click()


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
