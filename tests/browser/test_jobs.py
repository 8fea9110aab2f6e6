"""A background job's page in a real browser, under the Content-Security-Policy: while the job
runs, its static script follows the progress bar through the API, and once the job is done the
page shows the outcome and the link to the result, with no console error (a blocked inline
script would log one). The page is axe-checked."""

from __future__ import annotations

import pytest

from capitalis.core.models import Job
from tests.browser.helpers import log_in, serious_violations
from tests.jury.builders import person

pytestmark = pytest.mark.browser


def test_job_page_follows_the_progress_then_shows_the_result(page, live_server, settings) -> None:
    user = person("runner@example.org", "Runner Example")
    user.set_password("pw-Secret-123")
    user.save()
    job = Job.objects.create(
        kind="test", title="Longue tâche", user=user, status="running", total=4
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    url = live_server.url
    log_in(page, url, user.email)

    page.goto(f"{url}/jobs/{job.pk}/")
    assert page.locator("h1").inner_text() == "Longue tâche"
    bar = page.get_by_role("progressbar")
    assert bar.get_attribute("value") == "0"
    assert serious_violations(page) == []

    Job.objects.filter(pk=job.pk).update(done=2)
    page.get_by_text("2 sur 4 étapes faites").wait_for()
    assert page.evaluate("document.getElementById('job-progress').value") == 2

    Job.objects.filter(pk=job.pk).update(
        status="done", done=4, message="Tout est fait.", result_url="/jobs/"
    )
    page.get_by_text("Tout est fait.").wait_for()
    assert page.get_by_role("link", name="Voir le résultat").get_attribute("href") == "/jobs/"
    assert errors == []
