"""Candidate accounts, applications, submission with eligibility, the transition service
(table, roles, two staff at once, manual review), scoped reads and the shipped rules."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from capitalis.accounts.models import RoleAssignment
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions import services
from capitalis.admissions.models import (
    Application,
    ApplicationTransition,
    EligibilityRule,
    PriorDegree,
)
from capitalis.admissions.queries import (
    application_get_for,
    application_list_for,
    eligibility_display,
)
from capitalis.admissions.rules import Status
from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from tests.admissions.builders import build_world, candidate, draft, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_signup_gives_the_candidate_role() -> None:
    user = candidate("new@example.org")
    assert RoleAssignment.objects.filter(user=user, role=Role.CANDIDATE).exists()
    assert user.check_password("pw-Secret-123")
    with pytest.raises(DomainError):
        candidate("NEW@example.org")


def test_target_must_be_offered() -> None:
    world = build_world()
    who = candidate()
    other_spec = world.programme.specialisations.exclude(pk=world.spec.pk).first()
    from capitalis.programmes.models import Offering

    Offering.objects.filter(campus=world.other_campus, specialisation=other_spec).delete()
    with translation.override("en"), pytest.raises(DomainError, match="does not offer"):
        services.application_create(
            candidate=who,
            edition=world.edition,
            year=world.msc1,
            campus=world.other_campus,
            track="initial",
            specialisation=other_spec,
        )
    assert not Application.objects.exists()


def test_ects_not_a_number_is_refused_and_nothing_saved() -> None:
    world = build_world()
    who = candidate()
    application = draft(world, who, documents=False)
    bad = [
        services.DegreeInput(title="Master", level="master", ects=120, field="law", country="FR"),
        services.DegreeInput(
            title="Licence", level="bachelor", ects="abc", field="law", country="FR"
        ),
    ]
    with translation.override("fr"), pytest.raises(DomainError) as exc:
        services.application_degrees_set(application=application, actor_user=who, degrees=bad)
    assert "ECTS" in exc.value.message and "nombre entier" in exc.value.message
    # the earlier degree is still there, the new ones were not saved
    assert list(PriorDegree.objects.values_list("ects", flat=True)) == [180]


def test_incomplete_application_cannot_be_submitted() -> None:
    world = build_world()
    who = candidate()
    application = draft(world, who, documents=False)
    with translation.override("en"), pytest.raises(DomainError, match="motivation letter"):
        services.application_submit(application=application, actor_user=who, expected_version=0)
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_submission_evaluates_eligibility_as_the_system() -> None:
    world = build_world()
    who = candidate()
    application = draft(world, who)
    application = services.application_submit(
        application=application, actor_user=who, expected_version=0
    )
    assert application.status == Status.ELIGIBLE
    assert application.version == 2
    assert [o["code"] for o in application.eligibility] == [
        "FIELD-MSC1",
        "ECTS-180",
        "ENGLISH-B2",
    ]
    assert all(o["passed"] for o in application.eligibility)
    moves = list(ApplicationTransition.objects.values_list("from_status", "to_status", "by"))
    assert moves == [("draft", "submitted", who.pk), ("submitted", "eligible", None)]
    assert application.submitted_at is not None


def test_failed_rules_show_their_reasons_in_the_users_language() -> None:
    world = build_world()
    who = candidate()
    application = draft(world, who, ects=120, english="B1")
    application = services.application_submit(
        application=application, actor_user=who, expected_version=0
    )
    assert application.status == Status.INELIGIBLE
    with translation.override("fr"):
        shown = eligibility_display(application)
    assert [(r["label"], r["passed"]) for r in shown] == [
        ("Domaine accepté", True),
        ("Au moins 180 ECTS", False),
        ("Anglais B2", False),
    ]
    assert shown[1]["reason"] == (
        "Votre meilleur diplôme totalise 120 ECTS ; MSc 1e année en demande 180."
    )
    assert (
        shown[0]["reason"]
        == "Votre diplôme en droit relève d’un domaine accepté pour MSc 1e année."
    )
    with translation.override("en"):
        shown = eligibility_display(application)
    assert shown[2]["reason"] == "English level B1; B2 required."
    assert shown[1]["label"] == "At least 180 ECTS"
    assert shown[1]["reason"] == "Your best degree totals 120 ECTS; MSc year 1 needs 180."


def test_a_degree_outside_the_fields_fails_the_field_rule_with_its_real_ects() -> None:
    """The bug: a 180-ECTS degree in a field outside the list was reported as "0 ECTS; 180
    required". Now the field rule fails, naming her degree; the ECTS rule passes with 180."""
    world = build_world()
    who = candidate()
    application = draft(world, who, ects=180, field="other")
    application = services.application_submit(
        application=application, actor_user=who, expected_version=0
    )
    assert application.status == Status.INELIGIBLE
    with translation.override("en"):
        field, ects, _english = eligibility_display(application)
    assert (field["passed"], ects["passed"]) == (False, True)
    assert field["reason"].startswith(
        "Your degree in “Licence” is not in an accepted field for MSc year 1: "
    )
    assert "humanities or letters" in field["reason"]
    assert ects["reason"] == "Your best degree totals 180 ECTS; MSc year 1 needs 180."
    with translation.override("fr"):
        field, _ects, _english = eligibility_display(application)
    assert field["reason"].startswith(
        "Votre diplôme en « Licence » ne relève pas d’un domaine accepté pour MSc 1e année : "
    )


