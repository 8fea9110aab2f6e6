"""Surveys (SPEC §9; issue 7 point 2): shipped questionnaires, invitations by personal link,
reminders, answers and response rates, and the schedule of the surveys due."""
