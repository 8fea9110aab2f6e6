"""Personal data (issue 7 point 5): a person's data export (zip: data.json + documents; staff
page, own page, API, command; recorded and audited) and the retention rules (a refused
application older than the limit is anonymised, a recent one is not, a certified learner's
decisions stay; dry run changes nothing; a second run changes nothing)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions.models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Interview,
    InterviewSlot,
    PriorDegree,
)
from capitalis.core.data import DataFileError
from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.jury.models import BlockDecision, BlockValidation, CertificationDecision
from capitalis.reporting.models import PersonalDataRequest, SurveyAnswer, SurveyInvitation
from capitalis.reporting.privacy import services as services_privacy
from capitalis.reporting.surveys import services as services_surveys
from tests.jury.builders import person
from tests.reporting.surveys.builders import TODAY, close_jury, make_survey, send, survey_world

pytestmark = pytest.mark.django_db

RUN_DAY = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _application(sw, email: str, *, status: str, decided_on: dt.date, note: str = "Dossier"):
    user = person(email, f"Candidate {email}", (Role.CANDIDATE, ScopeKind.GLOBAL, None))
    e = sw.w.enrolments[0]
    app = Application.objects.create(
        candidate=user,
        edition=sw.w.edition,
        year=e.year,
        campus=e.campus,
        track=e.track,
        status=status,
        decided_on=decided_on,
        decision_note=f"{note}: profil trop éloigné",
        accommodation_requested=True,
        accommodation_details="Tiers temps (raison médicale)",
        english_level="B2",
    )
    PriorDegree.objects.create(
        application=app,
        title="Licence de droit, Université Imaginaire",
        level="bachelor",
        ects=180,
        field="law",
        country="FR",
    )
    ApplicationTransition.objects.create(
        application=app, from_status="presented", to_status=status, note="Avis du jury : non"
    )
    doc = ApplicationDocument(
        application=app,
        kind="cv",
        original_name="cv.pdf",
        content_type="application/pdf",
        size=9,
        sha256="a" * 64,
    )
    doc.file.save("cv.pdf", ContentFile(b"%PDF-cv-1"), save=False)
    doc.save()
    slot = InterviewSlot.objects.create(
        edition=sw.w.edition,
        campus=e.campus,
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    Interview.objects.create(
        application=app, slot=slot, comment="Peu motivé", adapted_arrangements="Salle au RDC"
    )
    return app


def _snapshot():
    """Everything the retention must keep intact about certification."""
    return (
        list(CertificationDecision.objects.order_by("pk").values()),
        list(BlockDecision.objects.order_by("pk").values()),
        list(BlockValidation.objects.order_by("pk").values()),
    )


def _state():
    return (
        list(Application.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values()),
        list(ApplicationDocument.objects.order_by("pk").values()),
        list(Interview.objects.order_by("pk").values()),
        list(PriorDegree.objects.order_by("pk").values()),
        list(SurveyInvitation.objects.order_by("pk").values()),
        list(SurveyAnswer.objects.order_by("pk").values()),
        list(Application.history.order_by("pk").values()),
    )


# --- retention -------------------------------------------------------------------------------


def test_the_shipped_retention_rules_load_and_bad_ones_are_refused(tmp_path):
    rules = services_privacy.retention_rules()
    assert {r.records for r in rules} == set(services_privacy.RECORDS)
    assert all(r.basis for r in rules)
    bad = tmp_path / "retention.yaml"
    bad.write_text(
        "rules:\n  - {code: x, records: applications, after_months: 0, basis: b, "
        "statuses: [enrolled]}\n  - {code: y, records: diplomas, after_months: 3, basis: b}\n"
    )
    with translation.override("en"), pytest.raises(DataFileError) as err:
        services_privacy.parse_retention(bad)
    text = str(err.value)
    assert "rules[0].after_months: must be at least 1" in text
    assert "'enrolled' is not an application status that may be anonymised" in text
    assert "rules[1].records: 'diplomas' is not one of" in text


def test_retention_anonymises_old_refused_files_keeps_recent_ones_and_certification(
    django_capture_on_commit_callbacks,
):
    sw = survey_world()
    close_jury(sw, enrolments=2)
    old = _application(sw, "old@example.org", status="refused", decided_on=dt.date(2024, 1, 10))
    recent = _application(
        sw, "recent@example.org", status="refused", decided_on=dt.date(2026, 9, 1)
    )
    old_file = old.documents.get().file.name
    assert default_storage.exists(old_file)
    kept = _snapshot()
    learner_users = list(
        User.objects.filter(learner__isnull=False).order_by("pk").values("email", "full_name")
    )

    # a dry run counts and changes nothing
    before = _state()
    dry = services_privacy.retention_apply(today=RUN_DAY, dry_run=True)
    assert dry.counts["refused_applications"] == 1 and dry.counts["interview_notes"] == 1
    assert _state() == before and default_storage.exists(old_file)
    assert not PersonalDataRequest.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        report = services_privacy.retention_apply(today=RUN_DAY)
    assert report.counts["refused_applications"] == 1
    assert report.counts["refused_application_documents"] == 1
    old.refresh_from_db()
    assert old.decision_note == "" and old.accommodation_details == ""
    assert old.accommodation_requested is False and old.english_level == ""
    assert old.prior_degrees.get().title == "anonymised"
    assert old.transitions.get().note == ""
    assert not old.documents.exists() and not default_storage.exists(old_file)
    assert Interview.objects.get(application=old).comment == ""
    # the history tables lose the texts too
    assert not Application.history.filter(id=old.pk).exclude(decision_note="").exists()
    candidate = User.objects.get(pk=old.candidate_id)
    assert candidate.full_name == "anonymised"
    assert candidate.email == f"anonymised-{candidate.pk}@anonymised.invalid"
    assert not candidate.is_active and not candidate.has_usable_password()
    # the recent refusal is untouched
    recent.refresh_from_db()
    assert recent.decision_note.endswith("profil trop éloigné") and recent.documents.exists()
    assert User.objects.get(pk=recent.candidate_id).email == "recent@example.org"
    # certification records and learners stay intact
    assert _snapshot() == kept and kept[0]
    assert (
        list(User.objects.filter(learner__isnull=False).order_by("pk").values("email", "full_name"))
        == learner_users
    )
    # recorded, audited, without personal content
    request = PersonalDataRequest.objects.get(kind="retention")
    assert request.summary["counts"]["refused_applications"] == 1
    event = AuditEvent.objects.get(action="reporting.retention_apply")
    assert "old@example.org" not in event.summary + json.dumps(event.data)

    # a second run changes nothing and records nothing
    after = _state()
    again = services_privacy.retention_apply(today=RUN_DAY)
    assert again.changed == 0 and _state() == after
    assert PersonalDataRequest.objects.filter(kind="retention").count() == 1


def test_survey_answers_lose_their_person_after_the_period(django_capture_on_commit_callbacks):
    sw = survey_world()
    survey = make_survey(sw)
    tokens = send(sw, survey, django_capture_on_commit_callbacks)
    first = sw.w.enrolments[0].learner.user.email
    services_surveys.survey_answer(
        token=tokens[first],
        answers={"overall": "5", "content": "4", "recommend": "yes", "comment": "Nom cité"},
        today=TODAY,
    )
    closes = survey.closes_on
    # 6 months after closing: unanswered invitations lose their e-mail; answers stay linked
    services_privacy.retention_apply(today=closes + dt.timedelta(days=200))
    assert SurveyInvitation.objects.filter(answered_at__isnull=True, email="").count() == 2
    assert SurveyInvitation.objects.get(answered_at__isnull=False).email == first
    # 3 years after: the answered one too; numbers stay, texts go
    services_privacy.retention_apply(today=closes + dt.timedelta(days=3 * 366))
    answered = SurveyInvitation.objects.get(answered_at__isnull=False)
    assert answered.learner is None and answered.email == ""
    assert SurveyAnswer.objects.get(question="overall").number == 5
    assert SurveyAnswer.objects.get(question="comment").text == ""


def test_apply_retention_command(capsys):
    sw = survey_world()
    old = _application(sw, "old@example.org", status="withdrawn", decided_on=dt.date(2023, 5, 1))
    call_command("apply_retention", "--dry-run", "--today", RUN_DAY.isoformat())
    out = capsys.readouterr().out
    assert "dry run, nothing changed" in out and "refused_applications: 1" in out
    assert User.objects.get(pk=old.candidate_id).email == "old@example.org"
    call_command("apply_retention", "--today", RUN_DAY.isoformat())
    assert "refused_applications: 1" in capsys.readouterr().out
    assert User.objects.get(pk=old.candidate_id).full_name == "anonymised"
    call_command("apply_retention", "--today", RUN_DAY.isoformat())
    assert "refused_applications: 0" in capsys.readouterr().out


def test_months_before_handles_month_ends():
    assert services_privacy.months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert services_privacy.months_before(dt.date(2026, 1, 15), 24) == dt.date(2024, 1, 15)
    assert services_privacy.months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


# --- export ----------------------------------------------------------------------------------


def _unzip(content: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("data.json")), files


def _learner_with_everything(sw, captured):
    close_jury(sw, enrolments=1)
    learner = sw.w.enrolments[0].learner
    survey = make_survey(sw)
    tokens = send(sw, survey, captured)
    services_surveys.survey_answer(
        token=tokens[learner.user.email],
        answers={"overall": "4", "content": "4", "recommend": "no"},
        today=TODAY,
    )
    app = _application(sw, "other@example.org", status="enrolled", decided_on=TODAY)
    Application.objects.filter(pk=app.pk).update(candidate=learner.user)
    return learner


def test_export_holds_the_persons_records_and_documents(django_capture_on_commit_callbacks):
    sw = survey_world()
    learner = _learner_with_everything(sw, django_capture_on_commit_callbacks)
    from capitalis.core.models import audit_record

    audit_record(action="test.own_action", actor=learner.user, summary="secret of hers")
    audit_record(action="test.other_action", actor=sw.director)
    export = services_privacy.personal_data_export(subject=learner.user, actor=sw.director)
    data, files = _unzip(export.content)
    assert data["user"]["email"] == learner.user.email and "password" not in data["user"]
    assert data["learner"]["id"] == learner.pk
    assert [e["id"] for e in data["enrolments"]] == [sw.w.enrolments[0].pk]
    assert len(data["certification_decisions"]) == 1 and data["block_decisions"]
    assert {a["question"] for a in data["survey_answers"]} == {"overall", "content", "recommend"}
    assert data["applications"][0]["decision_note"].endswith("profil trop éloigné")
    assert data["interviews"][0]["comment"] == "Peu motivé"
    assert [a["action"] for a in data["actions"]] == ["test.own_action"]
    assert "secret of hers" not in json.dumps(data)  # actions without their text
    assert data["tutored_contracts"] == []
    assert [n for n in files if n.startswith("documents/applications/")]
    assert b"%PDF-cv-1" in files.values()
    # nothing about the other learners
    others = {e.learner.user.email for e in sw.w.enrolments[1:]}
    blob = json.dumps(data)
    assert not any(email in blob for email in others)
    # recorded and audited, without personal content in the summary
    request = PersonalDataRequest.objects.get(kind="export")
    assert request.subject == learner.user and request.requested_by == sw.director
    assert request.summary["counts"]["files"] == 1 and not request.file
    event = AuditEvent.objects.get(action="reporting.personal_data_export")
    assert learner.user.email not in event.summary and learner.user.full_name not in event.summary


def test_only_the_person_or_a_director_may_export():
    sw = survey_world()
    learner = sw.w.enrolments[0].learner.user
    other = sw.w.enrolments[1].learner.user
    with translation.override("fr"), pytest.raises(DomainError) as err:
        services_privacy.personal_data_export(subject=learner, actor=other)
    assert err.value.code == "forbidden"
    assert not PersonalDataRequest.objects.exists()
    services_privacy.personal_data_export(subject=learner, actor=learner)
    assert PersonalDataRequest.objects.count() == 1


def test_pages_staff_search_and_export_and_my_data():
    sw = survey_world()
    learner = sw.w.enrolments[0].learner.user
    staff = Client()
    staff.force_login(sw.director)
    page = staff.get(reverse("reporting:privacy"), {"q": learner.email[:8]})
    assert page.status_code == 200 and learner.email in page.content.decode()
    url = reverse("reporting:privacy-export", args=[learner.pk])
    assert f'action="{url}"' in page.content.decode()
    zipped = staff.post(url)
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"
    assert _unzip(zipped.content)[0]["user"]["email"] == learner.email
    assert staff.get(url).status_code == 405
    # a learner cannot reach the staff page nor export someone else; she gets her own data
    own = Client()
    own.force_login(learner)
    assert own.get(reverse("reporting:privacy")).status_code == 404
    other_url = reverse("reporting:privacy-export", args=[sw.w.enrolments[1].learner.user.pk])
    assert own.post(other_url).status_code == 404
    mine = own.get(reverse("reporting:privacy-mine"))
    assert mine.status_code == 200
    zipped = own.post(reverse("reporting:privacy-mine"))
    assert _unzip(zipped.content)[0]["user"]["email"] == learner.email
    assert Client().get(reverse("reporting:privacy-mine")).status_code == 302  # log in first


def test_api_exports():
    sw = survey_world()
    learner = sw.w.enrolments[0].learner.user
    staff = Client()
    staff.force_login(sw.director)
    r = staff.post(
        "/api/reporting/privacy/exports/", {"email": learner.email}, content_type="application/json"
    )
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    r = staff.post(
        "/api/reporting/privacy/exports/",
        {"email": "nobody@example.org"},
        content_type="application/json",
    )
    assert r.status_code == 404
    own = Client()
    own.force_login(learner)
    r = own.post(
        "/api/reporting/privacy/exports/",
        {"email": sw.director.email},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = own.post("/api/reporting/privacy/mine/")
    assert r.status_code == 200 and _unzip(r.content)[0]["user"]["email"] == learner.email
    assert Client().post("/api/reporting/privacy/mine/").status_code in (401, 403)


def test_export_personal_data_command(tmp_path, capsys):
    sw = survey_world()
    learner = sw.w.enrolments[0].learner.user
    output = tmp_path / "out.zip"
    call_command("export_personal_data", "--email", learner.email.upper(), "--output", str(output))
    assert "written" in capsys.readouterr().out
    assert _unzip(output.read_bytes())[0]["user"]["email"] == learner.email
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_personal_data", "--email", "no@example.org", "--output", str(output))


def test_load_data_checks_the_retention_file(tmp_path):
    from capitalis.core.services import data_load

    root = tmp_path / "data"
    (root / "reporting").mkdir(parents=True)
    (root / "reporting" / "retention.yaml").write_text(
        "rules:\n  - {code: x, records: applications, after_months: 3, basis: b}\n"
    )
    with translation.override("en"), pytest.raises(DataFileError) as err:
        data_load(data_dir=root)
    assert "rules[0].statuses: required key missing" in str(err.value)
    (root / "reporting" / "retention.yaml").write_text(
        (services_privacy.default_data_dir() / "reporting" / "retention.yaml").read_text()
    )
    report = data_load(data_dir=root)
    assert report.counts["reporting-retention"].as_dict() == {}
