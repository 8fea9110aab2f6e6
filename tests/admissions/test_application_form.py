"""The application form as a candidate uses it (SPEC §3): her degrees are a list she adds to
and removes from, a draft saves half-filled, an uploaded file survives a validation error,
only editions open to applications are offered; the staff forms offer current and future
editions only. Each bug a new user met is reproduced here: the POSTs carry what a browser
sends for the rendered page (a select with nothing chosen sends its first option)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from capitalis.accounts.rules import Role
from capitalis.admissions.models import Application, ApplicationDocument, PriorDegree
from capitalis.admissions.rules import Status
from capitalis.programmes.models import Edition, Offering
from tests.admissions.builders import PDF, build_world, candidate, staff

pytestmark = pytest.mark.django_db
NEW = "/admissions/apply/"


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _field_value(bound: Any) -> Any:
    """What a browser sends for a rendered field: its value, or a select's first option."""
    widget = bound.field.widget
    value = bound.value()
    if isinstance(widget, forms.CheckboxInput):
        return "on" if value else None
    if isinstance(widget, forms.FileInput):
        return None
    if isinstance(widget, forms.RadioSelect):
        return value if value not in (None, "") else None
    if isinstance(widget, forms.Select) and value in (None, ""):
        choices = list(bound.field.choices)
        first = choices[0][0] if choices else ""
        return str(getattr(first, "value", first))
    if value is None:
        return ""
    return str(getattr(value, "pk", value))


def browser_post(response: Any, **changes: Any) -> dict[str, Any]:
    """The POST a browser sends for the page in ``response``, with ``changes`` typed in."""
    form, formset = response.context["form"], response.context["formset"]
    data: dict[str, Any] = {}
    for bound in form:
        value = _field_value(bound)
        if value is not None:
            data[bound.html_name] = value
    management = formset.management_form
    for name in management.fields:
        data[f"{formset.prefix}-{name}"] = str(management[name].value())
    for degree in formset.forms:
        for bound in degree:
            value = _field_value(bound)
            if value is not None:
                data[bound.html_name] = value
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _target(world) -> dict[str, Any]:
    return {
        "edition": str(world.edition.pk),
        "year": str(world.msc1.pk),
        "campus": str(world.campus.pk),
        "track": "initial",
        "specialisation": str(world.spec.pk),
    }


def _licence(i: int = 0, ects: str = "180", **more: str) -> dict[str, str]:
    p = f"degrees-{i}-"
    return {
        p + "title": "Licence de droit",
        p + "level": "bachelor",
        p + "ects": ects,
        p + "field": "law",
        p + "country": "FR",
        **{p + k: v for k, v in more.items()},
    }


