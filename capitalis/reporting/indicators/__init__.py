"""Indicators (SPEC §9): figures computed from records, declared history, the staff dashboard
and the public results pages."""
