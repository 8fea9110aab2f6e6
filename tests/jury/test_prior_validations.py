"""Block validations obtained before Capitalis (issue 13 point 2): the pure checks, recording one
(with its source document), importing many all or nothing, hostile files, the pages (French),
the API, who may, and capitalisation at the next deliberation."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from capitalis.accounts.rules import Role, ScopeKind
from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.jury import imports, rules, services
from capitalis.jury.models import BlockDecision, BlockValidation, CertificationDecision
from tests.jury.builders import person, session, world

TODAY = dt.date(2025, 9, 1)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
HEADER = "learner,certification,version,block,date,route,source\n"


# --- rules (no database) -------------------------------------------------------------------


def _claim(**changes) -> rules.PriorClaim:
    base = dict(
        learner=1,
        learner_text="a@example.org",
        certifications=frozenset({10}),
        block=5,
        block_certification=10,
        block_text="BC01",
        certification_text="RNCP1",
        version_text="V1",
        certification_known=True,
        version_known=True,
        version_valid_from=dt.date(2020, 1, 1),
        validated_on=dt.date(2024, 6, 30),
        date_text="2024-06-30",
        route="training",
        source_reference="PV 2024",
        has_document=False,
        held=None,
    )
    base.update(changes)
    return rules.PriorClaim(**base)


def _codes(claim: rules.PriorClaim) -> list[str]:
    return [r.code for r in rules.prior_validation_check(claim, today=TODAY)]


def test_a_sound_claim_passes() -> None:
    assert _codes(_claim()) == []
    assert _codes(_claim(route="equivalence", source_reference="", has_document=True)) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"learner": None, "learner_text": ""}, "learner_missing"),
        ({"learner": None, "learner_text": "=1+1"}, "learner_unknown"),
        ({"certifications": frozenset({11})}, "not_enrolled"),
        ({"block": None, "certification_known": False}, "certification_unknown"),
        ({"block": None, "version_known": False}, "version_unknown"),
        ({"block": None}, "block_unknown"),
        ({"block": None, "block_text": "", "certification_text": ""}, "block_missing"),
        ({"validated_on": None, "date_text": ""}, "date_missing"),
        ({"validated_on": None, "date_text": "31/02/2024"}, "date_invalid"),
        ({"validated_on": dt.date(2025, 9, 2)}, "date_future"),
        ({"validated_on": dt.date(2019, 12, 31)}, "date_before_version"),
        ({"route": "osmosis"}, "route_invalid"),
        ({"source_reference": "  "}, "source_missing"),
        ({"source_reference": "x" * 301}, "source_too_long"),
        (
            {"held": rules.PriorValidation(5, 2, dt.date(2023, 7, 1), rules.Route.TRAINING)},
            "already_validated",
        ),
    ],
)
def test_each_refusal_has_its_reason(changes, code) -> None:
    assert code in _codes(_claim(**changes))


def test_every_reason_is_given_at_once() -> None:
    codes = _codes(_claim(learner=None, validated_on=None, date_text="", source_reference=""))
    assert codes == ["learner_unknown", "date_missing", "source_missing"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-30", dt.date(2024, 6, 30)),
        ("30/06/2024", dt.date(2024, 6, 30)),
        ("30.06.2024", dt.date(2024, 6, 30)),
        ("31/02/2024", None),
        ("2024-6", None),
        ("٣٠/٠٦/٢٠٢٤", None),
        ("=TODAY()", None),
        ("", None),
        ("30/06/24", None),
    ],
)
def test_dates_as_people_type_them(text, expected) -> None:
    assert rules.prior_date(text) == expected


# --- services ------------------------------------------------------------------------------


@pytest.fixture
def w(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return world(learners=3)


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def _row(n: int = 0, block: str = "V2BC01", day: str = "2024-06-30", route: str = "training"):
    return f"learner{n}@example.org,RNCP99999,V2,{block},{day},{route},PV jury juin 2024"


def test_record_one_with_its_document(w) -> None:
    validation = services.prior_validation_record(
        learner="LEARNER0@example.org",
        block=w.blocks[0],
        validated_on=dt.date(2024, 6, 30),
        route="equivalence",
        source_reference="",
        document=PDF,
        document_name="decision.pdf",
        actor=w.director,
        today=TODAY,
    )
    assert validation.learner == w.enrolments[0].learner
    assert validation.version == w.version and validation.session is None
    assert validation.route == "equivalence" and validation.recorded_by == w.director
    assert validation.source_content_type == "application/pdf"
    assert validation.source_document.read() == PDF
    assert AuditEvent.objects.filter(
        action="jury.prior_validation_record", target_id=str(validation.pk)
    ).exists()


def test_record_refuses_a_block_already_held_and_says_so(w) -> None:
    kwargs = dict(
        learner="learner0@example.org",
        block=w.blocks[0],
        validated_on="30/06/2024",
        route="training",
        source_reference="PV 2024",
        actor=w.director,
        today=TODAY,
    )
    services.prior_validation_record(**kwargs)
    with pytest.raises(imports.PriorRefused) as refused:
        services.prior_validation_record(**kwargs)
    assert refused.value.code == "already_validated"
    assert "détient déjà le bloc V2BC01 (validé le 2024-06-30, formation)" in refused.value.message
    with translation.override("en"):
        assert "already holds block V2BC01" in imports.reason_text(refused.value.reasons[0])
    assert "block" in refused.value.fields
    assert BlockValidation.objects.count() == 1


def test_record_refuses_a_fake_document_and_an_outsider(w) -> None:
    with pytest.raises(DomainError) as bad:
        services.prior_validation_record(
            learner="learner0@example.org",
            block=w.blocks[0],
            validated_on=dt.date(2024, 6, 30),
            route="vae",
            source_reference="PV",
            document=b"<html><script>alert(1)</script></html>",
            document_name="x.pdf",
            actor=w.director,
            today=TODAY,
        )
    assert bad.value.code == "bad_type"
    with pytest.raises(DomainError) as outsider:
        services.prior_validation_record(
            learner="learner0@example.org",
            block=w.blocks[0],
            validated_on=dt.date(2024, 6, 30),
            route="vae",
            source_reference="PV",
            actor=w.member,
            today=TODAY,
        )
    assert outsider.value.code == "not_authorised"
    assert not BlockValidation.objects.exists()


def test_a_learner_not_following_the_certification_is_refused(w) -> None:
    stranger = person("stranger@example.org", "Sans Inscription")
    from capitalis.enrolment.models import Learner

    Learner.objects.create(user=stranger)
    with pytest.raises(imports.PriorRefused) as refused:
        services.prior_validation_record(
            learner="stranger@example.org",
            block=w.blocks[0],
            validated_on=dt.date(2024, 6, 30),
            route="training",
            source_reference="PV",
            actor=w.director,
            today=TODAY,
        )
    assert refused.value.code == "not_enrolled"


def test_import_writes_every_row_with_its_audit_record(w) -> None:
    content = _csv(_row(0), _row(1, "v2bc02", "30/06/2024", "VAE"), _row(2, route="équivalence"))
    dry = services.prior_validations_import(
        content=content, filename="prior.csv", actor=w.director, dry_run=True, today=TODAY
    )
    assert (dry.rows, dry.created, dry.imported, dry.errors) == (3, 3, False, [])
    assert not BlockValidation.objects.exists()
    report = services.prior_validations_import(
        content=content, filename="prior.csv", actor=w.director, today=TODAY
    )
    assert report.imported and report.created == 3
    routes = sorted(BlockValidation.objects.values_list("route", flat=True))
    assert routes == ["equivalence", "training", "vae"]
    assert AuditEvent.objects.filter(action="jury.prior_validation_record").count() == 3


def test_import_is_all_or_nothing_and_reports_every_bad_row(w) -> None:
    content = _csv(
        _row(0),
        _row(1, day="2099-01-01"),  # line 3: future
        _row(2, day="31/02/2024"),  # line 4: not a date
        _row(0),  # line 5: duplicate of line 2
        "nobody@example.org,RNCP99999,V2,V2BC01,2024-06-30,training,PV",  # line 6
        "learner1@example.org,RNCP99999,V9,V2BC01,2024-06-30,training,PV",  # line 7
        "learner1@example.org,RNCP99999,V2,V2BC03,2024-06-30,osmosis,",  # line 8
    )
    report = services.prior_validations_import(
        content=content, filename="prior.csv", actor=w.director, today=TODAY
    )
    assert not report.imported and report.created == 0
    by_line = {e.line: [r.code for r in e.reasons] for e in report.errors}
    assert by_line == {
        3: ["date_future"],
        4: ["date_invalid"],
        5: ["duplicate"],
        6: ["learner_unknown"],
        7: ["version_unknown"],
        8: ["route_invalid", "source_missing"],
    }
    assert not BlockValidation.objects.exists()
    with translation.override("en"):
        assert "line 2 already" in report.errors[2].message


def test_import_refuses_a_block_already_held(w) -> None:
    services.prior_validations_import(
        content=_csv(_row(0)), filename="a.csv", actor=w.director, today=TODAY
    )
    again = services.prior_validations_import(
        content=_csv(_row(1), _row(0)), filename="b.csv", actor=w.director, today=TODAY
    )
    assert [(e.line, e.reasons[0].code) for e in again.errors] == [(3, "already_validated")]
    assert BlockValidation.objects.count() == 1


def test_import_reads_xlsx_and_french_headers(w) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Apprenant", "Certification", "Version", "Bloc", "Date", "Voie", "Référence"])
    sheet.append(["learner0@example.org", "RNCP99999", "V2", "V2BC01", dt.datetime(2024, 6, 30)])
    sheet["F2"] = "formation"
    sheet["G2"] = "PV"
    out = io.BytesIO()
    book.save(out)
    report = services.prior_validations_import(
        content=out.getvalue(), filename="prior.xlsx", actor=w.director, today=TODAY
    )
    assert report.imported and report.created == 1
    assert BlockValidation.objects.get().validated_on == dt.date(2024, 6, 30)


def test_hostile_files(w, settings) -> None:
    # a formula in a cell is text: an unknown learner here, and kept inert as a source
    formula = _csv('=HYPERLINK("http://x"),RNCP99999,V2,V2BC01,2024-06-30,training,PV')
    report = services.prior_validations_import(
        content=formula, filename="f.csv", actor=w.director, today=TODAY
    )
    assert [e.reasons[0].code for e in report.errors] == ["learner_unknown"]
    stored = services.prior_validations_import(
        content=_csv(_row(0).replace("PV jury juin 2024", "=1+1")),
        filename="g.csv",
        actor=w.director,
        today=TODAY,
    )
    assert stored.imported
    assert BlockValidation.objects.get().source_reference == "=1+1"
    for content, code in (
        (_csv(_row(1)).replace(b"V2BC01", b"V2\x00BC01"), "file"),
        (b"", "file"),
        (b"who,what\nx,y\n", "header"),
        (b"x" * (imports.MAX_BYTES + 1), "file"),
        (b"PK\x03\x04 not a zip", "file"),
    ):
        with pytest.raises(DomainError) as refused:
            services.prior_validations_import(
                content=content, filename="h.csv", actor=w.director, today=TODAY
            )
        assert refused.value.code == code, content[:20]
    settings.SPREADSHEET_MAX_ROWS = 3
    with pytest.raises(DomainError) as big:
        services.prior_validations_import(
            content=_csv(*[_row(1)] * 5), filename="big.csv", actor=w.director, today=TODAY
        )
    assert big.value.code == "file_too_large"
    assert BlockValidation.objects.count() == 1


# --- capitalisation ------------------------------------------------------------------------


def test_a_prior_validation_counts_at_the_next_deliberation(w) -> None:
    first, second, third = w.blocks[:3]
    a = w.enrolments[0]
    services.prior_validations_import(
        content=_csv(_row(0, "V2BC01"), _row(0, "V2BC02"), _row(0, "V2BC03", route="vae")),
        filename="prior.csv",
        actor=w.director,
        today=TODAY,
    )
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    for block in (first, second, third):
        decision = BlockDecision.objects.get(session=s, enrolment=a, block=block)
        assert decision.status == "validated"
        assert decision.reasons[0]["code"] == "capitalised"
    certification = CertificationDecision.objects.get(session=s, enrolment=a)
    assert certification.status == "certified"
    page = Client(headers={"accept-language": "en"})
    page.force_login(w.director)
    grid = page.get(f"/jury/sessions/{s.pk}/").content.decode()
    assert "capitalised" in grid or "validated" in grid


# --- pages ---------------------------------------------------------------------------------


def _client(user=None, language: str = "fr") -> Client:
    client = Client(headers={"accept-language": language})
    if user is not None:
        client.force_login(user)
    return client


def test_the_form_records_and_shows_errors_at_their_field_in_french(w) -> None:
    client = _client(w.director)
    assert client.get("/jury/prior-validations/new/").status_code == 200
    bad = client.post(
        "/jury/prior-validations/new/",
        {
            "learner": "personne@example.org",
            "block": w.blocks[0].pk,
            "validated_on": "2099-01-01",
            "route": "training",
            "source_reference": "",
        },
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Apprenant inconnu" in text
    assert "dans le futur" in text
    assert not BlockValidation.objects.exists()
    good = client.post(
        "/jury/prior-validations/new/",
        {
            "learner": "learner0@example.org",
            "block": w.blocks[0].pk,
            "validated_on": "2024-06-30",
            "route": "equivalence",
            "source_reference": "",
            "document": SimpleUploadedFile("decision.pdf", PDF, "application/pdf"),
        },
    )
    assert good.status_code == 302
    validation = BlockValidation.objects.get()
    listing = client.get("/jury/prior-validations/?learner=learner0&block=BC01").content.decode()
    assert "V2BC01" in listing and "équivalence" in listing
    document = client.get(f"/jury/prior-validations/{validation.pk}/document/")
    assert document.status_code == 200
    assert document["Content-Type"] == "application/pdf"
    assert b"".join(document.streaming_content) == PDF
    assert (
        client.get("/jury/prior-validations/?learner=nobody").content.decode().count("V2BC01") == 0
    )


def test_the_import_pages_preview_then_import(w) -> None:
    client = _client(w.director)
    page = client.get("/jury/prior-validations/import/")
    assert page.status_code == 200 and "Importer" in page.content.decode()
    template = client.get("/jury/prior-validations/template.csv")
    assert template.status_code == 200 and b"learner,certification" in template.content
    bad = client.post(
        "/jury/prior-validations/import/",
        {"file": SimpleUploadedFile("p.csv", _csv(_row(0), _row(1, day="2099-01-01")))},
    )
    assert bad.status_code == 200
    assert "Ligne" in bad.content.decode() and "dans le futur" in bad.content.decode()
    assert 'value="import"' not in bad.content.decode()
    preview = client.post(
        "/jury/prior-validations/import/",
        {"file": SimpleUploadedFile("p.csv", _csv(_row(0), _row(1)))},
    )
    assert preview.status_code == 200 and not BlockValidation.objects.exists()
    token = preview.context["token"]
    done = client.post("/jury/prior-validations/import/", {"token": token, "action": "import"})
    assert done.status_code == 302
    assert BlockValidation.objects.count() == 2
    expired = client.post("/jury/prior-validations/import/", {"token": token, "action": "import"})
    assert expired.status_code == 302 and BlockValidation.objects.count() == 2
    nul = client.post(
        "/jury/prior-validations/import/",
        {"file": SimpleUploadedFile("n.csv", b"learner\x00,x\n")},
    )
    assert nul.status_code == 400 and "NUL" in nul.content.decode()


def test_who_may_open_the_pages(w) -> None:
    lecturer = person(
        "lecturer@example.org", "Enseignant", (Role.LECTURER, ScopeKind.COURSE, 999_999)
    )
    learner = w.enrolments[0].learner.user
    validation = services.prior_validation_record(
        learner="learner0@example.org",
        block=w.blocks[0],
        validated_on=dt.date(2024, 6, 30),
        route="training",
        source_reference="PV",
        document=PDF,
        document_name="pv.pdf",
        actor=w.director,
        today=TODAY,
    )
    urls = [
        "/jury/prior-validations/",
        "/jury/prior-validations/new/",
        "/jury/prior-validations/import/",
        "/jury/prior-validations/template.csv",
        f"/jury/prior-validations/{validation.pk}/document/",
    ]
    for user in (lecturer, learner, w.president):
        for url in urls:
            assert _client(user).get(url).status_code == 404, (user, url)
    for url in urls:
        assert _client().get(url).status_code == 302
    director = _client(w.director)
    for pk in ("99999999999999999999", "987654"):
        url = f"/jury/prior-validations/{pk}/document/"
        assert director.get(url).status_code == 404
    home = _client(w.director).get("/").content.decode()
    assert "/jury/prior-validations/" in home


# --- API -----------------------------------------------------------------------------------


def test_api_create_list_and_import(w) -> None:
    client = _client(w.director, "en")
    created = client.post(
        "/api/jury/prior-validations/",
        {
            "learner": "learner0@example.org",
            "block": w.blocks[0].pk,
            "validated_on": "2024-06-30",
            "route": "training",
            "source_reference": "PV juin",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["block_code"] == "V2BC01"
    again = client.post(
        "/api/jury/prior-validations/",
        {
            "learner": "learner0@example.org",
            "block": w.blocks[0].pk,
            "validated_on": "2099-06-30",
            "route": "training",
        },
        content_type="application/json",
    )
    assert again.status_code == 400
    body = again.json()
    assert set(body["field_errors"]) == {"block", "validated_on", "source_reference"}
    listing = client.get("/api/jury/prior-validations/?block=BC01").json()
    assert listing["count"] == 1 and listing["results"][0]["route"] == "training"
    dry = client.post(
        "/api/jury/prior-validations/import/",
        {"file": SimpleUploadedFile("p.csv", _csv(_row(1))), "dry_run": "true"},
    )
    assert dry.status_code == 200 and dry.json()["created"] == 1 and not dry.json()["imported"]
    refused = client.post(
        "/api/jury/prior-validations/import/",
        {"file": SimpleUploadedFile("p.csv", _csv(_row(1), _row(0)))},
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["line"] == 3
    assert refused.json()["code"] == "rows_refused"
    done = client.post(
        "/api/jury/prior-validations/import/",
        {"file": SimpleUploadedFile("p.csv", _csv(_row(1)))},
    )
    assert done.status_code == 200 and done.json()["imported"]
    assert BlockValidation.objects.count() == 2


def test_api_refuses_everyone_else(w) -> None:
    lecturer = person(
        "lecturer@example.org", "Enseignant", (Role.LECTURER, ScopeKind.COURSE, 999_999)
    )
    for user in (lecturer, w.enrolments[0].learner.user, w.member):
        client = _client(user, "en")
        assert client.get("/api/jury/prior-validations/").status_code == 403
        assert client.post("/api/jury/prior-validations/", {}).status_code == 403
        assert (
            client.post(
                "/api/jury/prior-validations/import/",
                {"file": SimpleUploadedFile("p.csv", _csv(_row(1)))},
            ).status_code
            == 403
        )
    assert _client(None, "en").get("/api/jury/prior-validations/").status_code in (401, 403)
    assert not BlockValidation.objects.exists()


def test_import_and_list_queries_do_not_grow_with_rows(w, django_assert_max_num_queries) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(content: bytes) -> int:
        with CaptureQueriesContext(connection) as captured:
            services.prior_validations_import(
                content=content, filename="q.csv", actor=w.director, dry_run=True, today=TODAY
            )
        return len(captured)

    one = count(_csv(_row(0)))
    many = count(_csv(*[_row(n % 3, f"V2BC0{n // 3 + 1}") for n in range(9)]))
    assert many == one
    report = services.prior_validations_import(
        content=_csv(*[_row(n % 3, f"V2BC0{n // 3 + 1}") for n in range(9)]),
        filename="q.csv",
        actor=w.director,
        today=TODAY,
    )
    assert report.created == 9
    assert BlockValidation.history.filter(history_type="+").count() == 9
    ids = {str(pk) for pk in BlockValidation.objects.values_list("pk", flat=True)}
    audited = set(
        AuditEvent.objects.filter(action="jury.prior_validation_record").values_list(
            "target_id", flat=True
        )
    )
    assert audited == ids
    client = _client(w.director)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/jury/prior-validations/").status_code == 200
    listed = len(captured)
    services.prior_validations_import(
        content=_csv(_row(0, "V2BC04")), filename="r.csv", actor=w.director, today=TODAY
    )
    with django_assert_max_num_queries(listed):
        client.get("/jury/prior-validations/")
