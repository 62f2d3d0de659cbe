"""Parameter trends: each replication draws the yearly path of the parameters
the scenario lets move (``[trends]``), before anything runs.

Run year ``k`` (``k = 1, 2, ...``) is months ``12(k−1)`` to ``12k`` of the run,
so with a census on 30 September and a start on 1 October, year ``k`` is the
DfE's census year ``k`` after the origin. A trend's value for year ``k`` is an
AR(1) step from year ``k−1`` on the log scale (the value itself for the
establishment's growth), from ``x_0 = start``;
the shocks come from the trend's own stream (``trends.<name>``), so two
scenarios with the same trend draw the same shocks (common random numbers) and
a scenario without trends draws nothing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from workforce_sim.scenario.calendar import add_months, day_of

if TYPE_CHECKING:
    from workforce_sim.engine.streams import RandomStreams
    from workforce_sim.scenario.schema import GrowthTrend, Scenario, Trend


def _identity(x: float) -> float:
    return x


def _log(x: float) -> float:
    return math.log(x)


def _aprils(scenario: Scenario, years: int) -> list[dt.date]:
    """The first 1 April in each run year that has one before the horizon."""
    out = []
    for k in range(years):
        begin = add_months(scenario.start_date, 12 * k)
        april = dt.date(begin.year if begin.month <= 4 else begin.year + 1, 4, 1)
        if april < min(add_months(begin, 12), scenario.end_date):
            out.append(april)
    return out


def ar1_path(start: float, long_run: float, persistence: float, sd: float, shocks: list[float],
             scale: Callable[[float], float] = _identity,
             back: Callable[[float], float] = _identity) -> list[float]:
    """The values ``x_1 … x_n`` of an AR(1) on ``scale(x)`` from ``x_0 = start``.

    Parameters
    ----------
    start, long_run : float
        ``x_0`` and the long-run level ``L``.
    persistence, sd : float
        ``scale(x_k) = scale(L) + persistence·(scale(x_{k−1}) − scale(L)) + sd·ε_k``.
    shocks : list of float
        ``ε_1 … ε_n``.
    scale, back : callable
        The scale and its inverse.

    Returns
    -------
    list of float
    """
    level, z, path = scale(long_run), scale(start), []
    for e in shocks:
        z = level + persistence * (z - level) + sd * e
        path.append(back(z))
    return path


class Trends:
    """The yearly values of one replication's trends (``None`` where the scenario has none).

    Parameters
    ----------
    scenario : Scenario
    streams : RandomStreams
        The replication's streams (``trends.turnover``, ``trends.recruitment_success``,
        ``trends.agency_cover``, ``trends.establishment_growth``, ``trends.demand``).
    """

    def __init__(self, scenario: Scenario, streams: RandomStreams):
        t = scenario.trends
        years = math.ceil(scenario.horizon_months / 12)
        self.boundaries = [day_of(scenario.start_date, add_months(scenario.start_date, 12 * k))
                           for k in range(1, years)]
        """Days on which run year 2, 3, ... begins."""

        def draw(name: str, trend: Trend | None, default: float,
                 scale: Callable[[float], float], back: Callable[[float], float]) -> list[float] | None:
            if trend is None:
                return None
            shocks = streams[f"trends.{name}"].standard_normal(years).tolist()
            start = default if trend.start is None else trend.start
            return ar1_path(start, trend.long_run, trend.persistence, trend.sd, shocks, scale, back)

        p = scenario.workforce.permanent
        turnover = draw("turnover", t.turnover, p.annual_turnover, _log, math.exp)
        base = p.annual_turnover if t.turnover is None or t.turnover.start is None else t.turnover.start
        self.turnover_factor = None if turnover is None else [x / base for x in turnover]
        """Factor on every employee's leaving hazard, by run year (0-based)."""
        self.recruitment_success = draw("recruitment_success", t.recruitment_success,
                                        scenario.recruitment.success_probability, _log, math.exp)
        self.agency_cover = draw("agency_cover", t.agency_cover,
                                 scenario.workforce.agency.cover_fraction, _log, math.exp)
        demand = draw("demand", t.demand, 1.0, _log, math.exp)
        self.demand_factor = (None if demand is None or t.demand is None else
                              [x / (t.demand.start or 1.0) for x in demand])
        """Factor on every referral rate, by run year (0-based)."""
        self.budget_days = [day_of(scenario.start_date, d) for d in _aprils(scenario, years)]
        """The 1 April in each run year, when a budget sets the year's posts."""
        self.establishment_factor = self._growth(t.establishment_growth, streams, years)
        """Factor on every establishment on each of :attr:`budget_days` (``None``: no trend)."""

    def _growth(self, g: GrowthTrend | None, streams: RandomStreams,
                years: int) -> list[float] | None:
        if g is None:
            return None
        shocks = streams["trends.establishment_growth"].standard_normal(years).tolist()
        start = g.long_run if g.start is None else g.start
        growth = ar1_path(start, g.long_run, g.persistence, g.sd, shocks)
        return [math.exp(x) for x in growth[:len(self.budget_days)]]

    def year(self, day: float) -> int:
        """The run year (0-based) that ``day`` falls in."""
        return bisect.bisect_right(self.boundaries, day)

    def at(self, values: list[float] | None, day: float, default: float) -> float:
        """A trend's value for the run year of ``day``, or ``default`` without one."""
        return values[self.year(day)] if values else default
