"""Demo step: surveys sent to the demo cohorts and their answers."""
