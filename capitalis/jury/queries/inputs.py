"""The deliberation inputs, loaded set-based for the pure rules: the version's structure and
policy, the evidence, the prior validations and the crosswalk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from capitalis.assessment.queries import EvidenceRow, evidence_for
from capitalis.enrolment.models import Enrolment
from capitalis.jury import rules
from capitalis.jury.models import BlockValidation, JurySession, JurySessionLearner
from capitalis.referential.models import Block, CertificationRule, Competency, CrosswalkEntry


@dataclass(frozen=True)
class VersionData:
    """A version's structure for the rules, with the codes to name things in reasons."""

    structure: rules.VersionStructure
    blocks: list[Block]
    competency_codes: dict[int, str]
    block_codes: dict[int, str]
    policy: rules.Policy = rules.DEFAULT_POLICY


def version_data(*, version_id: int) -> VersionData:
    """Blocks (in order), their competencies and the certification rule: three queries."""
    blocks = list(Block.objects.filter(version_id=version_id).order_by("position", "code"))
    comps: dict[int, list[int]] = defaultdict(list)
    codes: dict[int, str] = {}
    for pk, block_id, code in (
        Competency.objects.filter(block__version_id=version_id)
        .order_by("position", "code")
        .values_list("pk", "block_id", "code")
    ):
        comps[block_id].append(pk)
        codes[pk] = code
    rule_row = CertificationRule.objects.filter(version_id=version_id).first()
    rule = (
        rules.CertificationRule(
            optional_required=rule_row.optional_blocks_required,
            all_common_required=rule_row.all_common_required,
        )
        if rule_row
        else rules.CertificationRule()
    )
    specs = tuple(
        rules.BlockSpec(
            key=b.pk,
            code=b.code,
            kind=rules.BlockKind.OPTIONAL if b.kind == "optional" else rules.BlockKind.COMMON,
            competencies=tuple(comps.get(b.pk, ())),
        )
        for b in blocks
    )
    return VersionData(
        rules.VersionStructure(version=version_id, blocks=specs, rule=rule),
        blocks,
        codes,
        {b.pk: b.code for b in blocks},
        # The version's deliberation policy (data); a stored value the rules refuse raises
        # ValueError here rather than deliberating under the wrong policy.
        rules.Policy.from_dict(rule_row.deliberation_policy if rule_row else {}),
    )


def to_evidence(row: EvidenceRow) -> rules.Evidence:
    """An evidence row for the rules. The assessment model does not say which first-session
    assessment a resit retakes, so every row of a competency shares one slot: a resit
    replaces the first-session evidence of that competency (Policy.resit)."""
    return rules.Evidence(
        competency=row.competency_id,
        assessment=row.assessment_id,
        weight=row.weight,
        grade=row.grade,
        level=rules.Level(row.level) if row.level else None,
        session=rules.Session(row.session),
        absence=rules.Absence(row.absence),
        resit_of="competency",
    )


def prior_validations_for(
    *, enrolment_learner: dict[int, int]
) -> dict[int, list[rules.PriorValidation]]:
    """Every capitalised block of these learners (any version), keyed by enrolment id."""
    by_learner: dict[int, list[rules.PriorValidation]] = defaultdict(list)
    for learner_id, block_id, version_id, on, route, session_id in BlockValidation.objects.filter(
        learner_id__in=set(enrolment_learner.values())
    ).values_list("learner_id", "block_id", "version_id", "validated_on", "route", "session_id"):
        by_learner[learner_id].append(
            rules.PriorValidation(
                block=block_id,
                version=version_id,
                validated_on=on,
                route=rules.Route(route),
                session=session_id,
            )
        )
    return {e: by_learner[lid] for e, lid in enrolment_learner.items() if lid in by_learner}


def crosswalk_for(*, version_id: int) -> list[rules.CrosswalkEntry]:
    """Crosswalk entries from any earlier version into ``version_id``, each with the
    competencies of ``to_block`` it covers (a partial entry credits only those): two queries."""
    entries = CrosswalkEntry.objects.filter(crosswalk__to_version_id=version_id)
    covered: dict[int, set[int]] = defaultdict(set)
    for entry_id, competency_id in CrosswalkEntry.covered.through.objects.filter(
        crosswalkentry__in=entries
    ).values_list("crosswalkentry_id", "competency_id"):
        covered[entry_id].add(competency_id)
    return [
        rules.CrosswalkEntry(
            from_block=f, to_block=t, coverage=rules.Coverage(c), covered=frozenset(covered[pk])
        )
        for pk, f, t, c in entries.values_list("pk", "from_block_id", "to_block_id", "coverage")
    ]


@dataclass
class Inputs:
    version: VersionData
    evidence: dict[int, list[rules.Evidence]]
    prior: dict[int, list[rules.PriorValidation]]
    crosswalk: list[rules.CrosswalkEntry]
    enrolment_learner: dict[int, int]


def deliberation_inputs(
    *, session: JurySession, enrolment_ids: Sequence[int] | None = None
) -> Inputs:
    """Everything the rules need for the session's learners (or some of them), in a fixed
    number of queries."""
    enrolments = JurySessionLearner.objects.filter(session=session)
    if enrolment_ids is not None:
        enrolments = enrolments.filter(enrolment_id__in=enrolment_ids)
    enrolment_learner = dict(enrolments.values_list("enrolment_id", "enrolment__learner_id"))
    evidence: dict[int, list[rules.Evidence]] = {e: [] for e in enrolment_learner}
    rows = evidence_for(
        enrolments=Enrolment.objects.filter(pk__in=list(enrolment_learner)),
        version=session.version_id,
    )
    for row in rows:
        evidence[row.enrolment_id].append(to_evidence(row))
    return Inputs(
        version=version_data(version_id=session.version_id),
        evidence=evidence,
        prior=prior_validations_for(enrolment_learner=enrolment_learner),
        crosswalk=crosswalk_for(version_id=session.version_id),
        enrolment_learner=enrolment_learner,
    )
