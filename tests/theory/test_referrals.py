"""Referrals are a non-homogeneous Poisson process with the rate of docs/model.md ("Referrals").

    λ(t) = referrals_per_year / 365.25 × season[calendar month of t]
           × (1 + growth_per_year)^(t / 365.25) × Π multipliers of demand changes dated ≤ t

For a Poisson process the numbers of events in disjoint windows are independent
and Poisson with mean Λ(window) = ∫ λ(t) dt. The tests count referrals per
calendar month over many replications and compare them with Λ computed here,
independently of the package (piecewise analytic integral over calendar months
and change dates, itself cross-checked with ``scipy.integrate.quad`` with
breakpoints); the package's own ``expected_referrals`` is not used as the truth.

Statistics (fixed seeds; error rate = chance a correct implementation fails,
for a random seed):

* mean: for each month k, the total count over R replications is
  Poisson(R Λ_k); |T_k − R Λ_k| ≤ z sqrt(R Λ_k) with z = Φ⁻¹(1 − δ/(2K)),
  Bonferroni over the K months, family-wise δ = 1e-3 per scenario;
* dispersion (variance = mean): Σ_k Σ_r (N_rk − N̄_k)² / N̄_k is χ² with
  K(R − 1) degrees of freedom under Poisson counts; two-sided test at α = 1e-3;
* shape within months (time-rescaling theorem): given the counts, the points
  Λ(t_i) / Λ(H) are iid Uniform(0, 1); KS test at α = 1e-3 on the pooled points.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import integrate, stats

import workforce_sim as ws
from workforce_sim.engine.processes import demand
from workforce_sim.engine.streams import RandomStreams
from workforce_sim.scenario import Scenario

Y = 365.25
DELTA = 1e-3        # family-wise error rate of the Bonferroni z-bounds, per scenario
ALPHA = 1e-3        # level of each chi-square and KS test
SEED = 20250401


# ------------------------------------------------------------ the exact intensity


def _month_start(start: dt.date, k: int) -> dt.date:
    y, m = divmod(start.month - 1 + k, 12)
    return dt.date(start.year + y, m + 1, 1)


class Intensity:
    """λ(t) and Λ(t) = ∫_0^t λ, written from docs/model.md with no package code."""

    def __init__(self, start: dt.date, months: int, per_year: float, seasonality=None,
                 growth: float = 0.0, changes=()):
        self.start, self.months, self.growth = start, months, growth
        self.bounds = np.array([(_month_start(start, k) - start).days for k in range(months + 1)],
                               dtype=float)
        self.horizon = float(self.bounds[-1])
        season = np.ones(12) if seasonality is None else np.asarray(seasonality, dtype=float)
        assert abs(season.mean() - 1) < 1e-12                  # the tests give exact means of 1
        self.season = season
        self.base = per_year / Y
        steps = sorted(((d - start).days, m) for d, m in changes)
        self.change_days = np.array([d for d, _ in steps], dtype=float)
        self.factors = np.cumprod([1.0] + [m for _, m in steps])
        self.log_g = math.log1p(growth)
        # pieces of constant (seasonal x step) rate: month boundaries and change days
        cuts = np.unique(np.concatenate([self.bounds, self.change_days]))
        self.cuts = cuts[(cuts >= 0) & (cuts <= self.horizon)]
        left = self.cuts[:-1]
        self.level = np.array([self._level(a) for a in left])
        pieces = [self._piece(c, a, b) for c, a, b in zip(self.level, left, self.cuts[1:], strict=True)]
        self.cum = np.concatenate([[0.0], np.cumsum(pieces)])

    def _level(self, t: float) -> float:
        """The rate without growth, constant on [t, next cut)."""
        k = int(np.searchsorted(self.bounds, t, side="right")) - 1
        cal = _month_start(self.start, k).month - 1
        step = self.factors[int(np.searchsorted(self.change_days, t, side="right"))]
        return self.base * self.season[cal] * step

    def _growth_integral(self, a, b):
        """∫_a^b (1 + g)^(t / Y) dt."""
        if self.log_g == 0:
            return b - a
        L = self.log_g / Y
        return (np.exp(L * b) - np.exp(L * a)) / L

    def _piece(self, c, a, b):
        return c * self._growth_integral(a, b)

    def rate(self, t: float) -> float:
        return self._level(t) * (1 + self.growth) ** (t / Y)

    def cumulative(self, t):
        """Λ(t), vectorised."""
        t = np.asarray(t, dtype=float)
        j = np.clip(np.searchsorted(self.cuts, t, side="right") - 1, 0, self.cuts.size - 2)
        return self.cum[j] + self._piece(self.level[j], self.cuts[j], t)

    def monthly(self) -> np.ndarray:
        """Λ over each calendar month of the horizon."""
        return np.diff(self.cumulative(self.bounds))


def scenario_dict(start: dt.date, months: int, case_types: dict, teams=None) -> dict:
    return {
        "schema_version": 1,
        "name": "referral test",
        "start_date": start,
        "horizon_months": months,
        "teams": teams or {"a": {"establishment_fte": 10, "caseload_cap": 18,
                                 "staff": {"permanent": 10}}},
        "case_types": case_types,
    }


def case(per_year, seasonality=None, growth=0.0, changes=(), team="a", **extra) -> dict:
    d = {"team": team, "referrals_per_year": per_year,
         "duration_days": {"dist": "fixed", "value": 10}, **extra}
    if seasonality is not None:
        d["seasonality"] = list(seasonality)
    if growth:
        d["growth_per_year"] = growth
    if changes:
        d["demand_changes"] = [{"date": day, "multiplier": m} for day, m in changes]
    return d


SEASON = [1.5, 0.5, 1.2, 0.8, 1.0, 1.0, 1.3, 0.7, 0.9, 1.1, 1.4, 0.6]      # mean exactly 1
CHANGES = [(dt.date(2026, 1, 10), 0.5), (dt.date(2025, 6, 15), 1.6), (dt.date(2025, 11, 1), 2.0)]

# name: (start, months, per_year, seasonality, growth, changes)
SETUPS = {
    "constant": (dt.date(2025, 4, 1), 24, 1800, None, 0.0, ()),
    # starts in July; the horizon crosses the leap February of 2028
    "seasonality": (dt.date(2027, 7, 1), 24, 1800, SEASON, 0.0, ()),
    "growth": (dt.date(2025, 1, 1), 36, 1200, None, 0.25, ()),
    "decline": (dt.date(2025, 1, 1), 36, 1800, None, -0.4, ()),
    # unsorted on purpose; a change on the first of a month and mid-month ones
    "demand_changes": (dt.date(2025, 4, 1), 24, 1800, None, 0.0, CHANGES),
    # a multiplier 0 mid-month: no referrals at all after it
    "shutdown": (dt.date(2025, 4, 1), 18, 1800, None, 0.0, [(dt.date(2025, 12, 20), 0.0)]),
    "combined": (dt.date(2025, 9, 1), 30, 1500, SEASON, 0.1,
                 [(dt.date(2026, 3, 17), 1.5), (dt.date(2027, 1, 1), 0.6)]),
}


def build(name: str):
    start, months, per_year, season, growth, changes = SETUPS[name]
    s = Scenario.from_dict(scenario_dict(start, months,
                                         {"x": case(per_year, season, growth, changes)}))
    ref = Intensity(start, months, per_year, season, growth, changes)
    return s, s.case_types["x"], ref


# ------------------------------------------------------------ checks of the reference


@pytest.mark.parametrize("name", list(SETUPS))
def test_reference_integral_agrees_with_quad(name):
    """The analytic Λ per month equals scipy.integrate.quad of λ(t) with breakpoints."""
    _, _, ref = build(name)
    for k in range(ref.months):
        a, b = ref.bounds[k], ref.bounds[k + 1]
        inner = [d for d in ref.change_days if a < d < b]
        q, err = integrate.quad(ref.rate, a, b, points=inner or None, epsabs=0, epsrel=1e-12,
                                limit=200)
        assert ref.monthly()[k] == pytest.approx(q, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("name", list(SETUPS))
def test_package_rate_is_the_documented_rate(name):
    """Pointwise: the package's λ(t) at the middle of every constant piece, and just
    either side of every month boundary and change date, equals the reference."""
    s, ct, ref = build(name)
    mids = (ref.cuts[:-1] + ref.cuts[1:]) / 2
    edges = np.concatenate([ref.cuts[1:-1] - 1e-6, ref.cuts[1:-1] + 1e-6])
    t = np.concatenate([mids, edges, [0.0]])
    expected = [ref.rate(x) for x in t]
    np.testing.assert_allclose(demand.rate_per_day(ct, s, t), expected, rtol=1e-12, atol=0)
    assert demand.rate_bound(ct, s, ref.horizon) >= max(expected) * (1 - 1e-12)


@pytest.mark.parametrize("name", ["seasonality", "demand_changes", "combined"])
def test_package_expected_referrals_within_its_trapezoid_error(name):
    """``expected_referrals`` (trapezoid, 20,001 points) agrees with the exact integral
    within the trapezoid's error bound: h·max λ per discontinuity in the window
    (h = grid step), plus a negligible curvature term."""
    s, ct, ref = build(name)
    for k in range(ref.months):
        a, b = ref.bounds[k], ref.bounds[k + 1]
        h = (b - a) / 20_000
        # jumps inside the window, and at b (the grid's last point takes the next month's rate)
        jumps = sum(1 for c in ref.cuts if a < c < b) + 1
        lam_max = max(ref.rate(x) for x in [*ref.cuts[(ref.cuts >= a) & (ref.cuts <= b)], b - 1e-9])
        bound = jumps * h * lam_max + 1e-9 * ref.monthly()[k]
        assert abs(demand.expected_referrals(ct, s, a, b) - ref.monthly()[k]) <= bound


# ------------------------------------------------------------ the sampler


def monthly_counts(ct, s, ref: Intensity, replications: int, seed: int = SEED):
    """(R, K) referral counts per calendar month, and the pooled rescaled times of
    the first 60 replications; also checks each run's times are sorted and in range."""
    counts = np.empty((replications, ref.months), dtype=np.int64)
    rescaled = []
    for r in range(replications):
        t = demand.referral_times(ct, s, ref.horizon, RandomStreams(seed, r)["referrals.x"])
        assert t.ndim == 1
        assert np.all(np.diff(t) >= 0), "referral times are not sorted"
        assert t.size == 0 or (t[0] >= 0 and t[-1] < ref.horizon), "referral outside [0, horizon)"
        counts[r] = np.bincount(np.searchsorted(ref.bounds, t, side="right") - 1,
                                minlength=ref.months)[: ref.months]
        if r < 60:
            rescaled.append(ref.cumulative(t) / ref.cum[-1])
    return counts, np.concatenate(rescaled)


