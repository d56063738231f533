"""Shared fixtures: the independent holiday reference used by the property tests."""

from __future__ import annotations

import datetime as dt

import holidays
import numpy as np
import pytest


def reference_bank_holidays(first_year: int = 2000, last_year: int = 2035) -> list[dt.date]:
    """England and Wales bank holidays from the `holidays` package (weekdays only: the
    published list names the substitute weekday, not the weekend day it replaces)."""
    table = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return sorted(d for d in table if d.weekday() < 5)


@pytest.fixture(scope="session")
def reference_holidays() -> np.ndarray:
    return np.array(reference_bank_holidays(), dtype="datetime64[D]")
