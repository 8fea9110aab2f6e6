"""Background jobs (issue 13 point 10): a long action is recorded as a job with its progress and
outcome; asking again while it runs (or once a one-time action is done) returns the same job; a
failure is recorded with its translated reason and the action wrote nothing; the job's page and
API show it to the person who asked only (another person: 404)."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent, Job
from capitalis.core.services import JobOutcome, job_progress, job_run, job_start
from capitalis.credentials.models import Credential
from capitalis.jury.models import BlockValidation, JurySession
from tests.credentials.issuance_world import deliberated, signing_key  # noqa: F401
from tests.jury.builders import person
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db

SEEN: list[int] = []


@shared_task
def counting(job_id: int, steps: int) -> None:
    def work(job: Job) -> JobOutcome:
        job_progress(job_id=job.pk, done=0, total=steps)
        for step in range(1, steps + 1):
            job_progress(job_id=job.pk, done=step)
            SEEN.append(Job.objects.get(pk=job.pk).done)
        return JobOutcome(message="fini", result={"steps": steps}, url="/jobs/")

    job_run(job_id, work)


@shared_task
def refusing(job_id: int) -> None:
    def work(job: Job) -> JobOutcome:
        raise DomainError(translation.gettext("This jury session does not exist."))

    job_run(job_id, work)


@shared_task
def crashing(job_id: int) -> None:
    def work(job: Job) -> JobOutcome:
        raise RuntimeError("boom")

    job_run(job_id, work)


def client_for(user, lang: str = "fr") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


# --- the service ----------------------------------------------------------------------------


def test_a_job_runs_reports_its_progress_and_finishes():
    user = person("runner@example.test", "Run Ner")
    SEEN.clear()
    job = job_start(kind="test.count", key="count:1", user=user, task=counting, args=[3])
    assert (job.status, job.done, job.total, job.percent) == ("done", 3, 3, 100)
    assert SEEN == [1, 2, 3]
    assert job.result == {"steps": 3} and job.result_url == "/jobs/" and job.message == "fini"
    assert job.started_at and job.finished_at and job.user == user
    actions = list(
        AuditEvent.objects.filter(target_id=str(job.pk), target_type="core.job")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["core.job_start", "core.job_done"]


def test_a_running_job_is_returned_instead_of_a_second_one():
    user = person("twice@example.test", "Two Clicks")
    running = Job.objects.create(kind="test.count", key="count:2", user=user, status="running")
    SEEN.clear()
    again = job_start(kind="test.count", key="count:2", user=user, task=counting, args=[2])
    assert again.pk == running.pk and SEEN == [] and Job.objects.count() == 1
    # the database holds the rule too: never two unfinished jobs with one key
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind="test.count", key="count:2", user=user)
    # once finished, a repeatable job starts anew; a one-time one (once) is returned
    Job.objects.filter(pk=running.pk).update(status="done")
    fresh = job_start(kind="test.count", key="count:2", user=user, task=counting, args=[1])
    assert fresh.pk != running.pk and fresh.status == "done"
    same = job_start(
        kind="test.count", key="count:2", user=user, task=counting, args=[1], once=True
    )
    assert same.pk == fresh.pk


def test_a_refused_job_fails_with_its_translated_message_and_a_crash_with_a_general_one():
    user = person("fail@example.test", "Fail Ure")
    with translation.override("fr"):
        refused = job_start(kind="test.refuse", key="", user=user, task=refusing)
        crashed = job_start(kind="test.crash", key="", user=user, task=crashing)
    assert refused.status == "failed" and refused.message == "Cette session de jury n'existe pas."
    assert crashed.status == "failed" and "erreur inattendue" in crashed.message
    assert AuditEvent.objects.filter(action="core.job_failed").count() == 2
    page = client_for(user).get(reverse("jobs:detail", args=[refused.pk])).content.decode()
    assert 'role="alert"' in page and "Cette session de jury n&#x27;existe pas." in page
    assert "Échec" in page or "échec" in page


# --- closing a jury session -----------------------------------------------------------------


def test_closing_twice_runs_one_job_and_closes_once(media):
    iss = deliberated(close=False)
    c = client_for(iss.w.president)
    url = reverse("jury:close", args=[iss.session.pk])
    first = c.post(url)
    second = c.post(url)  # a double click, or the browser sending the form again
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    job = Job.objects.get()
    assert first["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.kind == "jury.session_close" and job.status == "done" and job.key
    assert JurySession.objects.get(pk=iss.session.pk).status == "closed"
    assert AuditEvent.objects.filter(action="jury_session_sign").count() == 1
    page = c.get(first["Location"]).content.decode()
    assert 'lang="fr"' in page and "<progress" in page and 'value="1"' in page
    assert "La session est close" in page
    assert reverse("jury:verify", args=[iss.session.pk]) in page
    assert "http-equiv" not in page  # finished: no more refreshing


def test_a_failing_close_leaves_the_session_open_and_tells_why(media, monkeypatch):
    iss = deliberated(close=False)

    def broken(**kwargs):
        raise DomainError(translation.gettext("The minutes file is missing from storage."))

    monkeypatch.setattr("capitalis.jury.minutes.minutes_pdf", broken)
    c = client_for(iss.w.president)
    r = c.post(reverse("jury:close", args=[iss.session.pk]), follow=True)
    job = Job.objects.get()
    missing = "Le fichier du procès-verbal est introuvable dans le stockage."
    assert job.status == "failed" and job.message == missing
    page = r.content.decode()
    assert missing in page and 'role="alert"' in page
    session = JurySession.objects.get(pk=iss.session.pk)
    assert session.status == "open" and not session.minutes_sha256
    assert not BlockValidation.objects.filter(session=session).exists()
    # a failed close may be asked again (a new job)
    monkeypatch.undo()
    c.post(reverse("jury:close", args=[iss.session.pk]))
    assert Job.objects.count() == 2
    assert JurySession.objects.get(pk=iss.session.pk).status == "closed"


def test_close_refusals_stay_on_the_form_and_start_no_job(media):
    iss = deliberated(close=False)
    r = client_for(iss.w.member).post(reverse("jury:close", args=[iss.session.pk]))
    assert r.status_code == 400 and not Job.objects.exists()
    # while a close job runs, the close page links to it instead of offering the form again
    job = Job.objects.create(
        kind="jury.session_close", key=f"close-session:{iss.session.pk}", user=iss.w.president
    )
    page = client_for(iss.w.president).get(reverse("jury:close", args=[iss.session.pk]))
    html = page.content.decode()
    assert "Suivre son avancement" in html and reverse("jobs:detail", args=[job.pk]) in html


# --- issuing a session's credentials ----------------------------------------------------------


def test_issuing_credentials_is_a_job_with_per_learner_progress(media, signing_key):  # noqa: F811
    iss = deliberated()
    c = client_for(iss.w.president)
    r = c.post(reverse("credentials:session-issue", args=[iss.session.pk]), follow=True)
    job = Job.objects.get(kind="credentials.session_issue")
    # two learners have something to issue, three decisions have documents: five steps
    assert (job.status, job.done, job.total) == ("done", 5, 5)
    assert job.result["credentials_issued"] == 5 == Credential.objects.count()
    page = r.content.decode()
    assert 'max="5" value="5"' in page and "5 sur 5" in page
    assert reverse("credentials:session", args=[iss.session.pk]) in page
    # repeating is safe: a new job that issues nothing new
    c.post(reverse("credentials:session-issue", args=[iss.session.pk]))
    again = Job.objects.filter(kind="credentials.session_issue").first()
    assert again.pk != job.pk and again.result["credentials_issued"] == 0
    assert Credential.objects.count() == 5


def test_issuing_from_an_open_session_is_refused_without_a_job(media, signing_key):  # noqa: F811
    iss = deliberated(close=False)
    r = client_for(iss.w.president, "en").post(
        reverse("credentials:session-issue", args=[iss.session.pk]), follow=True
    )
    assert "not closed with signed minutes" in r.content.decode()
    assert not Job.objects.exists()


# --- pages and API: each person's own jobs ----------------------------------------------------


def test_pages_show_only_ones_own_jobs():
    me = person("me@example.test", "Me Myself")
    other = person("other@example.test", "Oth Er")
    mine = Job.objects.create(kind="test", title="Ma tâche", user=me, status="running", total=4)
    Job.objects.filter(pk=mine.pk).update(done=1)
    theirs = Job.objects.create(kind="test", title="Sa tâche", user=other)
    c = client_for(me)
    page = c.get(reverse("jobs:detail", args=[mine.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'lang="fr"' in html
    assert 'max="4" value="1"' in html and "1 sur 4" in html
    # refreshes itself: a static script (nonce, no inline code) and, without it, a meta refresh
    assert "core/job.js" in html and 'nonce="' in html and 'http-equiv="refresh"' in html
    assert "Recharger" in html
    assert c.get(reverse("jobs:detail", args=[theirs.pk])).status_code == 404
    listing = c.get(reverse("jobs:list")).content.decode()
    assert "Ma tâche" in listing and "Sa tâche" not in listing
    assert Client().get(reverse("jobs:list")).status_code == 302  # to the login page
    boss = person("boss@example.test", "Super User")
    boss.is_superuser = True
    boss.save()
    assert client_for(boss).get(reverse("jobs:detail", args=[theirs.pk])).status_code == 200


def test_api_lists_and_reads_ones_own_jobs(openapi):
    me = person("api@example.test", "Api User")
    other = person("api-other@example.test", "Api Other")
    mine = Job.objects.create(kind="test", title="Mine", user=me, status="running", total=2)
    theirs = Job.objects.create(kind="test", title="Theirs", user=other)
    c = client_for(me, "en")
    listing = answer_validated(openapi, "/api/jobs/", c.get("/api/jobs/"), "get").json()
    assert [j["id"] for j in listing["results"]] == [mine.pk]
    path = f"/api/jobs/{mine.pk}/"
    data = answer_validated(openapi, path, c.get(path), "get").json()
    assert data["status"] == "running" and data["percent"] == 0
    assert data["progress_text"] == "0 of 2 steps done" and data["url"] == f"/jobs/{mine.pk}/"
    path = f"/api/jobs/{theirs.pk}/"
    assert answer_validated(openapi, path, c.get(path), "get").status_code == 404
    assert Client().get("/api/jobs/").status_code in (401, 403)


def test_api_close_answers_202_with_the_job(media, openapi):
    iss = deliberated(close=False)
    c = client_for(iss.w.president, "en")
    path = f"/api/jury/sessions/{iss.session.pk}/close/"
    r = answer_validated(openapi, path, c.post(path, {}, content_type="application/json"))
    assert r.status_code == 202 and r.json()["status"] == "done"
    assert r["Location"] == f"/api/jobs/{r.json()['id']}/"
    assert r.json()["result"]["session"] == iss.session.pk
    again = c.post(path, {}, content_type="application/json")
    assert again.status_code == 202 and again.json()["id"] == r.json()["id"]
    assert Job.objects.count() == 1


def test_api_issue_answers_202_with_the_job(media, openapi, signing_key):  # noqa: F811
    iss = deliberated()
    path = f"/api/credentials/sessions/{iss.session.pk}/issue/"
    refused = client_for(iss.w.member, "en").post(path)
    assert answer_validated(openapi, path, refused).status_code == 403
    outsider = client_for(iss.w.enrolments[0].learner.user, "en").post(path)
    assert answer_validated(openapi, path, outsider).status_code == 404
    r = answer_validated(openapi, path, client_for(iss.w.president, "en").post(path))
    assert r.status_code == 202 and r.json()["status"] == "done"
    assert r.json()["result"]["credentials_issued"] == 5 == Credential.objects.count()
    assert r["Location"] == r.json()["api_url"] and not Job.objects.exclude(user=iss.w.president)


# --- a job's file (exports) -----------------------------------------------------------------


@shared_task
def exporting(job_id: int, name: str) -> None:
    def work(job: Job) -> JobOutcome:
        return JobOutcome(message="prêt", file_name=name, file_content=b"a;b\n1;2\n")

    job_run(job_id, work)


def test_a_jobs_file_is_kept_privately_and_served_to_its_requester_only(media):
    owner = person("owner@example.test", "Own Er")
    job = job_start(
        kind="test.export", key="export:1", user=owner, task=exporting, args=["../../x y.csv"]
    )
    assert job.status == "done"
    assert job.file.name == f"jobs/{job.pk}/x_y.csv"  # no directory climbing, a plain name
    assert job.result_url == f"/jobs/{job.pk}/file/"
    answer = client_for(owner).get(job.result_url)
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="x_y.csv"'
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert b"".join(answer.streaming_content) == b"a;b\n1;2\n"
    # another person, even a superuser, gets 404 (an export holds what its requester may read)
    boss = person("boss@example.test", "Bo Ss")
    boss.is_superuser = True
    boss.save()
    stranger = person("x@example.test", "Ex Ample")
    for path in (job.result_url, f"/api/jobs/{job.pk}/file/"):
        assert client_for(boss).get(path).status_code == 404
        assert client_for(stranger).get(path).status_code == 404
    # a job without a file, or a failed one: nothing to download
    failed = job_start(kind="test.refuse", key="refuse:9", user=owner, task=refusing)
    assert client_for(owner).get(f"/jobs/{failed.pk}/file/").status_code == 404
    assert client_for(owner).get("/jobs/99999999999999999999/file/").status_code == 404


def test_old_job_files_are_deleted_and_the_jobs_kept(media):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    owner = person("keeper@example.test", "Kee Per")
    old = job_start(
        kind="test.export", key="export:old", user=owner, task=exporting, args=["o.csv"]
    )
    new = job_start(
        kind="test.export", key="export:new", user=owner, task=exporting, args=["n.csv"]
    )
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=8))
    stored = old.file.name
    out = StringIO()
    call_command("clean_job_files", stdout=out)
    assert "1 job file(s) deleted" in out.getvalue()
    old.refresh_from_db()
    new.refresh_from_db()
    assert not old.file and old.status == "done"
    assert not old.file.storage.exists(stored)
    assert new.file and new.file.storage.exists(new.file.name)
    assert client_for(owner).get(f"/jobs/{old.pk}/file/").status_code == 404
    assert AuditEvent.objects.filter(action="core.job_files_clean").count() == 1


def test_progress_of_a_one_step_job_reads_in_the_singular():
    me = person("single@example.test", "Single Step")
    job = Job.objects.create(kind="test", title="One", user=me, status="done", total=1, done=1)
    page = client_for(me, "fr").get(reverse("jobs:detail", args=[job.pk]))
    assert "1 sur 1 étape faite" in page.content.decode()
    data = client_for(me, "en").get(f"/api/jobs/{job.pk}/").json()
    assert data["progress_text"] == "1 of 1 step done"
    other = Job.objects.create(kind="test", title="Three", user=me, status="running", total=3)
    assert (
        "0 sur 3 étapes faites"
        in client_for(me, "fr").get(reverse("jobs:detail", args=[other.pk])).content.decode()
    )