def _pdf(name: str = "cv.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _start(client: Client, world, **more: Any) -> Application:
    page = client.get(NEW)
    response = client.post(
        NEW, browser_post(page, **_target(world), **_licence(), save="1", **more)
    )
    assert response.status_code == 302, response.content
    application = Application.objects.order_by("-id").first()
    assert application is not None
    return application


def test_save_draft_adds_no_phantom_degree() -> None:
    world = build_world()
    who = candidate()
    client = _client(who)
    application = _start(client, world)
    edit = f"/admissions/{application.pk}/edit/"
    page = client.get(edit)
    assert page.context["formset"].total_form_count() == 1
    # saving the page again as the browser shows it: no error, still one degree
    response = client.post(edit, browser_post(page, save="1"))
    assert response.status_code == 302, response.context["formset"].errors
    assert PriorDegree.objects.count() == 1


def test_a_second_degree_keeps_the_first_with_its_180_ects() -> None:
    world = build_world()
    who = candidate()
    client = _client(who)
    application = _start(client, world)
    edit = f"/admissions/{application.pk}/edit/"
    # "Add a degree" posts the form and comes back with an empty line
    page = client.get(edit)
    response = client.post(edit, browser_post(page, add_degree="1"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.context["formset"].total_form_count() == 2
    second = {
        "degrees-1-title": "Master 1 science politique",
        "degrees-1-level": "master1",
        "degrees-1-ects": "60",
        "degrees-1-field": "political_science",
        "degrees-1-country": "BE",
    }
    response = client.post(edit, browser_post(page, save="1", **second))
    assert response.status_code == 302
    assert sorted(PriorDegree.objects.values_list("title", "ects")) == [
        ("Licence de droit", 180),
        ("Master 1 science politique", 60),
    ]


def test_a_degree_goes_only_when_the_candidate_removes_it() -> None:
    world = build_world()
    who = candidate()
    client = _client(who)
    application = _start(client, world)
    edit = f"/admissions/{application.pk}/edit/"
    page = client.get(edit + "?add=1")
    client.post(edit, browser_post(page, save="1", **_licence(1, title="Master")))
    first, second = PriorDegree.objects.order_by("id")
    page = client.get(edit)
    assert f'name="remove_degree" value="{first.pk}"' in page.content.decode()
    # another field changed and the English level given: the degrees stay
    response = client.post(edit, browser_post(page, english_level="C1", save="1"))
    assert response.status_code == 302
    assert PriorDegree.objects.count() == 2
    page = client.get(edit)
    response = client.post(edit, browser_post(page, remove_degree=str(first.pk)))
    assert response.status_code == 302
    assert list(PriorDegree.objects.values_list("pk", flat=True)) == [second.pk]
    # someone else's degree cannot be removed from here
    other = candidate("other@example.org")
    other_client = _client(other)
    theirs = _start(other_client, world)
    theirs_degree = theirs.prior_degrees.get()
    page = client.get(edit)
    client.post(edit, browser_post(page, remove_degree=str(theirs_degree.pk)))
    assert PriorDegree.objects.filter(pk=theirs_degree.pk).exists()


def test_a_half_filled_draft_is_saved_and_submission_asks_at_the_fields() -> None:
    world = build_world()
    who = candidate()
    client = _client(who)
    page = client.get(NEW)
    data = browser_post(page, **_target(world), save="1")
    data["degrees-0-title"] = "Licence d'histoire"  # nothing else about the degree yet
    response = client.post(NEW, data)
    assert response.status_code == 302
    application = Application.objects.get()
    degree = application.prior_degrees.get()
    assert (degree.title, degree.ects, degree.field) == ("Licence d'histoire", None, "")
    detail = client.get(f"/admissions/{application.pk}/")
    assert detail.status_code == 200
    assert "Licence d&#x27;histoire — ? ECTS" in detail.content.decode()
    edit = f"/admissions/{application.pk}/edit/"
    page = client.get(edit)
    with translation.override("en"):
        response = client.post(edit, browser_post(page, submit="1"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    degree_form = response.context["formset"].forms[0]
    assert "ects" in degree_form.errors and "field" in degree_form.errors
    assert "title" not in degree_form.errors
    assert "english_level" in response.context["form"].errors
    assert "cv" in response.context["form"].errors
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_validation_error_keeps_the_uploaded_files() -> None:
    world = build_world()
    who = candidate()
    client = _client(who)
    page = client.get(NEW)
    data = browser_post(
        page, **_target(world), **_licence(ects="cent quatre-vingts"), english_level="B2"
    )
    data.update(save="1", cv=_pdf("cv.pdf"), transcript=_pdf("notes.pdf"))
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["ects"]
    assert set(ApplicationDocument.objects.values_list("kind", "original_name")) == {
        ("cv", "cv.pdf"),
        ("transcript", "notes.pdf"),
    }
    html = response.content.decode()
    assert "cv.pdf" in html and "notes.pdf" in html
    # the page now posts to the saved draft; she corrects the ECTS and submits
    application = Application.objects.get()
    assert f'action="/admissions/{application.pk}/edit/"' in html
    data = browser_post(response, **{"degrees-0-ects": "180"}, submit="1")
    data["motivation"] = _pdf("lettre.pdf")
    response = client.post(f"/admissions/{application.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    application.refresh_from_db()
    assert application.status == Status.ELIGIBLE
    assert application.documents.count() == 3
    assert list(application.prior_degrees.values_list("ects", flat=True)) == [180]


def _past_edition(world) -> Edition:
    past = Edition.objects.create(
        programme=world.programme,
        code="2022-23",
        label="2022/23",
        start_date=dt.date(2022, 9, 1),
        end_date=dt.date(2023, 8, 31),
    )
    Offering.objects.create(
        edition=past,
        campus=world.campus,
        year=world.msc1,
        specialisation=world.spec,
        track="initial",
    )
    return past


def test_a_past_edition_is_not_offered_to_candidates() -> None:
    world = build_world()
    past = _past_edition(world)
    closed = Edition.objects.create(
        programme=world.programme,
        code="2099-00",
        label="2099/00",
        start_date=dt.date(2099, 9, 1),
        end_date=dt.date(2100, 8, 31),
    )  # not open yet: the default window opens a year before the start
    client = _client(candidate())
    page = client.get(NEW)
    offered = set(page.context["form"].fields["edition"].queryset)
    assert offered == {world.edition}
    assert past not in offered and closed not in offered
    data = browser_post(page, **_target(world), **_licence(), save="1")
    data["edition"] = str(past.pk)
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert "edition" in response.context["form"].errors
    assert not Application.objects.exists()


def test_the_window_closes_on_its_last_day() -> None:
    world = build_world()
    today = timezone.localdate()
    Edition.objects.filter(pk=world.edition.pk).update(applications_close_on=today)
    client = _client(candidate())
    assert world.edition in set(client.get(NEW).context["form"].fields["edition"].queryset)
    Edition.objects.filter(pk=world.edition.pk).update(
        applications_close_on=today - dt.timedelta(days=1)
    )
    assert not set(client.get(NEW).context["form"].fields["edition"].queryset)


@pytest.mark.parametrize("url", ["/admissions/interviews/", "/admissions/juries/"])
def test_staff_forms_offer_current_and_future_editions_only(url: str) -> None:
    world = build_world()
    past = _past_edition(world)
    officer = staff("officer@example.org", Role.ADMISSIONS_OFFICER)
    client = _client(officer)
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    offered = set(form.fields["edition"].queryset)
    assert world.edition in offered and past not in offered
    html = page.content.decode()
    assert "2022/23" not in html


def test_a_specialisation_not_offered_there_is_an_error_at_its_field_and_the_rest_saves() -> None:
    world = build_world()
    other_spec = world.programme.specialisations.exclude(pk=world.spec.pk).get()
    Offering.objects.filter(campus=world.other_campus, specialisation=other_spec).delete()
    client = _client(candidate())
    page = client.get(NEW)
    target = {
        **_target(world),
        "campus": str(world.other_campus.pk),
        "specialisation": str(other_spec.pk),
    }
    data = browser_post(page, **target, **_licence(), save="1")
    data["cv"] = _pdf()
    response = client.post(NEW, data)
    assert response.status_code == 200
    # the candidate's language (French by default)
    assert response.context["form"].errors["specialisation"] == [
        "Cette spécialisation n’est pas proposée à cet endroit ; choisissez-en une autre."
    ]
    application = Application.objects.get()
    assert (application.campus, application.specialisation) == (world.other_campus, None)
    assert application.documents.get().original_name == "cv.pdf"
    assert application.prior_degrees.get().ects == 180