def test_msc2_needs_240_ects_in_the_listed_fields() -> None:
    world = build_world()
    who = candidate()
    application = draft(world, who, ects=300, field="humanities", year=world.msc2)
    application = services.application_submit(
        application=application, actor_user=who, expected_version=0
    )
    assert application.status == Status.INELIGIBLE
    field, ects, _english = application.eligibility
    assert (field["passed"], ects["passed"]) == (False, True)
    assert ects["params"]["best"] == 300


def _submitted_ineligible(world):
    who = candidate()
    application = draft(world, who, ects=90)
    return who, services.application_submit(
        application=application, actor_user=who, expected_version=0
    )


def test_transition_not_in_the_table_is_refused_nothing_saved() -> None:
    world = build_world()
    officer = staff("officer@example.org", Role.ADMISSIONS_OFFICER)
    _who, application = _submitted_ineligible(world)
    before = ApplicationTransition.objects.count()
    with translation.override("en"), pytest.raises(DomainError) as exc:
        services.application_transition(
            application=application,
            target=Status.ADMITTED,
            actor_user=officer,
            expected_version=application.version,
        )
    assert exc.value.code == "not_in_table"
    assert exc.value.message == ("An application cannot go from “ineligible” to “admitted”.")
    application.refresh_from_db()
    assert application.status == Status.INELIGIBLE
    assert ApplicationTransition.objects.count() == before


def test_candidate_cannot_move_her_file_to_eligible() -> None:
    world = build_world()
    who, application = _submitted_ineligible(world)
    with pytest.raises(DomainError) as exc:
        services.application_transition(
            application=application,
            target=Status.MANUAL_REVIEW,
            actor_user=who,
            expected_version=application.version,
        )
    assert exc.value.code == "not_authorised"


def test_manual_review_with_a_note_by_campus_staff_only() -> None:
    world = build_world()
    elsewhere = staff(
        "far@example.org", Role.ADMISSIONS_OFFICER, ScopeKind.CAMPUS, world.other_campus.pk
    )
    officer = staff("here@example.org", Role.ADMISSIONS_OFFICER, ScopeKind.CAMPUS, world.campus.pk)
    _who, application = _submitted_ineligible(world)
    with pytest.raises(DomainError) as exc:
        services.application_send_to_manual_review(
            application=application, actor_user=officer, expected_version=2, note="  "
        )
    assert exc.value.code == "note_required"
    with pytest.raises(DomainError) as exc:
        services.application_send_to_manual_review(
            application=application, actor_user=elsewhere, expected_version=2, note="x"
        )
    assert exc.value.code == "not_authorised"
    application = services.application_send_to_manual_review(
        application=application,
        actor_user=officer,
        expected_version=2,
        note="Foreign degree: check the equivalence.",
    )
    assert application.status == Status.MANUAL_REVIEW
    assert application.manual_review_note == "Foreign degree: check the equivalence."
    last = ApplicationTransition.objects.last()
    assert last is not None and last.by == officer and last.note.startswith("Foreign")
    assert AuditEvent.objects.filter(
        action="admissions.application_transition", actor=officer
    ).exists()
    # and on to eligible
    application = services.application_transition(
        application=application, target=Status.ELIGIBLE, actor_user=officer, expected_version=3
    )
    assert application.status == Status.ELIGIBLE


def test_two_staff_deciding_at_once_the_second_is_told() -> None:
    world = build_world()
    first = staff("a@example.org", Role.ADMISSIONS_OFFICER)
    second = staff("b@example.org", Role.ADMISSIONS_OFFICER)
    _who, application = _submitted_ineligible(world)
    seen = application.version
    stale = Application.objects.get(pk=application.pk)
    services.application_transition(
        application=application,
        target=Status.MANUAL_REVIEW,
        actor_user=first,
        expected_version=seen,
        note="first",
    )
    with translation.override("en"), pytest.raises(DomainError) as exc:
        services.application_transition(
            application=stale,
            target=Status.MANUAL_REVIEW,
            actor_user=second,
            expected_version=seen,
            note="second",
        )
    assert exc.value.code == "conflict"
    assert "changed by someone else meanwhile" in exc.value.message
    application.refresh_from_db()
    assert application.manual_review_note == "first"
    assert ApplicationTransition.objects.filter(note="second").count() == 0


