"""A whole school year in a real browser, from an empty database holding only the shipped data
(``load_data``) and the school's first staff accounts (created as a school would: accounts and
role grants, nothing else; the lecturer's account and his course role are made by the director
on the accounts page, and he chooses his password by the invitation's link): a candidate signs
up, applies with two degrees, pays her fee, is interviewed, presented and admitted, reads her
letter, is enrolled on a work-study contract, sees her invoices; a lecturer imports her results;
the certification jury deliberates, overrides with a justification and closes; her credentials
are issued, she downloads her certificate and its QR code's page verifies it; the holders'
declaration is exported and valid; the indicators show the cohort. Every step goes through the
pages, in French; every page is axe-checked (no serious or critical violation)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from capitalis.accounts.rules import Role
from capitalis.accounts.services import role_grant, user_create
from capitalis.programmes.models import Course
from capitalis.reporting.declarations import register as declaration
from capitalis.reporting.models import DeclarationFlux
from tests.browser.helpers import check, confirm_address_and_log_in, log_in, main_text
from tests.credentials.issuance_world import TEST_KEY
from tests.credentials.test_pdfs import qr_payloads

pytestmark = pytest.mark.browser

PASSWORD = "un-mot-de-passe-solide-42"
# a day inside the 2026/27 late application window (data/programmes/msc-erci.yaml: until
# 31 January 2027), once its first semester has started; every other date is relative to it
DAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
SIRET = "41800000000012"  # a valid SIRET (Luhn)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _staff(email: str, name: str, *roles: Role):
    user = user_create(email=email, full_name=name, password=PASSWORD, is_staff=True)
    for role in roles:
        role_grant(user=user, role=role)
    return user


def _invitation_link(email: str) -> str:
    """The set-password link of the last invitation e-mailed to ``email`` (the live server
    shares the test's outbox)."""
    for message in reversed(mail.outbox):
        found = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body)
        if email in message.to and found:
            return found.group(0)
    raise AssertionError(f"no invitation to {email}")


