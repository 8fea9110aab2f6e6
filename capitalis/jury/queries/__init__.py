"""Reads on jury sessions: scoped lists, the deliberation inputs (loaded set-based for the pure
rules), the deliberation grid, a learner's blocks. Never a query per learner.

One module per subject, every public name re-exported here (``from capitalis.jury import
queries; queries.X``, which other apps use): ``sessions`` (scoping, scheduling, pending cases,
jury candidates), ``inputs`` (the deliberation inputs), ``reasons`` (reasons in words), ``grid``,
``learners`` (a learner's blocks and decisions), ``year`` (ECTS), ``appeals``, ``vae`` and
``prior`` (prior validations)."""

from __future__ import annotations

from capitalis.jury.queries.appeals import appeals_to_decide_for, pending_appeals
from capitalis.jury.queries.grid import (
    ATTENTION,
    GRID_PAGE_SIZE,
    GRID_STATUS_FILTERS,
    Grid,
    GridCell,
    GridPage,
    GridRow,
    earlier_decisions_for,
    grid_for,
    grid_page_for,
)
from capitalis.jury.queries.inputs import (
    Inputs,
    VersionData,
    crosswalk_for,
    deliberation_inputs,
    prior_validations_for,
    to_evidence,
    version_data,
)
from capitalis.jury.queries.learners import (
    LearnerBlock,
    learner_blocks,
    learner_decisions,
    title_of,
)
from capitalis.jury.queries.prior import (
    PriorBlock,
    PriorLookup,
    can_manage_prior,
    prior_lookup,
    prior_validation_list_for,
)
from capitalis.jury.queries.reasons import _messages as _messages  # read by the tests
from capitalis.jury.queries.reasons import reason_text
from capitalis.jury.queries.sessions import (
    Pending,
    ScopeFilters,
    ScopePreview,
    jury_candidates,
    later_open_sessions,
    scope_appeals,
    scope_enrolments,
    scope_preview,
    scope_vae_dossiers,
    session_for,
    session_list_for,
    session_pending,
)
from capitalis.jury.queries.vae import (
    blocks_by_id,
    vae_blocks,
    vae_candidate_for,
    vae_candidate_mine,
    vae_candidates,
    vae_dossiers_for,
    vae_interview_sessions,
    vae_outcomes_for,
    vae_validations,
    vae_versions,
)
from capitalis.jury.queries.year import (
    CourseLine,
    YearResults,
    course_grade,
    learner_year_results,
    year_courses,
    year_results,
)

__all__ = [
    "ATTENTION",
    "GRID_PAGE_SIZE",
    "GRID_STATUS_FILTERS",
    "CourseLine",
    "Grid",
    "GridCell",
    "GridPage",
    "GridRow",
    "Inputs",
    "LearnerBlock",
    "Pending",
    "PriorBlock",
    "PriorLookup",
    "ScopeFilters",
    "ScopePreview",
    "VersionData",
    "YearResults",
    "appeals_to_decide_for",
    "blocks_by_id",
    "can_manage_prior",
    "course_grade",
    "crosswalk_for",
    "deliberation_inputs",
    "earlier_decisions_for",
    "grid_for",
    "grid_page_for",
    "jury_candidates",
    "later_open_sessions",
    "learner_blocks",
    "learner_decisions",
    "learner_year_results",
    "pending_appeals",
    "prior_lookup",
    "prior_validation_list_for",
    "prior_validations_for",
    "reason_text",
    "scope_appeals",
    "scope_enrolments",
    "scope_preview",
    "scope_vae_dossiers",
    "session_for",
    "session_list_for",
    "session_pending",
    "title_of",
    "to_evidence",
    "vae_blocks",
    "vae_candidate_for",
    "vae_candidate_mine",
    "vae_candidates",
    "vae_dossiers_for",
    "vae_interview_sessions",
    "vae_outcomes_for",
    "vae_validations",
    "vae_versions",
    "version_data",
    "year_courses",
    "year_results",
]
