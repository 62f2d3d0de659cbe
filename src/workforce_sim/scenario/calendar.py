"""Simulation time is in days from the scenario's start date; reports follow the calendar."""

from __future__ import annotations

import datetime as dt

DAYS_PER_YEAR = 365.25


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` moved by whole months; ``d`` must be the first of a month."""
    y, m = divmod(d.month - 1 + months, 12)
    return dt.date(d.year + y, m + 1, 1)


def month_starts(start: dt.date, months: int) -> list[dt.date]:
    """The first day of each of the ``months`` reporting months."""
    return [add_months(start, k) for k in range(months)]


def month_end_days(start: dt.date, months: int) -> list[float]:
    """Day offsets (from ``start``) of the end of each reporting month."""
    return [float((add_months(start, k + 1) - start).days) for k in range(months)]


def day_of(start: dt.date, d: dt.date) -> float:
    return float((d - start).days)


def financial_year(d: dt.date) -> str:
    """UK financial year (April to March) as '2025/26'."""
    y = d.year if d.month >= 4 else d.year - 1
    return f"{y}/{(y + 1) % 100:02d}"
