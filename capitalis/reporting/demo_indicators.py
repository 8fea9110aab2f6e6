"""Demo step: past cohorts and declared history so every indicator chart has data."""
