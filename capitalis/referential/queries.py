"""Reads on the référentiel, shaped for the pages and the API: set-based, with their
prefetches, so the number of queries does not grow with the number of rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from capitalis.referential.models import (
    Activity,
    Block,
    Certification,
    CertificationCertifier,
    CertificationVersion,
    Competency,
    Crosswalk,
    CrosswalkEntry,
)
from capitalis.referential.register import (
    ACCESS_ROUTES,
    AccessRouteData,
    BlockData,
    CertifierData,
    CodeLabel,
    CorrespondenceData,
    Fiche,
)


def certification_list() -> QuerySet[Certification]:
    """Every certification with its number of versions and blocks, for a list."""
    return Certification.objects.annotate(
        version_count=Count("versions", distinct=True),
        block_count=Count("versions__blocks", distinct=True),
    ).order_by("code")


def _blocks_prefetch() -> Prefetch:
    return Prefetch(
        "blocks",
        queryset=Block.objects.order_by("position", "code").prefetch_related(
            Prefetch("activities", queryset=Activity.objects.order_by("position", "code")),
            Prefetch(
                "competencies",
                queryset=Competency.objects.select_related("activity")
                .order_by("position", "code")
                .prefetch_related("criteria"),
            ),
            "modalities",
        ),
    )


def certification_detail(*, code: str) -> Certification | None:
    """One certification by code with its versions → blocks → activities, competencies
    (→ criteria) and modalities, each version's rule, its certifiers, and register links;
    None when no certification has that code."""
    return (
        Certification.objects.filter(code=code)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=CertificationVersion.objects.select_related("rule")
                .order_by("position", "code")
                .prefetch_related(_blocks_prefetch()),
            ),
            Prefetch(
                "certifier_links",
                queryset=CertificationCertifier.objects.select_related("certifier"),
            ),
            "register_links",
            "register_correspondences",
        )
        .first()
    )


def crosswalks_for(*, certification: Certification) -> QuerySet[Crosswalk]:
    """Crosswalks leading from or to any version of the certification, with their entries."""
    return (
        Crosswalk.objects.filter(
            Q(from_version__certification=certification)
            | Q(to_version__certification=certification)
        )
        .select_related("from_version__certification", "to_version__certification")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=CrosswalkEntry.objects.select_related("from_block", "to_block"),
            )
        )
        .order_by("id")
    )


# --- National register export (helper A) ----------------------------------------------------


def _register_list_text(items: list[str]) -> str:
    return "  ".join(f"- {item}" for item in items)


def _fiche_blocks(certification: Certification) -> tuple[BlockData, ...]:
    """The blocks of its register version (or, for a certification not read from the
    register, of its current version); lists of statements joined when no text was kept."""
    versions = list(certification.versions.all())
    version = next((v for v in versions if v.code == "register"), None) or next(
        (v for v in versions if v.status == "current"), None
    )
    return tuple(
        BlockData(
            code=block.code,
            title=block.title_fr,
            competencies_text=block.competencies_text
            or _register_list_text([c.statement_fr for c in block.competencies.all()]),
            assessment_text=block.assessment_text
            or _register_list_text([m.label_fr for m in block.modalities.all()]),
            entry_prerequisites_text=block.entry_prerequisites_text,
            validation_prerequisites_text=block.validation_prerequisites_text,
        )
        for block in (version.blocks.all() if version else ())
    )


def _fiche_certifiers(certification: Certification) -> tuple[CertifierData, ...]:
    return tuple(
        CertifierData(
            siret=link.certifier.siret,
            name=link.certifier.name,
            commercial_name=link.commercial_name,
            website=link.website,
            state=link.state,
            state_date=link.state_date,
        )
        for link in sorted(certification.certifier_links.all(), key=lambda c: c.position)
    )


def _fiche_access_routes(certification: Certification) -> tuple[AccessRouteData, ...]:
    routes = certification.access_routes or {}
    return tuple(
        AccessRouteData(
            key=key,
            active=routes[key].get("active"),
            composition=routes[key].get("composition") or "",
            changed_on=date.fromisoformat(routes[key]["changed_on"])
            if routes[key].get("changed_on")
            else None,
        )
        for key in ACCESS_ROUTES
        if key in routes
    )


def _fiche_correspondences(certification: Certification) -> tuple[CorrespondenceData, ...]:
    return tuple(
        CorrespondenceData(
            source_block_codes=tuple(corr.source_block_codes or ()),
            destination_code=corr.destination_code,
            destination_block_codes=tuple(corr.destination_block_codes or ()),
        )
        for corr in sorted(certification.register_correspondences.all(), key=lambda c: c.position)
    )


def _register_fiche(certification: Certification) -> Fiche:
    """A certification as a register fiche: its blocks, certifiers, links, correspondences
    and the kept ``register_extra`` elements."""
    links = sorted(certification.register_links.all(), key=lambda link: link.position)
    return Fiche(
        code=certification.code,
        title=certification.title_fr,
        register_id=certification.register_id,
        replaced_by=tuple(link.other_code for link in links if link.kind == "replaced_by"),
        replaces=tuple(link.other_code for link in links if link.kind == "replaces"),
        abbreviation_code=certification.abbreviation_code,
        abbreviation_label=certification.abbreviation_label,
        state=certification.state,
        formacodes=tuple(CodeLabel(**item) for item in certification.formacodes or ()),
        eqf_level=certification.eqf_level,
        eqf_label=certification.eqf_label,
        nsf_codes=tuple(CodeLabel(**item) for item in certification.nsf_codes or ()),
        certifiers=_fiche_certifiers(certification),
        has_partners=certification.has_partners,
        activities_text=certification.activities_text,
        capacities_text=certification.capacities_text,
        sectors_text=certification.sectors_text,
        target_jobs_text=certification.target_jobs_text,
        rome_codes=tuple(CodeLabel(**item) for item in certification.rome_codes or ()),
        access_routes=_fiche_access_routes(certification),
        registration_date=certification.registration_date,
        registration_years=certification.registration_years,
        registration_end=certification.registration_end,
        registration_type=certification.registration_type,
        blocks=_fiche_blocks(certification),
        objectives_text=certification.objectives_text,
        blocks_separately=certification.blocks_separately,
        active=certification.active,
        entry_prerequisites_text=certification.entry_prerequisites_text,
        award_deadline=certification.award_deadline,
        correspondences=_fiche_correspondences(certification),
        extra=tuple(certification.register_extra or ()),
    )


def register_fiches(*, codes: list[str] | None = None, chunk: int = 200) -> Iterator[Fiche]:
    """Certifications as register fiches, by code (all when ``codes`` is None), for the
    export: read in chunks with their prefetches, so the queries do not grow per fiche."""
    queryset = Certification.objects.order_by("code")
    if codes is not None:
        queryset = queryset.filter(code__in=codes)
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        certifications = (
            Certification.objects.filter(pk__in=ids[start : start + chunk])
            .order_by("code")
            .prefetch_related(
                Prefetch(
                    "versions",
                    queryset=CertificationVersion.objects.order_by(
                        "position", "code"
                    ).prefetch_related(
                        Prefetch(
                            "blocks",
                            queryset=Block.objects.order_by("position", "code").prefetch_related(
                                Prefetch(
                                    "competencies",
                                    queryset=Competency.objects.order_by("position", "code"),
                                ),
                                "modalities",
                            ),
                        )
                    ),
                ),
                Prefetch(
                    "certifier_links",
                    queryset=CertificationCertifier.objects.select_related("certifier"),
                ),
                "register_links",
                "register_correspondences",
            )
        )
        for certification in certifications:
            yield _register_fiche(certification)
