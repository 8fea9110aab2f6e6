"""Demo steps of the reporting app (discovered by ``seed_demo``): a past cohort with its decisions
for the indicators, survey answers, the holders' declaration of the past cohorts."""

from capitalis.reporting.declarations import demo as declarations  # noqa: F401  (registers steps)
from capitalis.reporting.indicators import demo as indicators  # noqa: F401
from capitalis.reporting.surveys import demo as surveys  # noqa: F401
