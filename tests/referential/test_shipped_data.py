"""The shipped RNCP39853 référentiel matches SPEC §1 and its sources (seeds 001, 003, 004)."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings

from capitalis.referential.models import (
    Activity,
    Block,
    Certification,
    Competency,
    Crosswalk,
    EvaluationCriterion,
    EvaluationModality,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def referential_data(referential_data_once):
    """The shipped référentiel, loaded once for this module: every test here reads it (each in
    its own savepoint, rolled back after it)."""
    return referential_data_once


EARLIER_CODES = (
    [f"C{i}" for i in range(1, 21)]
    + ["CO1.1", "CO1.2", "C01.3", "CO1.3", "CO1.4", "C01.5"]
    + ["CO2.1", "CO2.2", "CO2.3"]
    + ["CO3.1", "CO3.2", "CO3.3", "CO3.4-v1", "CO3.4", "CO3.5", "CO3.6"]
)


def _version(code):
    return Certification.objects.get(code="RNCP39853").versions.get(code=code)


def test_certification_fields(referential_data):
    cert = Certification.objects.get(code="RNCP39853")
    assert cert.title_fr == "Expert en relations et coopérations internationales"
    assert cert.title_en == "Expert in International Relations and Cooperation"
    assert cert.eqf_level == 7
    assert [n["code"] for n in cert.nsf_codes] == ["128", "346"]
    assert cert.rome_codes == [
        {"code": "K1704", "label": "Management de la sécurité publique"},
        {
            "code": "K1404",
            "label": "Mise en oeuvre et pilotage de la politique des pouvoirs publics",
        },
        {
            "code": "K1405",
            "label": "Représentation de l'Etat sur le territoire national ou international",
        },
    ]
    assert cert.registration_date == datetime.date(2024, 11, 28)
    assert cert.registration_end == datetime.date(2029, 11, 28)
    assert cert.registration_years == 5
    assert cert.registration_type == "Enregistrement sur demande"
    assert cert.blocks_separately is True
    assert sorted(cert.access_routes) == ["CA", "CL", "CQ", "FC", "FI", "VAE"]
    assert all(route["active"] for route in cert.access_routes.values())
    assert cert.entry_prerequisites_text.startswith(
        "Etre titulaire d'un niveau 6 ou équivalent dans un des domaines suivants"
    )
    assert "- Chargé de mission relations internationales\n" in cert.target_jobs_text
    assert [link.certifier.name for link in cert.certifier_links.all()] == ["MBA INSTITUTE"]
    assert cert.provenance


def test_current_version_has_four_common_and_two_optional_blocks_with_k_1(referential_data):
    version = _version("2024")
    assert version.status == "current"
    assert (version.valid_from, version.valid_until) == (
        datetime.date(2024, 11, 28),
        datetime.date(2029, 11, 28),
    )
    blocks = list(version.blocks.order_by("position"))
    assert [b.code for b in blocks] == [f"RNCP39853BC0{i}" for i in range(1, 7)]
    assert [b.kind for b in blocks] == ["common"] * 4 + ["optional"] * 2
    assert blocks[4].title_fr == (
        "Conduire une politique d'attractivité et de soutien à l'international des entreprises"
    )
    assert "optionnel" not in blocks[5].title_fr
    assert all(b.title_en for b in blocks)
    assert version.rule.all_common_required is True
    assert version.rule.optional_blocks_required == 1
    # seed 001: 5 + 4 + 4 + 4 statements for the common blocks
    counts = [b.competencies.count() for b in blocks]
    assert counts[:4] == [5, 4, 4, 4]
    assert counts[4] > 0 and counts[5] > 0


def test_optional_current_blocks_copy_the_earlier_statements_and_say_so(referential_data):
    version = _version("2024")
    earlier = {
        c.code: c.statement_fr for c in Competency.objects.filter(block__version__code="2022")
    }
    bc05 = Competency.objects.filter(block__version=version, block__code="RNCP39853BC05")
    assert bc05.get(code="BC05.C1").statement_fr == earlier["CO1.1"]
    for competency in bc05:
        assert "copied from earlier version specialisation 1 (seed 004)" in competency.provenance
        assert "pending the certifier's current statement" in competency.provenance
    bc06 = Competency.objects.filter(block__version=version, block__code="RNCP39853BC06")
    assert {c.statement_fr for c in bc06} <= {earlier[f"CO3.{i}"] for i in range(1, 7)}
    assert all("specialisation 3" in c.provenance for c in bc06)
    common = Competency.objects.filter(block__version=version, block__kind="common")
    assert all(c.provenance.startswith("seed 001 (school page, 2026)") for c in common)


def test_earlier_version_has_three_common_and_three_specialisation_blocks(referential_data):
    version = _version("2022")
    assert version.status == "earlier"
    assert version.valid_until == datetime.date(2024, 11, 28)
    blocks = list(version.blocks.order_by("position"))
    assert [(b.code, b.kind) for b in blocks] == [
        ("BLOC1", "common"),
        ("BLOC2", "common"),
        ("BLOC3", "common"),
        ("SPE1", "optional"),
        ("SPE2", "optional"),
        ("SPE3", "optional"),
    ]
    assert version.rule.optional_blocks_required == 1
    codes = list(
        Competency.objects.filter(block__version=version)
        .order_by("block__position", "position")
        .values_list("code", flat=True)
    )
    assert codes == EARLIER_CODES
    activities = Activity.objects.filter(block__version=version)
    assert {(a.block.code, a.code) for a in activities} >= {
        ("BLOC1", "A1"),
        ("BLOC1", "A3"),
        ("BLOC3", "A3"),
        ("SPE3", "A2"),
    }
    assert activities.count() == 16


def test_official_french_statements_are_copied_from_seed_004(referential_data):
    comp = {
        c.code: c
        for c in Competency.objects.filter(block__version__code="2022").select_related("activity")
    }
    assert comp["C3"].statement_fr.startswith(
        "Afin de défendre les intérêts de son organisation et d’obtenir un accord favorable"
    )
    assert comp["C3"].activity.code == "A2"
    assert comp["C3"].block.code == "BLOC1"
    # PDF line breaks joined, list items kept inside the statement
    assert comp["C1"].statement_fr.splitlines() == [
        "Établir un diagnostic d’une situation ou d’un pays afin d’identifier les enjeux en :",
        "- Plaçant les faits et les prises de position dans leur contexte historique, "
        "géographique, économique et diplomatique ;",
        "- Identifiant les décideurs politiques, de la société civile ;",
        "- Analysant les documents produits sur les sites des ministères et la réalisation "
        "d’entretiens avec les représentants des autorités ministérielles pour "
        "l’identification des politiques étrangères ministérielles ;",
        "- Évaluant les stratégies internationales des acteurs gouvernementaux et "
        "infra-gouvernementaux, leurs objectifs et leurs méthodes ainsi que les positions "
        "des acteurs multilatéraux (OIG / ONG), les alliances et forums (G7, G20, APEC, "
        "ASEM, Davos).",
    ]
    assert comp["C20"].statement_fr == (
        "Concevoir les outils de communication appropriés en vue d’organiser, de structurer "
        "et diffuser les informations adaptées vers les acteurs cibles en interne, le public "
        "externe et les autorités de régulation."
    )
    # the two printed CO3.4: the first is glued to CO3.3 in the PDF, the second is clean
    assert comp["CO3.3"].statement_fr.endswith("et de la population.")
    assert comp["CO3.4-v1"].statement_fr.endswith("et se prémunir d’une dérive.")
    assert comp["CO3.4"].statement_fr.startswith(
        "Etablir la stratégie militaire et se prémunir d’une dérive"
    )
    assert "glued" in comp["CO3.4-v1"].provenance
    assert comp["C01.3"].statement_fr != comp["CO1.3"].statement_fr
    assert "digit zero" in comp["C01.3"].provenance
    # no broken line or PDF bullet glyph left
    for c in comp.values():
        assert "\uf0a7" not in c.statement_fr
        assert not re.search(r"\s{2,}", c.statement_fr.replace("\n", "|"))


def test_current_statements_are_copied_from_seed_001(referential_data):
    comp = Competency.objects.get(block__code="RNCP39853BC04", code="BC04.C1")
    assert comp.statement_fr.startswith(
        "Analyser et cartographier les crises (dont cyber) en identifiant leurs conséquences"
    )
    assert comp.statement_en.startswith("Analyse and map crises")
    first = Competency.objects.get(block__code="RNCP39853BC02", code="BC02.C1")
    assert first.statement_fr.startswith("Élaborer et piloter des projets de coopération")


def test_every_row_has_provenance_and_no_empty_text(referential_data):
    assert Competency.objects.count() == 64
    for model, texts in (
        (Block, ("title_fr", "title_en")),
        (Activity, ("title_fr", "title_en")),
        (Competency, ("statement_fr", "statement_en")),
        (EvaluationCriterion, ("text_fr", "text_en")),
        (EvaluationModality, ("label_fr", "label_en")),
    ):
        rows = list(model.objects.all())
        assert rows, model
        for row in rows:
            assert row.provenance.strip(), row
            for name in texts:
                assert getattr(row, name).strip(), (row, name)


def test_criteria_are_the_list_items_of_their_statement(referential_data):
    c1 = Competency.objects.get(block__code="BLOC1", code="C1")
    criteria = list(c1.criteria.order_by("position"))
    assert [c.code for c in criteria] == ["a", "b", "c", "d"]
    for criterion in criteria:
        assert f"- {criterion.text_fr}" in c1.statement_fr
    assert EvaluationCriterion.objects.filter(competency__block__version__code="2024").count() == 0


def test_every_block_has_evaluation_modalities(referential_data):
    for block in Block.objects.all():
        assert block.modalities.count() >= 2, block.code


def test_crosswalk_has_the_three_proposed_matches(referential_data):
    crosswalk = Crosswalk.objects.get(from_version__code="2022", to_version__code="2024")
    assert crosswalk.status == "proposed"
    assert "to be confirmed by the certifier" in crosswalk.note_en
    entries = {
        (e.from_block.code, e.to_block.code): e
        for e in crosswalk.entries.select_related("from_block", "to_block")
    }
    assert set(entries) == {
        ("BLOC3", "RNCP39853BC04"),
        ("SPE1", "RNCP39853BC05"),
        ("SPE3", "RNCP39853BC06"),
    }
    for entry in entries.values():
        assert entry.coverage == "partial"
        assert entry.note_fr and entry.note_en


def test_shipped_data_names_no_person_and_no_email():
    text = (Path(settings.BASE_DIR) / "data" / "referential" / "rncp39853.yaml").read_text()
    assert not re.search(r"[\w.]+@[\w.]+", text)
    for name in ("Combles", "Bréjon", "Saïfi", "Mathieu", "Cherkaoui", "Delplace", "Chausse"):
        assert name not in text
