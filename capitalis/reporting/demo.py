"""Demo steps of the reporting app (discovered by ``seed_demo``): a past cohort with its decisions
for the indicators, survey answers."""

from capitalis.reporting import demo_indicators, demo_surveys  # noqa: F401  (registers steps)
