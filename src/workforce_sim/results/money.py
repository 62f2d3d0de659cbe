"""The price base of money figures: cash, or real terms at a stated year with a named deflator.

The engine simulates money in cash: the pounds paid in each month, with the
pay awards and on-cost changes dated in the scenario. A scenario's
``[money] price_base`` says how every money column is shown:

* ``"cash"``: as simulated;
* ``{real = 2025, deflator = "gdp_deflator"}``: in 2025-26 prices, each month's
  cash divided by the deflator ratio ``index(financial year of the month) /
  index(2025-26)``. A yearly series steps on 1 April, as HM Treasury applies
  its financial-year deflators; a year beyond the series grows (or, before it,
  shrinks) by its ``forecast_growth`` a year.

:func:`price_base_label` is the one place that says which, in words every
output prints beside its money figures ("£, cash" or "£, 2025-26 prices, GDP
deflator").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workforce_sim.data.deflators import SHIPPED, DeflatorSeries
from workforce_sim.engine.recording.columns import of_unit
from workforce_sim.scenario.schema import RealTerms

if TYPE_CHECKING:
    from workforce_sim.scenario.schema import Scenario

MONEY_COLUMNS = tuple(c.name for c in of_unit("£"))
"""The monthly columns in pounds: the ones a price base converts."""


def financial_year(d: dt.date) -> int:
    """The financial year ``d`` falls in, by its first calendar year (April 2025 - March
    2026 is 2025)."""
    return d.year if d.month >= 4 else d.year - 1


def fy_name(year: int) -> str:
    """``2025`` as ``"2025-26"``."""
    return f"{year}-{(year + 1) % 100:02d}"


def deflator(scenario: Scenario) -> DeflatorSeries | None:
    """The scenario's deflator series, or None for a cash price base.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    DeflatorSeries or None
        A user's own series (``money.deflators``) before a shipped one of the same name.
    """
    base = scenario.money.price_base
    if not isinstance(base, RealTerms):
        return None
    own = scenario.money.deflators.get(base.deflator)
    if own is not None:
        return DeflatorSeries(own.name, own.source, dict(own.index), own.forecast_growth)
    return SHIPPED[base.deflator]


def index_of(series: DeflatorSeries, year: int) -> float:
    """The series' index for financial year ``year``, projected at its forecast growth
    beyond the years it gives (and before them, backwards).

    Parameters
    ----------
    series : DeflatorSeries
    year : int
        The financial year (2025 is 2025-26).

    Returns
    -------
    float
    """
    if year in series.index:
        return series.index[year]
    first, last = min(series.index), max(series.index)
    edge = last if year > last else first
    return series.index[edge] * (1.0 + series.forecast_growth) ** (year - edge)


def deflator_ratios(scenario: Scenario, months: Sequence[dt.date]) -> np.ndarray:
    """Each month's deflator ratio: cash = real × ratio (all ones for a cash price base).

    Parameters
    ----------
    scenario : Scenario
    months : sequence of date
        The first day of each month.

    Returns
    -------
    numpy.ndarray
        ``index(financial year of the month) / index(base year)``.
    """
    series = deflator(scenario)
    if series is None:
        return np.ones(len(months))
    assert isinstance(scenario.money.price_base, RealTerms)
    base = index_of(series, scenario.money.price_base.real)
    return np.array([index_of(series, financial_year(m)) / base for m in months])


def to_price_base(monthly: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The monthly table with its money columns in the scenario's price base.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Money in cash, with a ``month`` column of month starts.
    scenario : Scenario

    Returns
    -------
    pandas.DataFrame
        The same frame (cash), or a copy with every £ column divided by its month's
        deflator ratio.
    """
    if deflator(scenario) is None:
        return monthly
    months = pd.to_datetime(monthly["month"])
    ratio = deflator_ratios(scenario, [m.date() for m in months])
    out = monthly.copy()
    for name in MONEY_COLUMNS:
        if name in out.columns:
            out[name] = out[name].to_numpy() / ratio
    return out


def price_base_label(scenario: Scenario) -> str:
    """What every money figure is in, in words: ``"£, cash"`` or ``"£, 2025-26 prices,
    GDP deflator (estimated)"``.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    str
    """
    series = deflator(scenario)
    if series is None:
        return "£, cash"
    assert isinstance(scenario.money.price_base, RealTerms)
    return f"£, {fy_name(scenario.money.price_base.real)} prices, {series.name}"
