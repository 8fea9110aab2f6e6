"""Shipped reporting data (``data/reporting/``), loaded by ``manage.py load_data``: the loaders
of the app's subdomains, each in its own ``data`` module (declared history, survey
questionnaires, retention rules)."""

from __future__ import annotations

from capitalis.core.data import DataLoader
from capitalis.reporting.indicators import data as indicators
from capitalis.reporting.privacy import data as privacy
from capitalis.reporting.surveys import data as surveys

data_loaders: list[DataLoader] = [
    *indicators.data_loaders,
    *surveys.data_loaders,
    *privacy.data_loaders,
]