def assert_poisson_months(counts: np.ndarray, lam: np.ndarray, what: str = ""):
    """Bonferroni z-bounds on monthly totals and a chi-square dispersion test (see module doc)."""
    R, K = counts.shape
    zero = lam == 0
    assert np.all(counts[:, zero] == 0), f"{what}: referrals in months with zero rate"
    live = ~zero
    total, mu = counts[:, live].sum(axis=0), R * lam[live]
    z_crit = stats.norm.isf(DELTA / (2 * live.sum()))
    z = (total - mu) / np.sqrt(mu)
    worst = int(np.argmax(np.abs(z)))
    assert np.all(np.abs(z) <= z_crit), (
        f"{what}: month {np.flatnonzero(live)[worst]}: {total[worst]} referrals in {R} runs, "
        f"expected {mu[worst]:.1f} (z={z[worst]:.2f}, bound {z_crit:.2f})")

    mean = counts[:, live].mean(axis=0)
    disp = float((((counts[:, live] - mean) ** 2).sum(axis=0) / mean).sum())
    df = int(live.sum()) * (R - 1)
    lo, hi = stats.chi2.ppf(ALPHA / 2, df), stats.chi2.isf(ALPHA / 2, df)
    assert lo <= disp <= hi, (
        f"{what}: dispersion statistic {disp:.0f} outside [{lo:.0f}, {hi:.0f}] (df={df}); "
        f"variance/mean = {disp / df:.3f}")


