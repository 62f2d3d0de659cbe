"""Demand: referrals, the cases open at the start, and case pathways.

Referrals of each case type form a non-homogeneous Poisson process with rate

    λ(t) = referrals_per_year / 365.25 × season[calendar month of t]
           × (1 + growth_per_year) ^ (t / 365.25) × Π multipliers of demand changes before t
           × the demand trend's factor for the run year (``[trends.demand]``; 1 without one)

sampled exactly by thinning (Lewis and Shedler, 1979): candidates at the
constant rate λ_max ≥ λ(t) over the horizon, each kept with probability
λ(t) / λ_max. All referral times of a run are drawn up front, vectorised, from
the case type's own stream, and handed to the kernel (:func:`schedule_referrals`),
which keeps them beside its event heap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from workforce_sim.scenario.calendar import DAYS_PER_YEAR, day_of, month_end_days

if TYPE_CHECKING:
    from workforce_sim.engine.context import Context
    from workforce_sim.engine.state.cases import CaseKind
    from workforce_sim.scenario.schema import CaseType, Scenario


#: A demand trend's factor by run year: (days run years 2, 3, ... begin, factors).
YearFactors = tuple[list[float], list[float]]


def rate_per_day(ct: CaseType, scenario: Scenario, t: np.ndarray,
                 trend: YearFactors | None = None) -> np.ndarray:
    """The referral rate λ(t), per day, at day offsets ``t`` (× the demand trend's factor)."""
    t = np.asarray(t, dtype=float)
    lam = np.full(t.shape, ct.referrals_per_year / DAYS_PER_YEAR)
    if ct.seasonality is not None:
        ends = np.array(month_end_days(scenario.start_date, scenario.horizon_months + 1))
        k = np.searchsorted(ends, t, side="right")               # reporting month index
        cal = (scenario.start_date.month - 1 + k) % 12           # 0 = January
        lam = lam * np.asarray(ct.seasonality)[cal]
    if ct.growth_per_year:
        lam = lam * (1.0 + ct.growth_per_year) ** (t / DAYS_PER_YEAR)
    if ct.demand_changes:
        days, factors = _steps(ct, scenario)
        lam = lam * factors[np.searchsorted(days, t, side="right")]
    if trend is not None:
        boundaries, by_year = trend
        lam = lam * np.asarray(by_year)[np.searchsorted(boundaries, t, side="right")]
    return lam


def _steps(ct: CaseType, scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Change days (sorted) and the cumulative multiplier in force after each."""
    changes = sorted(ct.demand_changes, key=lambda c: c.date)
    days = np.array([day_of(scenario.start_date, c.date) for c in changes])
    factors = np.cumprod([1.0] + [c.multiplier for c in changes])
    return days, factors


def rate_bound(ct: CaseType, scenario: Scenario, horizon_days: float,
               trend: YearFactors | None = None) -> float:
    """A constant λ_max ≥ λ(t) on [0, horizon_days]."""
    lam = ct.referrals_per_year / DAYS_PER_YEAR
    if ct.seasonality is not None:
        lam *= max(ct.seasonality)
    if ct.growth_per_year:
        lam *= max(1.0, (1.0 + ct.growth_per_year) ** (horizon_days / DAYS_PER_YEAR))
    if ct.demand_changes:
        lam *= float(_steps(ct, scenario)[1].max())
    if trend is not None:
        lam *= max(trend[1])
    return lam


def referral_times(ct: CaseType, scenario: Scenario, horizon_days: float,
                   rng: np.random.Generator, trend: YearFactors | None = None) -> np.ndarray:
    """All referral days of one case type in [0, horizon_days), sorted."""
    lam_max = rate_bound(ct, scenario, horizon_days, trend)
    if lam_max <= 0:
        return np.empty(0)
    n = rng.poisson(lam_max * horizon_days)
    t = np.sort(rng.random(n) * horizon_days)
    keep = rng.random(n) * lam_max < rate_per_day(ct, scenario, t, trend)
    return t[keep]


def schedule_referrals(ctx: Context, kinds: dict[str, CaseKind]) -> None:
    """Draw every referral of the run and hand them to the kernel in time order.

    Parameters
    ----------
    ctx : Context
        The replication's context (stream ``referrals.<case type>`` for each type).
    kinds : dict of str to CaseKind
        The compiled case types, by name, in scenario order.
    """
    scenario = ctx.scenario
    factors = ctx.trends.demand_factor
    trend = None if factors is None else (ctx.trends.boundaries, factors)
    days, labels = [], []
    for name, ct in scenario.case_types.items():
        times = referral_times(ct, scenario, ctx.horizon_days, ctx.streams[f"referrals.{name}"],
                               trend)
        days.append(times)
        labels += [kinds[name]] * times.size
    merged = np.concatenate(days) if days else np.empty(0)
    order = np.argsort(merged, kind="stable")
    ctx.env.set_arrivals(merged[order].tolist(), [labels[i] for i in order.tolist()])


def expected_referrals(ct: CaseType, scenario: Scenario, a: float, b: float,
                       points: int = 20_001) -> float:
    """∫ λ(t) dt over [a, b] (trapezoid on a fine grid; for checks and tests)."""
    t = np.linspace(a, b, points)
    return float(np.trapezoid(rate_per_day(ct, scenario, t), t))
