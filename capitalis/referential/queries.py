"""Reads on the référentiel, shaped for the pages and the API: set-based, with their
prefetches, so the number of queries does not grow with the number of rows."""

from __future__ import annotations

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
