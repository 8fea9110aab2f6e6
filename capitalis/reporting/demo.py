"""Demo steps of the reporting app (discovered by ``seed_demo``): a past cohort with its decisions
for the indicators, survey answers, the holders' declaration of the past cohorts."""

from capitalis.reporting import (  # noqa: F401  (registers steps)
    demo_declarations,
    demo_indicators,
    demo_surveys,
)
