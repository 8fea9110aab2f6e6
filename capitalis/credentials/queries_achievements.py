"""Reads for the public achievement pages (issue 6; SPEC §7): what the ``achievement.id`` of a
credential (``PUBLIC_BASE_URL/achievements/<certification>/<version>/[<block>/]``, see
``builders.achievement_url``) describes — the certification version or the block, its
competencies and evaluation criteria, the certification rule. Public register content only,
never a person. A fixed number of queries whatever the size of the référentiel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from capitalis.credentials import builders
from capitalis.referential.models import (
    Block,
    Certification,
    CertificationRule,
    CertificationVersion,
    Competency,
    EvaluationCriterion,
)


def _local(french: str, english: str) -> str:
    """The English text on an English page when there is one, else the official French."""
    if (get_language() or "fr")[:2] == "en" and english.strip():
        return english
    return french


@dataclass(frozen=True)
class CompetencyView:
    code: str
    statement: str
    criteria: tuple[tuple[str, str], ...]  # (code, text)


@dataclass(frozen=True)
class BlockView:
    code: str
    title: str
    kind: str
    url: str
    competencies_text: str = ""
    assessment_text: str = ""
    competencies: tuple[CompetencyView, ...] = ()


@dataclass(frozen=True)
class AchievementView:
    """One achievement page: a certification version, or one block of it (``block`` set)."""

    certification_code: str
    certification_title: str
    version_code: str
    version_label: str
    eqf_level: int | None
    rule: str
    register_url: str
    version_url: str
    block: BlockView | None = None
    blocks: tuple[BlockView, ...] = field(default=())


_SLUG = re.compile(r"[A-Za-z0-9._-]{1,60}")


def _find_version(cert_slug: str, version_slug: str) -> CertificationVersion | None:
    if not (_SLUG.fullmatch(cert_slug) and _SLUG.fullmatch(version_slug)):
        return None  # never a slug builders.achievement_url writes (and no NUL for PostgreSQL)
    versions = CertificationVersion.objects.select_related("certification").filter(
        certification__code__iexact=cert_slug
    )
    for version in versions:
        if builders.achievement_url("", _cert_info(version)).strip("/").split("/")[1:] == [
            cert_slug,
            version_slug,
        ]:
            return version
    return None


def _cert_info(version: CertificationVersion) -> builders.CertificationInfo:
    cert: Certification = version.certification
    return builders.CertificationInfo(
        code=cert.code,
        title_fr=cert.title_fr,
        version_code=version.code,
        eqf_level=cert.eqf_level,
        rule_fr="",
    )


def _block_info(block: Block) -> builders.BlockInfo:
    return builders.BlockInfo(code=block.code, title_fr=block.title_fr, criteria_fr="")


def _rule_en(all_common: bool, optional: int) -> str:
    """The rule in the page's language when the register gives no English text."""
    text = _("All common blocks validated") if all_common else _("The blocks validated")
    if optional:
        text += " " + ngettext(
            "and %(count)s optional block", "and %(count)s optional blocks", optional
        ) % {"count": optional}
    return text + _(", decided by the jury; no compensation between blocks.")


def _rule(version: CertificationVersion) -> str:
    """The certification rule: the official French text (as in the credentials), or on an
    English page its English text, else the rule spelled out in English."""
    rule = CertificationRule.objects.filter(version=version).first()
    all_common = rule.all_common_required if rule else True
    optional = rule.optional_blocks_required if rule else 0
    if (get_language() or "fr")[:2] == "en":
        english = rule.description_en.strip() if rule else ""
        return english or _rule_en(all_common, optional)
    return builders.rule_text_fr(all_common, optional, rule.description_fr if rule else "")


def achievement(
    cert_slug: str, version_slug: str, block_slug: str | None = None
) -> AchievementView | None:
    """The page of ``/achievements/<cert>/<version>/[<block>/]``, or None when unknown."""
    version = _find_version(cert_slug, version_slug)
    if version is None:
        return None
    base = builders.achievement_url("", _cert_info(version))
    cert = version.certification
    blocks = list(Block.objects.filter(version=version).order_by("position", "code"))
    summaries = tuple(
        BlockView(
            code=b.code,
            title=_local(b.title_fr, b.title_en),
            kind=b.get_kind_display(),
            url=builders.achievement_url("", _cert_info(version), _block_info(b)),
        )
        for b in blocks
    )
    page = AchievementView(
        certification_code=cert.code,
        certification_title=_local(cert.title_fr, cert.title_en),
        version_code=version.code,
        version_label=_local(version.label_fr, version.label_en),
        eqf_level=cert.eqf_level,
        rule=_rule(version),
        register_url=builders.register_url(version.register_code or cert.code),
        version_url=base,
        blocks=summaries,
    )
    if block_slug is None:
        return page
    chosen = next(
        (
            b
            for b in blocks
            if builders.achievement_url("", _cert_info(version), _block_info(b)).rstrip("/")
            == f"{base}{block_slug}"
        ),
        None,
    )
    if chosen is None:
        return None
    competencies = Competency.objects.filter(block=chosen).prefetch_related(
        Prefetch("criteria", queryset=EvaluationCriterion.objects.order_by("position", "code"))
    )
    detail = BlockView(
        code=chosen.code,
        title=_local(chosen.title_fr, chosen.title_en),
        kind=chosen.get_kind_display(),
        url=builders.achievement_url("", _cert_info(version), _block_info(chosen)),
        competencies_text=chosen.competencies_text,
        assessment_text=chosen.assessment_text,
        competencies=tuple(
            CompetencyView(
                code=c.code,
                statement=_local(c.statement_fr, c.statement_en),
                criteria=tuple((k.code, _local(k.text_fr, k.text_en)) for k in c.criteria.all()),
            )
            for c in competencies.order_by("position", "code")
        ),
    )
    return AchievementView(**{**page.__dict__, "block": detail})