@pytest.mark.parametrize("name", list(SETUPS))
def test_monthly_counts_are_poisson_with_the_integrated_rate(name):
    s, ct, ref = build(name)
    counts, rescaled = monthly_counts(ct, s, ref, replications=1500)
    assert_poisson_months(counts, ref.monthly(), name)
    ks = stats.kstest(rescaled, "uniform")
    assert ks.pvalue > ALPHA, f"time-rescaled points not uniform: D={ks.statistic:.4g}, p={ks.pvalue:.3g}"


def test_shutdown_leaves_nothing_after_the_change():
    s, ct, ref = build("shutdown")
    off = ref.change_days[0]
    for r in range(200):
        t = demand.referral_times(ct, s, ref.horizon, RandomStreams(SEED, r)["referrals.x"])
        assert np.all(t < off)


def test_rate_zero_gives_no_referrals():
    s = Scenario.from_dict(scenario_dict(dt.date(2025, 4, 1), 12, {"x": case(0)}))
    for r in range(20):
        t = demand.referral_times(s.case_types["x"], s, 365.0, RandomStreams(SEED, r)["referrals.x"])
        assert t.shape == (0,)


def test_zero_from_the_start_gives_no_referrals():
    s = Scenario.from_dict(scenario_dict(dt.date(2025, 4, 1), 12,
                                         {"x": case(5000, changes=[(dt.date(2025, 4, 1), 0.0)])}))
    for r in range(20):
        t = demand.referral_times(s.case_types["x"], s, 365.0, RandomStreams(SEED, r)["referrals.x"])
        assert t.shape == (0,)


