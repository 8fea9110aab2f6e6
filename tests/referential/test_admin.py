"""Staff edit the référentiel in the Django admin; every change leaves a history row."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from capitalis.referential.models import (
    Block,
    Certification,
    CertificationVersion,
    Competency,
    EvaluationCriterion,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def competency() -> Competency:
    cert = Certification.objects.create(code="RNCP00001", title_fr="Titre")
    version = CertificationVersion.objects.create(certification=cert, code="V1", label_fr="V1")
    block = Block.objects.create(version=version, code="RNCP00001BC01", title_fr="Bloc 1")
    competency = Competency.objects.create(
        block=block, code="C1", statement_fr="Ancien énoncé", position=1
    )
    EvaluationCriterion.objects.create(competency=competency, code="CR1", text_fr="Critère")
    return competency


@pytest.fixture
def editor(django_user_model: Any) -> Any:
    """A staff member allowed to view and change the référentiel's competencies."""
    user = django_user_model.objects.create_user(
        email="editor@example.org", password="pw-Secret-123", is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="referential",
            codename__in=["view_competency", "change_competency", "view_evaluationcriterion"],
        )
    )
    return user


def change_form_data(competency: Competency, statement: str) -> dict[str, Any]:
    criterion = competency.criteria.get()
    return {
        "block": competency.block_id,
        "activity": "",
        "code": competency.code,
        "statement_fr": statement,
        "statement_en": "",
        "position": competency.position,
        "provenance": "",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "1",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-id": criterion.pk,
        "criteria-0-competency": competency.pk,
        "criteria-0-code": criterion.code,
        "criteria-0-text_fr": criterion.text_fr,
        "criteria-0-text_en": "",
        "criteria-0-position": "0",
        "criteria-0-provenance": "",
        "_save": "Save",
    }


def test_staff_edit_is_recorded_in_history(
    client: Client, editor: Any, competency: Competency
) -> None:
    client.force_login(editor)
    url = f"/admin/referential/competency/{competency.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, change_form_data(competency, "Nouvel énoncé"))
    assert response.status_code == 302, response.content.decode()[:2000]

    competency.refresh_from_db()
    assert competency.statement_fr == "Nouvel énoncé"
    latest, previous = competency.history.order_by("-history_date", "-history_id")[:2]
    assert latest.statement_fr == "Nouvel énoncé"
    assert latest.history_type == "~"
    assert latest.history_user == editor
    assert previous.statement_fr == "Ancien énoncé"

    history_page = client.get(f"/admin/referential/competency/{competency.pk}/history/")
    assert history_page.status_code == 200
    assert editor.email in history_page.content.decode()


def test_non_staff_user_is_refused(
    client: Client, django_user_model: Any, competency: Competency
) -> None:
    learner = django_user_model.objects.create_user(
        email="learner@example.org", password="pw-Secret-123"
    )
    client.force_login(learner)
    url = f"/admin/referential/competency/{competency.pk}/change/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.post(url, change_form_data(competency, "Piraté"))
    assert response.status_code == 302
    competency.refresh_from_db()
    assert competency.statement_fr == "Ancien énoncé"
    assert competency.history.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "certification",
        "certificationversion",
        "certificationrule",
        "block",
        "activity",
        "competency",
        "evaluationcriterion",
        "evaluationmodality",
        "crosswalk",
        "crosswalkentry",
        "certifier",
    ],
)
def test_every_referential_model_has_admin_pages(
    admin_client: Client, competency: Competency, path: str
) -> None:
    assert admin_client.get(f"/admin/referential/{path}/").status_code == 200
    assert admin_client.get(f"/admin/referential/{path}/add/").status_code == 200


def test_change_pages_with_inlines_render(admin_client: Client, competency: Competency) -> None:
    block = competency.block
    for url in (
        f"/admin/referential/certification/{block.version.certification_id}/change/",
        f"/admin/referential/certificationversion/{block.version_id}/change/",
        f"/admin/referential/block/{block.pk}/change/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert "Bloc 1" in response.content.decode() or "RNCP00001" in response.content.decode()