def test_presented_and_decided_dates_are_set() -> None:
    world = build_world()
    officer = staff("o@example.org", Role.ADMISSIONS_OFFICER)
    director = staff("d@example.org", Role.PROGRAMME_DIRECTOR)
    who = candidate()
    application = services.application_submit(
        application=draft(world, who), actor_user=who, expected_version=0
    )
    for target in (Status.INTERVIEW_SCHEDULED, Status.INTERVIEWED, Status.PRESENTED):
        application = services.application_transition(
            application=application,
            target=target,
            actor_user=officer,
            expected_version=application.version,
        )
    assert application.presented_on == timezone.localdate()
    with pytest.raises(DomainError):  # an admissions officer is not the jury
        services.application_transition(
            application=application,
            target=Status.ADMITTED,
            actor_user=officer,
            expected_version=application.version,
        )
    application = services.application_transition(
        application=application,
        target=Status.WAITLISTED,
        actor_user=director,
        expected_version=application.version,
    )
    assert application.decided_on == timezone.localdate()
    assert application.history.count() >= 5


def test_fee_recorded_by_admissions_staff_only() -> None:
    world = build_world()
    officer = staff("o@example.org", Role.ADMISSIONS_OFFICER, ScopeKind.CAMPUS, world.campus.pk)
    who = candidate()
    application = draft(world, who, documents=False)
    with pytest.raises(DomainError):
        services.application_fee_record(application=application, actor_user=who, paid=True)
    services.application_fee_record(application=application, actor_user=officer, paid=True)
    application.refresh_from_db()
    assert application.application_fee_paid
    assert application.application_fee_paid_on == timezone.localdate()


def test_reads_are_scoped() -> None:
    world = build_world()
    alice, bea = candidate("alice@example.org"), candidate("bea@example.org")
    mine = draft(world, alice, documents=False)
    theirs = draft(world, bea, documents=False)
    theirs.campus = world.other_campus
    theirs.save()
    here = staff("here@example.org", Role.ADMISSIONS_OFFICER, ScopeKind.CAMPUS, world.campus.pk)
    director = staff("d@example.org", Role.PROGRAMME_DIRECTOR)
    assert list(application_list_for(user=alice)) == [mine]
    assert application_get_for(user=alice, pk=mine.pk) == mine
    with pytest.raises(Application.DoesNotExist):
        application_get_for(user=alice, pk=theirs.pk)
    assert list(application_list_for(user=here)) == [mine]
    assert set(application_list_for(user=director)) == {mine, theirs}


def test_shipped_rules_load_idempotently(referential_data) -> None:
    rules = EligibilityRule.objects.filter(edition__code="2026-27")
    assert set(rules.values_list("year__code", "code")) == {
        ("MSC1", "FIELD-MSC1"),
        ("MSC1", "ECTS-180"),
        ("MSC1", "ENGLISH-B2"),
        ("MSC2", "FIELD-MSC2"),
        ("MSC2", "ECTS-240"),
        ("MSC2", "ENGLISH-B2"),
    }
    import datetime as dt

    from capitalis.admissions.queries import editions_open_for_applications
    from capitalis.programmes.models import Edition

    edition = Edition.objects.get(code="2026-27")
    assert (edition.applications_open_on, edition.applications_close_on) == (
        dt.date(2025, 10, 1),
        dt.date(2027, 1, 31),
    )
    assert list(editions_open_for_applications(today=dt.date(2026, 3, 16))) == [edition]
    assert not editions_open_for_applications(today=dt.date(2027, 2, 1)).exists()
    msc1_fields = rules.get(year__code="MSC1", code="FIELD-MSC1").params["fields"]
    assert "international_relations" in msc1_fields
    assert rules.get(year__code="MSC1", code="ECTS-180").params == {
        "ects": 180,
        "in_progress": True,
    }
    assert rules.get(year__code="MSC2", code="ECTS-240").params["ects"] == 240
    assert rules.get(year__code="MSC1", code="ENGLISH-B2").params == {"level": "B2"}
    from capitalis.core.services import data_load

    again = data_load()
    assert again.counts["admissions"].total("created") == 0
    assert again.counts["admissions"].total("updated") == 0
    assert not again.changed


def test_a_candidate_who_signed_up_confirms_her_address_before_submitting() -> None:
    """A self-signed-up candidate's address awaits its confirmation link: submitting is
    refused with a translated reason and nothing moves; once confirmed, it goes through."""
    from capitalis.accounts import services as accounts_services
    from capitalis.accounts.queries import email_awaits_confirmation

    world = build_world()
    who = services.candidate_signup_request(
        email="new.cand@example.org", full_name="New Cand", password="a-long-pass-phrase-7"
    )
    assert who is not None and email_awaits_confirmation(user=who)
    application = draft(world, who)
    with translation.override("fr"), pytest.raises(DomainError) as refused:
        services.application_submit(application=application, actor_user=who, expected_version=0)
    assert refused.value.code == "email_unverified"
    assert "Confirmez" in refused.value.message
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    accounts_services.email_address_ensure(user=who, verified=True)
    application = services.application_submit(
        application=application, actor_user=who, expected_version=0
    )
    assert application.status != Status.DRAFT