def test_shorter_horizon_and_reproducibility():
    s, ct, ref = build("combined")
    a = demand.referral_times(ct, s, 100.5, RandomStreams(1, 2)["referrals.x"])
    b = demand.referral_times(ct, s, 100.5, RandomStreams(1, 2)["referrals.x"])
    np.testing.assert_array_equal(a, b)
    assert a.size > 0 and a[0] >= 0 and a[-1] < 100.5 and np.all(np.diff(a) >= 0)


# ------------------------------------------------------------ through simulate()


def test_simulated_monthly_referrals_match_theory():
    """Two case types in two teams (one seasonal with pathways out, one with a demand
    change); the monthly ``referrals`` of each team and of ``team == "all"`` from
    ``ws.simulate`` are Poisson with the integrated rate (same bounds as above), count
    only referrals (not pathway starts), and equal, run by run, the referral times
    drawn from the documented stream ``referrals.<case type>``. Three families of
    bounds (teams a, b and all), each at δ = α = 1e-3."""
    start, months = dt.date(2025, 4, 1), 24
    teams = {"a": {"establishment_fte": 12, "caseload_cap": 18, "staff": {"permanent": 12}},
             "b": {"establishment_fte": 8, "caseload_cap": 18, "staff": {"permanent": 8}}}
    change = [(dt.date(2026, 2, 14), 1.8)]
    s = Scenario.from_dict(scenario_dict(start, months, {
        "x": case(1500, SEASON, team="a", on_close={"y": 0.3}),
        "y": case(500, team="b", changes=change),
    }, teams=teams))
    ref_x = Intensity(start, months, 1500, SEASON)
    ref_y = Intensity(start, months, 500, None, 0.0, change)

    R, seed = 100, 11
    got = {team: np.empty((R, months), dtype=np.int64) for team in ("all", "a", "b")}
    for r in range(R):
        m = ws.simulate(s, seed=seed, replication=r).monthly
        for team in got:
            got[team][r] = m.loc[m["team"] == team, "referrals"].to_numpy()
        if r < 3:
            streams = RandomStreams(seed, r)
            drawn = {n: demand.referral_times(s.case_types[n], s, ref_x.horizon, streams[f"referrals.{n}"])
                     for n in ("x", "y")}
            per_month = {n: np.bincount(np.searchsorted(ref_x.bounds, t, side="right") - 1,
                                        minlength=months) for n, t in drawn.items()}
            np.testing.assert_array_equal(got["a"][r], per_month["x"])
            np.testing.assert_array_equal(got["b"][r], per_month["y"])
            np.testing.assert_array_equal(got["all"][r], per_month["x"] + per_month["y"])

    np.testing.assert_array_equal(got["all"], got["a"] + got["b"])
    assert_poisson_months(got["a"], ref_x.monthly(), "team a")
    assert_poisson_months(got["b"], ref_y.monthly(), "team b")
    assert_poisson_months(got["all"], ref_x.monthly() + ref_y.monthly(), "all")
