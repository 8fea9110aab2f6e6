"""Small admissions data for tests: the test catalogue (tests.programmes.builders) with the
SPEC §3 eligibility rules on its first edition, candidates and staff made through the
services, and a complete draft ready to submit."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions import services
from capitalis.admissions.models import Application, EligibilityRule
from capitalis.programmes.models import Campus, Edition, Programme, ProgrammeYear, Specialisation
from tests.factories.accounts import UserFactory
from tests.factories.admissions import CandidateFactory
from tests.programmes.builders import build_catalogue

# The smallest valid PDF a reader opens (one empty page).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@dataclass
class World:
    programme: Programme
    edition: Edition
    msc1: ProgrammeYear
    msc2: ProgrammeYear
    campus: Campus
    other_campus: Campus
    spec: Specialisation


def build_world() -> World:
    programme = build_catalogue()
    edition = programme.editions.get()
    msc1 = programme.years.get(position=1)
    msc2 = programme.years.get(position=2)
    campus, other = Campus.objects.filter(code__startswith="CAMPUS").order_by("position")[:2]
    spec = programme.specialisations.order_by("position").first()
    assert spec is not None
    # the edition is current and takes applications today (the catalogue's dates are past)
    today = timezone.localdate()
    Edition.objects.filter(pk=edition.pk).update(
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=330),
        applications_open_on=today - dt.timedelta(days=60),
        applications_close_on=today + dt.timedelta(days=60),
    )
    edition.refresh_from_db()
    for year, ects, fields, in_progress in (
        (
            msc1,
            180,
            ["humanities", "law", "social_sciences", "political_science", "economics"],
            True,
        ),
        (msc2, 240, ["international_relations", "political_science", "economics"], False),
    ):
        EligibilityRule.objects.create(
            edition=edition,
            year=year,
            code=f"FIELD-{year.code}",
            kind="field",
            params={"fields": fields, "in_progress": in_progress},
            label_fr="Domaine accepté",
            label_en="Accepted field",
            position=0,
        )
        EligibilityRule.objects.create(
            edition=edition,
            year=year,
            code=f"ECTS-{ects}",
            kind="min_ects",
            params={"ects": ects, "in_progress": in_progress},
            label_fr=f"Au moins {ects} ECTS",
            label_en=f"At least {ects} ECTS",
            position=1,
        )
        EligibilityRule.objects.create(
            edition=edition,
            year=year,
            code="ENGLISH-B2",
            kind="english",
            params={"level": "B2"},
            label_fr="Anglais B2",
            label_en="English B2",
            position=2,
        )
    return World(programme, edition, msc1, msc2, campus, other, spec)


def candidate(email: str = "cand@example.org") -> User:
    return CandidateFactory(email=email, full_name="Candidate Test")  # address confirmed


def staff(email: str, role: Role, scope: ScopeKind = ScopeKind.GLOBAL, scope_id=None) -> User:
    return UserFactory(email=email, full_name="", is_staff=True, roles=[(role, scope, scope_id)])


def draft(
    world: World,
    who: User,
    *,
    ects: int = 180,
    field: str = "law",
    english: str = "B2",
    year: ProgrammeYear | None = None,
    documents: bool = True,
) -> Application:
    application = services.application_create(
        candidate=who,
        edition=world.edition,
        year=year or world.msc1,
        campus=world.campus,
        track="initial",
        specialisation=world.spec,
        english_level=english,
    )
    services.application_degrees_set(
        application=application,
        actor_user=who,
        degrees=[
            services.DegreeInput(
                title="Licence", level="bachelor", ects=ects, field=field, country="FR"
            )
        ],
    )
    if documents:
        for kind in ("cv", "transcript", "motivation"):
            services.document_add(
                application=application,
                actor_user=who,
                kind=kind,
                upload=io.BytesIO(PDF),
                name=f"{kind}.pdf",
            )
    return application
