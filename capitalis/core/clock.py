"""The one clock: what time and what day it is, for every service, query, view and task.

``now()`` is an aware datetime (UTC under ``USE_TZ``); ``today()`` is the date in the school's
``TIME_ZONE``, so a deadline falls on the day a user of the school sees on their wall.
Both read ``django.utils.timezone``, so a test freezes them with ``time_machine.travel(...)``
as before, or swaps the clock for one test with ``monkeypatch.setattr(clock, "now", ...)``.
A service that already takes ``today=``/``now=`` keeps it and defaults to this clock.
``tests/core/test_clock.py`` fails when application code asks the system clock directly.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    """The current instant, timezone-aware."""
    return timezone.now()


def today() -> date:
    """Today's date in the school's time zone (``settings.TIME_ZONE``)."""
    return timezone.localdate(now())


def local_now() -> datetime:
    """The current instant in the school's time zone (for a time shown or written to a user)."""
    return timezone.localtime(now())
