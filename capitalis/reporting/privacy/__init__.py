"""Personal data (SPEC §10; issue 7 point 5): one person's data export on request and the
retention rules."""
