"""The survey tests date everything from TODAY, read once when surveys/builders.py loads, while the
services stamp mails and answers with the clock. A run that crosses midnight would put the two on
different days, so every reporting test runs with the clock on TODAY at noon (still ticking)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from tests.reporting.surveys.builders import TODAY


@pytest.fixture(autouse=True)
def clock_on_today() -> Iterator[None]:
    noon = dt.datetime.combine(TODAY, dt.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=True):
        yield
