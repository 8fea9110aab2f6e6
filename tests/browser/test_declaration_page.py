"""A programme director, on a phone, in French: the declaration page lists the holders to
declare (late ones flagged), generates the file (which validates against the official XSD) and
imports a processing report with one rejected passage; the page is axe-checked (no serious or
critical violation) before and after."""

from __future__ import annotations

import pytest

from capitalis.reporting.declarations import register as declaration
from capitalis.reporting.models import AwardDeclaration, AwardStatus, DeclarationFlux
from tests.browser.helpers import log_in, serious_violations, shoot
from tests.reporting.declarations.builders import build

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_director_declares_holders_and_imports_the_report_on_a_phone(
    page,
    live_server,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    d = build(2)
    page.set_viewport_size(PHONE)
    base = live_server.url
    log_in(page, base, d.w.director.email)

    page.goto(f"{base}/reporting/declarations/")
    assert page.locator("h1").inner_text() == "Déclaration des titulaires au registre national"
    assert "2 titulaires à déclarer." in page.locator("main").inner_text()
    assert page.locator("td .decl-late").count() == 2
    assert serious_violations(page) == []
    shoot(page, "declarations-fr")

    page.get_by_label("Décidé du").fill("2025-01-01")
    page.locator("#id_date_to").fill("2025-12-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Générer le fichier").click()
    assert "vérifié par rapport au schéma du registre : 2 titulaire(s)" in page.content()
    flux = DeclarationFlux.objects.get()
    assert declaration.validate(flux.file.read()) == []

    ids = list(AwardDeclaration.objects.order_by("pk").values_list("id_technique", flat=True))
    report = tmp_path / "rapport.xml"
    report.write_bytes(
        declaration.build_report(
            flux_id=flux.flux_id,
            file_name=flux.filename,
            accepted=[ids[0]],
            rejected=[(ids[1], "Aucun titulaire ne correspond aux critères obligatoires")],
        )
    )
    page.get_by_label("Accusé de traitement (XML)").set_input_files(str(report))
    with page.expect_navigation():
        page.get_by_role("button", name="Importer l'accusé").click()
    text = page.locator("main").inner_text()
    assert "1 accepté(s), 1 rejeté(s)" in text
    assert "Aucun titulaire ne correspond aux critères obligatoires" in text
    assert AwardDeclaration.objects.get(id_technique=ids[1]).status == AwardStatus.REJECTED
    assert page.get_by_role("button", name="Corrigé : renvoyer").count() == 1
    assert serious_violations(page) == []
    shoot(page, "declarations-report-fr")
