"""The admission jury subdomain of admissions: interviews (slots, bookings, scoring grids),
the admission jury (sittings, presentation, decisions) and the decision letters."""