def test_a_school_year_through_the_pages(page, live_server, tmp_path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.CREDENTIALS_SIGNING_KEY = TEST_KEY
    settings.CREDENTIALS_DID_WEB_DOMAIN = ""
    settings.PUBLIC_BASE_URL = live_server.url
    with time_machine.travel(DAY, tick=True):
        call_command("load_data", verbosity=0)
        base = live_server.url
        today = timezone.localdate()
        # the school's first accounts: a director, a finance officer, two jury members
        _staff("directrice@example.org", "Diane Directrice", Role.PROGRAMME_DIRECTOR)
        _staff("finances@example.org", "Fanny Finances", Role.FINANCE)
        _staff("president@example.org", "Paul Président")  # the jury session grants jury roles
        _staff("membre@example.org", "Marie Membre")
        # a first-year common course of 2026/27: the lecturer's, once the director grants it
        course = (
            Course.objects.filter(edition__code="2026-27", year__code="MSC1", specialisation=None)
            .exclude(competencies=None)
            .order_by("position")
            .first()
        )
        version_pk = course.edition.programme.certification_version_id
        cv = tmp_path / "cv.pdf"
        cv.write_bytes(PDF)

        # 1. the director opens the admissions: the edition open to applications, no file yet
        log_in(page, base, "directrice@example.org", PASSWORD, fresh=True)
        page.goto(f"{base}/admissions/dashboard/")
        assert page.locator("h1").inner_text() == "Tableau de bord des admissions"
        check(page, "year-01-admissions-dashboard")
        # she creates the lecturer's account (he is invited by e-mail) and grants him his course
        with page.expect_navigation():
            page.get_by_role("link", name="Comptes", exact=True).click()
        page.locator("#id_full_name").fill("Luc Enseignant")
        page.locator("#id_email").fill("enseignant@example.org")
        check(page, "year-01b-accounts")
        with page.expect_navigation():
            page.get_by_role("button", name="Créer le compte et envoyer l’invitation").click()
        assert "une invitation à choisir un mot de passe a été envoyée" in main_text(page)
        page.locator("#id_role").select_option("lecturer")
        page.locator("#id_scope").select_option(f"course:{course.pk}")
        check(page, "year-01c-account-grant")
        with page.expect_navigation():
            page.get_by_role("button", name="Attribuer le rôle").click()
        assert "Le rôle est attribué." in main_text(page)
        assert course.code in page.locator("table").inner_text()
        # the lecturer follows the invitation's link and chooses his password
        page.context.clear_cookies()
        page.goto(_invitation_link("enseignant@example.org"))
        page.locator("#id_password1").fill(PASSWORD)
        page.locator("#id_password2").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Changer mon mot de passe").click()

        # 2. a candidate signs up, confirms her address, applies with two degrees
        page.context.clear_cookies()
        page.goto(f"{base}/admissions/signup/")
        page.get_by_label("Nom complet").fill("Inès Candidate")
        page.get_by_label("Adresse e-mail").fill("ines@example.org")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        check(page, "year-02-signup")
        with page.expect_navigation():
            page.get_by_role("button", name="Créer mon compte").click()
        confirm_address_and_log_in(page, base, "ines@example.org", PASSWORD)
        with page.expect_navigation():
            page.get_by_role("link", name="Commencer une nouvelle candidature").click()
        page.locator("#id_year").select_option(label="MSc 1re année")
        page.locator("#id_campus").select_option(label="Paris – La Défense")
        page.locator("#id_track").select_option("work_study")
        page.locator("#id_degrees-0-title").fill("Licence de science politique")
        page.locator("#id_degrees-0-level").select_option("bachelor")
        page.locator("#id_degrees-0-ects").fill("180")
        page.locator("#id_degrees-0-field").select_option("political_science")
        page.locator("#id_degrees-0-country").fill("FR")
        with page.expect_navigation():
            page.get_by_role("button", name="Ajouter un diplôme").click()
        page.locator("#id_degrees-1-title").fill("Master 1 relations internationales")
        page.locator("#id_degrees-1-level").select_option("master1")
        page.locator("#id_degrees-1-ects").fill("60")
        page.locator("#id_degrees-1-field").select_option("international_relations")
        page.locator("#id_degrees-1-country").fill("BE")
        page.get_by_label("Niveau d’anglais (CECRL)").select_option("B2")
        check(page, "year-03-application-form")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer le brouillon", exact=True).click()
        assert page.get_by_text("Votre brouillon est enregistré.").is_visible()
        for field in ("#id_cv", "#id_transcript", "#id_motivation"):
            page.locator(field).set_input_files(str(cv))
        with page.expect_navigation():
            page.get_by_role("button", name="Soumettre ma candidature").click()
        assert page.get_by_text("Votre candidature est soumise.").is_visible()
        assert page.locator("[data-status]").first.inner_text() == "éligible"
        application_url = page.url
        # the application fee is due
        assert "pas encore payés" in main_text(page)
        check(page, "year-04-application-submitted")

        # 3. the finance officer records the application fee's payment on its invoice
        log_in(page, base, "finances@example.org", PASSWORD, fresh=True)
        page.goto(f"{base}/finance/invoices/")
        check(page, "year-05-invoices")
        with page.expect_navigation():
            page.locator("main table a").first.click()
        assert "80,00" in main_text(page)
        page.get_by_label("Montant (€)").fill("80")
        page.get_by_label("Payé le").fill(today.isoformat())
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer le paiement").click()
        assert "Le paiement a été enregistré." in main_text(page)
        check(page, "year-06-fee-paid")

        # 4. the director previews the documents, schedules and scores the interview
        log_in(page, base, "directrice@example.org", PASSWORD, fresh=True)
        page.goto(f"{base}/admissions/")
        with page.expect_navigation():
            page.get_by_role("link", name="2026/27 · MSc 1re année").first.click()
        assert page.url == application_url
        assert "payés le" in main_text(page)
        check(page, "year-07-application-staff")
        with page.expect_popup() as popup:
            page.locator("[data-document=cv] a").first.click()
        popup.value.wait_for_load_state()
        popup.value.close()
        page.goto(f"{base}/admissions/interviews/")
        slot = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        slot += dt.timedelta(days=3)
        page.locator("#id_edition").select_option(label="MSC-ERCI 2026/27")
        page.locator("#id_campus").select_option(label="Paris – La Défense")
        page.locator("#id_starts_at").fill(slot.strftime("%Y-%m-%dT%H:%M"))
        page.locator("#id_ends_at").fill(
            (slot + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
        )
        page.locator("#id_location").fill("Salle 204")
        check(page, "year-08-interview-slots")
        with page.expect_navigation():
            page.get_by_role("button", name="Créer le créneau").click()
        page.locator("main table select").first.select_option(index=1)
        with page.expect_navigation():
            page.get_by_role("button", name="Réserver").first.click()
        with page.expect_navigation():
            page.get_by_role("link", name="Inès Candidate").click()
        for score in page.locator("input[type=number]").all():
            score.fill(score.get_attribute("max") or "5")
        page.get_by_label("Commentaire").fill("Projet professionnel clair, bon niveau d’anglais.")
        check(page, "year-09-interview")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer l’entretien").click()
        assert "L’entretien a été enregistré" in main_text(page) or "enregistré" in main_text(page)

        # 5. the admission jury: created, the file presented, the candidate admitted
        page.goto(f"{base}/admissions/juries/")
        page.locator("#id_edition").select_option(label="MSC-ERCI 2026/27")
        page.locator("#id_campus").select_option(label="Paris – La Défense")
        page.locator("#id_sits_on").fill((today + dt.timedelta(days=7)).isoformat())
        page.locator("#id_president").select_option(label="Diane Directrice")
        check(page, "year-10-admission-juries")
        with page.expect_navigation():
            page.get_by_role("button", name="Créer le jury").click()
        page.get_by_label("Inès Candidate (MSC1)").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Présenter au jury").click()
        page.get_by_label("Décision pour Inès Candidate").select_option("admitted")
        check(page, "year-11-admission-jury")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer les décisions").click()
        assert "Inès Candidate : admis" in page.locator(".messages").inner_text()

        # 6. the candidate reads her letter
        log_in(page, base, "ines@example.org", PASSWORD, fresh=True)
        page.goto(application_url)
        assert page.locator("[data-status]").first.inner_text() == "admis"
        check(page, "year-12-application-admitted")
        with page.expect_navigation():
            page.get_by_role("link", name="Lire la lettre de décision").click()
        assert "admis" in page.locator("body").inner_text()
        check(page, "year-13-letter")

        # 7. the director enrols her on a work-study contract, with her employer and tutor
        log_in(page, base, "directrice@example.org", PASSWORD, fresh=True)
        page.goto(f"{base}/enrolment/admitted/")
        check(page, "year-14-admitted")
        with page.expect_navigation():
            page.locator("a[href$='/enrol/']").first.click()
        page.get_by_label("Type de contrat").select_option("apprenticeship")
        page.locator("#id_employer_name").fill("Entreprise Fictive")
        page.get_by_label("SIRET de l'employeur").fill(SIRET)
        page.get_by_label("Adresse e-mail du tuteur ou de la tutrice").fill("tuteur@example.org")
        page.get_by_label("Nom du tuteur ou de la tutrice").fill("Tuteur Fictif")
        page.get_by_label("Début du contrat").fill("2026-09-01")
        page.get_by_label("Fin du contrat").fill("2028-08-31")
        check(page, "year-15-enrol")
        with page.expect_navigation():
            page.get_by_role("button", name="Inscrire").click()
        assert "/enrolment/learners/" in page.url, main_text(page)
        assert page.get_by_text("Entreprise Fictive").first.is_visible()
        # her civil status, as the national register needs it for the holders' declaration
        identity = page.locator("section[aria-labelledby=identity-heading]")
        identity.locator("[name=date_of_birth]").fill("2002-05-14")
        identity.locator("[name=birth_name]").fill("Candidate")
        identity.locator("[name=first_names]").fill("Inès")
        identity.locator("[name=sex]").select_option("F")
        identity.locator("[name=birth_place_code]").fill("69123")
        identity.locator("[name=birth_place_name]").fill("Lyon")
        check(page, "year-16-learner-record")
        with page.expect_navigation():
            identity.get_by_role("button", name="Enregistrer").click()
        assert "Candidate" in main_text(page)

        # 8. her invoices appear (the application fee paid, the tuition paid by the employer)
        log_in(page, base, "ines@example.org", PASSWORD, fresh=True)
        page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Mes factures"
        ).click()
        page.wait_for_url(f"{base}/finance/invoices/")
        assert page.locator("main table tbody tr").count() >= 2, main_text(page)
        check(page, "year-17-my-invoices")

        # 9. the lecturer creates an assessment and imports its results
        log_in(page, base, "enseignant@example.org", PASSWORD, fresh=True)
        page.goto(f"{base}/assessment/")
        check(page, "year-18-assessments")
        page.goto(f"{base}/assessment/new/")
        page.locator("[name=course]").select_option(str(course.pk))
        page.locator("[name=code]").fill("EX1")
        page.locator("[name=title_fr]").fill("Examen de mi-parcours")
        page.locator("[name=date]").fill(today.isoformat())
        competency = page.locator("[name=competencies]").first
        competency.check()
        code = page.locator(f"label[for='{competency.get_attribute('id')}'] strong").inner_text()
        check(page, "year-19-assessment-new")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        page.goto(f"{base}/assessment/")
        page.get_by_role("link", name="EX1", exact=True).click()
        page.get_by_role("link", name="Importer des résultats").click()
        header = "learner,competency,grade,level,absence,comment\n"
        csv = f"{header}ines@example.org,{code},15,,,Très bien\n"
        page.locator("#import-file").set_input_files(
            files=[{"name": "resultats.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
        )
        page.get_by_role("button", name="Vérifier le fichier").click()
        check(page, "year-20-import-preview")
        page.get_by_role("button", name=re.compile("Importer")).last.click()
        # the import runs as a background job: its page reports it and links the results
        page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
        page.locator("#job-result").wait_for()
        assert "Import terminé : 1 résultat(s) créé(s)" in main_text(page)
        check(page, "year-20b-import-job")
        page.get_by_role("link", name="Voir le résultat").click()
        page.wait_for_url(re.compile(r".*/results/$"))
        check(page, "year-21-results")

        # 10. the director schedules the certification jury session
        log_in(page, base, "directrice@example.org", PASSWORD, fresh=True)
        page.goto(f"{base}/jury/")
        page.get_by_role("link", name="Programmer une session de jury").click()
        page.locator("[name=title]").fill("Jury de fin d’année")
        page.locator("[name=version]").select_option(str(version_pk))
        page.locator("[name=date]").fill(today.isoformat())
        page.locator("[name=president]").select_option(
            label="Paul Président (president@example.org)"
        )
        page.get_by_label("Marie Membre (membre@example.org)").check()
        page.get_by_role("button", name="Prévisualiser les apprenants").click()
        page.locator("#preview").get_by_text("Inès Candidate").wait_for()
        check(page, "year-22-jury-session-new")
        page.get_by_role("button", name="Enregistrer la session").click()
        page.wait_for_url(f"{base}/jury/")

        # 11. the president deliberates, overrides with a justification and closes
        log_in(page, base, "president@example.org", PASSWORD, fresh=True)
        page.goto(f"{base}/jury/")
        page.get_by_role("link", name="Jury de fin d’année").click()
        page.get_by_role("button", name="Délibérer").click()
        assert "Délibération calculée pour 1 apprenant." in main_text(page)
        check(page, "year-23-jury-grid")
        # her results cover one course only: the jury validates the four common blocks and her
        # specialisation's (BC01 to BC05), each with its justification
        for column in range(5):  # the first cell of a row is the learner (a header cell)
            cell = page.locator("tr[id^=row-]").first.locator("td").nth(column)
            assert "incomplet" in cell.inner_text()
            cell.get_by_role("link", name="Modifier").click()
            cell.get_by_label("Statut").wait_for()
            cell.get_by_label("Statut").select_option("validated")
            cell.get_by_label("Justification (obligatoire)").fill("Mission en entreprise probante")
            cell.get_by_role("button", name="Enregistrer la modification").click()
            expect(page.locator("tr[id^=row-]").first.locator("td").nth(column)).to_contain_text(
                "calculé : incomplet — Mission en entreprise probante"
            )
        # the certification follows the blocks, or the jury says it with its justification
        cell = page.locator("tr[id^=row-]").first.locator("td").nth(6)
        if cell.inner_text().strip().split("\n")[0].strip() != "certifié":
            cell.get_by_role("link", name="Modifier").click()
            cell.get_by_label("Statut").wait_for()
            cell.get_by_label("Statut").select_option("certified")
            cell.get_by_label("Justification (obligatoire)").fill("Blocs validés par le jury")
            cell.get_by_role("button", name="Enregistrer la modification").click()
            expect(page.locator("tr[id^=row-]").first.locator("td").nth(6)).to_contain_text(
                "Blocs validés par le jury"
            )
        check(page, "year-24-jury-overridden")
        page.get_by_role("link", name="Clore la session et signer le procès-verbal").click()
        check(page, "year-25-jury-close")
        page.get_by_role("button", name="Signer et clore").click()
        # closing runs as a background job: its page says how it went and links to the minutes
        page.wait_for_url("**/jobs/*/")
        assert "La session est close" in main_text(page)
        check(page, "year-25b-jury-close-job")
        page.get_by_role("link", name="Voir le résultat").click()
        assert "Le procès-verbal est intact" in main_text(page)

        # 12. the director issues the credentials
        log_in(page, base, "directrice@example.org", PASSWORD, fresh=True)
        page.goto(f"{base}/credentials/sessions/")
        check(page, "year-26-credential-sessions")
        page.get_by_role("link", name="Jury de fin d’année").click()
        with page.expect_navigation():
            page.get_by_role(
                "button", name="Émettre les attestations numériques de la session"
            ).click()
        # issuing runs as a background job too: its page counts what was issued
        page.wait_for_url("**/jobs/*/")
        assert "attestation(s) numérique(s) émise(s)" in main_text(page)
        check(page, "year-27-credentials-issued")

        # 13. the learner downloads her certificate; its QR code opens its verification page
        log_in(page, base, "ines@example.org", PASSWORD, fresh=True)
        page.goto(f"{base}/credentials/mine/")
        check(page, "year-28-mine")
        with page.expect_download() as download:
            page.locator("li[data-kind=certificate] a", has_text="Télécharger (PDF)").click()
        [target] = qr_payloads(download.value.path().read_bytes())
        assert target.startswith(f"{base}/verify/"), target
        page.goto(target)
        assert page.locator("[data-verdict=authentic]").is_visible()
        check(page, "year-29-verify")

        # 14. the director exports the holders' declaration (valid against the registry's XSD)
        log_in(page, base, "directrice@example.org", PASSWORD, fresh=True)
        page.goto(f"{base}/reporting/declarations/")
        check(page, "year-30-declarations")
        with page.expect_navigation():
            page.get_by_role("button", name="Générer le fichier").click()
        assert "vérifié par rapport au schéma du registre : 1 titulaire(s)" in page.content()
        flux = DeclarationFlux.objects.get()
        assert declaration.validate(flux.file.read()) == []
        check(page, "year-31-declaration-exported")

        # 15. the indicators show the cohort
        page.goto(f"{base}/reporting/")
        check(page, "year-32-indicators")
        assert "2026/27" in main_text(page) or "2026-27" in main_text(page)
