"""A work-study contract names its employer tutor (the maître d'apprentissage): the database
refuses a new contract without one, and the service, the pages and the API refuse it with a
translated error, changing nothing (no contract, no enrolment, no account)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from capitalis.accounts.models import User
from capitalis.core.exceptions import DomainError
from capitalis.enrolment import services
from capitalis.enrolment.models import Contract, Enrolment, Learner
from capitalis.programmes.models import Track
from tests.enrolment.builders import EMPLOYER_SIRET, admitted, contract_for, user, world

pytestmark = pytest.mark.django_db

NO_TUTOR = dict(tutor_email="")


def _state() -> tuple[int, int, int, int]:
    return (
        Contract.objects.count(),
        Enrolment.objects.count(),
        Learner.objects.count(),
        User.objects.count(),
    )


def _enrolled_contract_ended(w, application) -> Enrolment:
    """The admitted application enrolled with a contract from 2024-09-01 that ended on
    2025-01-31 (so that a new contract may start on 2025-02-01)."""
    enrolment = services.enrolment_create_from_application(
        application=application, actor=w.director, contract=contract_for(dt.date(2024, 9, 1), 2)
    )
    Contract.objects.filter(enrolment=enrolment).update(terminated_on=dt.date(2025, 1, 31))
    return enrolment


def test_the_database_refuses_a_new_contract_without_tutor() -> None:
    w = world()
    enrolment = services.enrolment_create_from_application(
        application=admitted(w, "db@example.org", track=Track.WORK_STUDY),
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(
            enrolment=enrolment,
            kind="apprenticeship",
            employer_name="E",
            employer_siret=EMPLOYER_SIRET,
            start_date=dt.date(2026, 9, 1),
            end_date=dt.date(2027, 8, 31),
        )
    # the flag of the contracts recorded before the rule is the only exception
    legacy = Contract.objects.create(
        enrolment=enrolment,
        kind="apprenticeship",
        employer_name="E",
        employer_siret=EMPLOYER_SIRET,
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2027, 8, 31),
        recorded_without_tutor=True,
    )
    assert legacy.tutor is None


def test_the_services_refuse_a_contract_without_tutor_and_change_nothing() -> None:
    w = world()
    app = admitted(w, "svc@example.org", track=Track.WORK_STUDY)
    before = _state()
    with translation.override("fr"), pytest.raises(DomainError) as error:
        services.enrolment_create_from_application(
            application=app,
            actor=w.director,
            contract=contract_for(dt.date(2024, 9, 1), 2, **NO_TUTOR),
        )
    assert error.value.code == "contract_tutor_required"
    assert "tuteur" in error.value.message.lower()
    assert _state() == before
    app.refresh_from_db()
    assert app.status == "admitted"
    # on an existing enrolment too
    enrolment = _enrolled_contract_ended(w, app)
    before = _state()
    with translation.override("en"), pytest.raises(DomainError, match="employer tutor"):
        services.contract_create(
            enrolment=enrolment,
            contract=contract_for(dt.date(2025, 2, 1), 2, **NO_TUTOR),
            actor=w.director,
        )
    assert _state() == before


def test_a_refused_contract_creates_no_tutor_account() -> None:
    """The tutor's account is created in the service's transaction: a bad SIRET leaves none."""
    w = world()
    app = admitted(w, "siret@example.org", track=Track.WORK_STUDY)
    before = _state()
    with pytest.raises(DomainError):
        services.enrolment_create_from_application(
            application=app,
            actor=w.director,
            contract=contract_for(
                dt.date(2024, 9, 1), 2, siret_value="12345678901234", tutor_email="new@ex.org"
            ),
        )
    assert _state() == before
    assert not User.objects.filter(email="new@ex.org").exists()


def _post(tutor_email: str) -> dict[str, str]:
    return {
        "kind": "apprenticeship",
        "employer_name": "Entreprise Fictive",
        "employer_siret": EMPLOYER_SIRET,
        "tutor_email": tutor_email,
        "contract_start": "2024-09-01",
        "contract_end": "2026-08-31",
    }


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "This field is required."), ("fr", "Ce champ est obligatoire.")],
)
def test_the_enrol_page_asks_for_the_tutor(language: str, message: str) -> None:
    w = world()
    app = admitted(w, "page@example.org", track=Track.WORK_STUDY)
    client = Client(headers={"accept-language": language})
    client.force_login(w.coordinator)
    before = _state()
    response = client.post(f"/enrolment/admitted/{app.pk}/enrol/", _post(""))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["tutor_email"] == [message]
    assert _state() == before
    done = client.post(f"/enrolment/admitted/{app.pk}/enrol/", _post("boss@example.org"))
    assert done.status_code == 302
    assert Contract.objects.get().tutor.email == "boss@example.org"


def test_the_contract_page_asks_for_the_tutor() -> None:
    w = world()
    enrolment = _enrolled_contract_ended(w, admitted(w, "add@example.org", track=Track.WORK_STUDY))
    client = Client(headers={"accept-language": "en"})
    client.force_login(w.coordinator)
    before = _state()
    data = _post("") | {"contract_start": "2025-02-01", "contract_end": "2027-01-31"}
    response = client.post(f"/enrolment/enrolments/{enrolment.pk}/contract/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["tutor_email"] == ["This field is required."]
    assert _state() == before


def test_the_api_refuses_a_contract_without_tutor() -> None:
    w = world()
    enrolment = _enrolled_contract_ended(w, admitted(w, "api@example.org", track=Track.WORK_STUDY))
    client = Client(headers={"accept-language": "fr"})
    client.force_login(w.director)
    before = _state()
    payload = {
        "enrolment": enrolment.pk,
        "kind": "apprenticeship",
        "employer_name": "E",
        "employer_siret": EMPLOYER_SIRET,
        "start_date": "2025-02-01",
        "end_date": "2027-01-31",
    }
    response = client.post("/api/enrolment/contracts/", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "contract_tutor_required"
    assert "tuteur" in response.json()["detail"].lower()
    assert _state() == before
    app = admitted(w, "api2@example.org", track=Track.WORK_STUDY)
    before = _state()
    enrol = client.post(
        "/api/enrolment/enrolments/",
        {"application": app.pk, "contract": {k: v for k, v in payload.items() if k != "enrolment"}},
        content_type="application/json",
    )
    assert enrol.status_code == 400 and enrol.json()["code"] == "contract_tutor_required"
    assert _state() == before


def test_staff_name_the_tutor_of_a_contract_recorded_without_one() -> None:
    w = world()
    app = admitted(w, "old@example.org", track=Track.WORK_STUDY)
    enrolment = services.enrolment_create_from_application(
        application=app, actor=w.director, contract=contract_for(dt.date(2024, 9, 1), 2)
    )
    contract = enrolment.contracts.get()
    # as the migration leaves a contract recorded before the rule
    Contract.objects.filter(pk=contract.pk).update(tutor=None, recorded_without_tutor=True)
    url = f"/enrolment/contracts/{contract.pk}/tutor/"
    client = Client(headers={"accept-language": "fr"})
    client.force_login(w.coordinator)
    record = client.get(f"/enrolment/learners/{enrolment.learner_id}/").content.decode()
    assert f'href="{url}"' in record
    before = _state()
    refused = client.post(url, {"tutor_email": "pas-une-adresse"})
    assert refused.status_code == 200 and "tutor_email" in refused.context["form"].errors
    assert _state() == before
    contract.refresh_from_db()
    assert contract.tutor is None
    done = client.post(url, {"tutor_email": "Maitre@Example.org", "tutor_name": "Maître Fictif"})
    assert done.status_code == 302
    contract.refresh_from_db()
    assert contract.tutor is not None and contract.tutor.email == "maitre@example.org"
    # the tutor now sees his apprentice
    tutor = Client()
    tutor.force_login(contract.tutor)
    assert tutor.get(f"/enrolment/learners/{enrolment.learner_id}/").status_code == 200
    # the learner herself, or staff of another campus, cannot name it
    other = user("other-coord@example.org")
    for person in (enrolment.learner.user, other):
        stranger = Client()
        stranger.force_login(person)
        assert stranger.post(url, {"tutor_email": "x@example.org"}).status_code == 404
    contract.refresh_from_db()
    assert contract.tutor.email == "maitre@example.org"


def test_a_new_tutor_is_invited_to_choose_a_password_and_signs_in(
    settings, django_capture_on_commit_callbacks
) -> None:
    """The tutor's account is made without a password: the invitation e-mail's link lets him
    choose one, then he logs in (issue 13: every user can actually sign in)."""
    w = world()
    app = admitted(w, "inv@example.org", track=Track.WORK_STUDY)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_create_from_application(
            application=app,
            actor=w.director,
            contract=contract_for(dt.date(2024, 9, 1), 2, tutor_email="tutor-new@example.org"),
        )
    tutor = User.objects.get(email="tutor-new@example.org")
    assert not tutor.has_usable_password()
    sent = [m for m in mail.outbox if m.to == ["tutor-new@example.org"]]
    assert len(sent) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", sent[0].body)
    assert link, sent[0].body
    client = Client()
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    password = "tutor-chooses-a-long-one-2026"
    done = client.post(page.redirect_chain[-1][0], {"password1": password, "password2": password})
    assert done.status_code == 302
    login = Client().post(
        "/accounts/login/", {"username": "tutor-new@example.org", "password": password}
    )
    assert login.status_code == 302
    # a tutor who already has an account gets no second invitation
    mail.outbox.clear()
    other = admitted(w, "inv2@example.org", track=Track.WORK_STUDY)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_create_from_application(
            application=other,
            actor=w.director,
            contract=contract_for(dt.date(2024, 9, 1), 2, tutor_email="tutor-new@example.org"),
        )
    assert [m for m in mail.outbox if m.to == ["tutor-new@example.org"]] == []
