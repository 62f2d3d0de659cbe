"""Parameter trends against AR(1) theory (docs/model.md, "Parameter trends").

* The law of the drawn path: on the log scale, ``z_k = ℓ + φ(z_{k−1} − ℓ) + σε_k``
  from ``z_0``, so ``z_k`` is normal with mean ``ℓ + φ^k (z_0 − ℓ)`` and variance
  ``σ² (1 − φ^{2k}) / (1 − φ²)``; checked over 4,000 replications' draws.
* A closed cohort under a turnover trend with no shocks decays as
  ``exp(−∫ h·f(t) dt)``, ``f`` the trend's factor for the run year.
* The establishment's growth trend multiplies every team's establishment on each
  1 April, exactly (to the census's tenth of an FTE).
* Trends held at their start values (no shocks) change nothing.

Statistical policy as in test_workforce.py: at most δ = 10⁻³ per test function,
split by Bonferroni; fixed seeds; the theoretical values are computed here.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from scipy import stats

import workforce_sim as ws
from tests.theory.test_workforce import DELTA, DPY, SEED, START, Run, _cohort_checks, scenario
from workforce_sim.engine.streams import RandomStreams
from workforce_sim.engine.trends import Trends

TREND = {"long_run": 0.15, "persistence": 0.5, "sd": 0.3, "start": 0.3}


def test_drawn_paths_have_the_ar1_law():
    """4,000 replications' turnover paths over 5 run years, and their growth paths:
    each year's log value (or growth) against its normal mean (z-test) and its
    variance (χ² test of the sample variance). 2 trends × 5 years × 2 tests at δ/20
    each: error rate ≤ δ."""
    growth = {"long_run": 0.02, "persistence": -0.3, "sd": 0.05, "start": 0.1}
    s = scenario({"t": {"establishment_fte": 10, "caseload_cap": 18}}, 60,
                 trends={"turnover": TREND, "establishment_growth": growth})
    n, alpha = 4000, DELTA / 20
    draws = [Trends(s, RandomStreams(7, k)) for k in range(n)]
    turnover = np.log([d.turnover_factor for d in draws]) + math.log(0.3)
    grown = np.log([d.establishment_factor for d in draws])
    failures = []
    for name, values, (level, phi, sd, z0) in (
            ("turnover", turnover, (math.log(0.15), 0.5, 0.3, math.log(0.3))),
            ("growth", grown, (0.02, -0.3, 0.05, 0.1))):
        for k in range(1, values.shape[1] + 1):
            x = values[:, k - 1]
            mean = level + phi**k * (z0 - level)
            var = sd**2 * (1 - phi ** (2 * k)) / (1 - phi**2)
            z = (x.mean() - mean) / math.sqrt(var / n)
            if 2 * stats.norm.sf(abs(z)) < alpha:
                failures.append(f"{name} year {k}: mean {x.mean():.5f} vs {mean:.5f} (z = {z:.2f})")
            chi2 = (n - 1) * x.var(ddof=1) / var
            p = 2 * min(stats.chi2.cdf(chi2, n - 1), stats.chi2.sf(chi2, n - 1))
            if p < alpha:
                failures.append(f"{name} year {k}: variance {x.var(ddof=1):.6f} vs {var:.6f}")
    assert not failures, "\n".join(failures)


def _year_days(years: int) -> list[float]:
    return [float((dt.date(START.year + k, START.month, 1) - START).days) for k in range(1, years)]


def test_closed_cohort_follows_the_turnover_trend():
    """200 permanent workers, hazard h = 0.2 a year, no recruitment; a turnover
    trend from 0.2 toward 0.5 with persistence 0.4 and no shocks: year k's factor
    is exp(ℓ + 0.4^k (z₀ − ℓ)) / 0.2 on the log scale, so the headcount is
    Binomial(N₀, exp(−Λ(t))) with Λ piecewise linear, and the leaving times follow
    it (KS); 20 replications, 7 comparisons at δ/7 each: error rate ≤ δ."""
    n0, h, reps = 200, 0.2, 20
    s = scenario({"t": {"establishment_fte": 0, "caseload_cap": 18, "staff": {"permanent": n0}}},
                 60, workforce={"permanent": {"annual_turnover": h}},
                 trends={"turnover": {"long_run": 0.5, "persistence": 0.4}})
    level, z0 = math.log(0.5), math.log(h)
    rates = [math.exp(level + 0.4**k * (z0 - level)) for k in range(1, 6)]
    edges = [0.0, *_year_days(5)]

    def cum_hazard(t):
        t = np.asarray(t, float)
        total = np.zeros_like(t)
        for lo, hi, r in zip(edges, [*edges[1:], math.inf], rates, strict=True):
            total += r * np.clip(np.minimum(t, hi) - lo, 0, None) / DPY
        return total

    runs = [Run(s, k) for k in range(reps)]
    failures = _cohort_checks(runs, "t", n0, cum_hazard, DELTA / 7)
    assert not failures, "\n".join(failures)


def test_establishment_grows_on_each_first_of_april():
    """Growth 0.1 a year on the log scale, no shocks: each team's establishment is
    multiplied by e^0.1 on 1 April (rounded to a tenth), and nowhere else."""
    s = scenario({"a": {"establishment_fte": 12.5, "caseload_cap": 18},
                  "b": {"establishment_fte": 3, "caseload_cap": 18}}, 30,
                 trends={"establishment_growth": {"long_run": 0.1, "persistence": 0}})
    run = Run(s, 0)
    for team, e0 in (("a", 12.5), ("b", 3.0)):
        got = run.column("establishment_fte", team)
        expected, e = [], e0
        for m in range(30):                       # month m ends on the last day of month m + 1
            if (START.month - 1 + m) % 12 == 3:   # April: the month the growth falls in
                e = round(e * math.exp(0.1), 1)
            expected.append(e)
        assert got.tolist() == expected, team


def test_trends_held_at_their_start_change_nothing():
    """The shipped baseline with every trend at its start value and no shocks gives
    the monthly table of the baseline without trends: identical for recruitment
    success, agency cover and no growth; turnover to floating-point rounding (its
    year boundaries split the hazard's integral)."""
    base = ws.load_scenario().with_changes({"horizon_months": 24})
    p = base.workforce
    same = {"recruitment_success": base.recruitment.success_probability,
            "agency_cover": p.agency.cover_fraction}
    changes = {f"trends.{k}": {"long_run": v, "persistence": 0.5} for k, v in same.items()}
    changes["trends.establishment_growth"] = {"long_run": 0.0, "persistence": 0.0}
    a = ws.run(base, replications=1, seed=3).monthly
    b = ws.run(base.with_changes(changes), replications=1, seed=3).monthly
    pd.testing.assert_frame_equal(a, b)
    c = ws.run(base.with_changes({"trends.turnover": {
        "long_run": p.permanent.annual_turnover, "persistence": 0.2}}), replications=1,
        seed=3).monthly
    pd.testing.assert_frame_equal(a, c, check_exact=False, rtol=1e-9)


def test_referrals_follow_the_demand_trend():
    """A demand trend from 1 toward 0.6 with persistence 0.5 and no shocks: run year
    k's referrals are Poisson with mean 400 × exp(ℓ + 0.5^k (0 − ℓ)), ℓ = log 0.6;
    counts per run year pooled over 50 replications, a two-sided Poisson test for
    each of 3 years at δ/3: error rate ≤ δ."""
    from workforce_sim.engine.processes import demand
    s = scenario({"t": {"establishment_fte": 0, "caseload_cap": 18}}, 36,
                 case_types={"c": {"team": "t", "referrals_per_year": 400,
                                   "duration_days": {"dist": "fixed", "value": 10}}},
                 trends={"demand": {"long_run": 0.6, "persistence": 0.5}})
    ct, reps = s.case_types["c"], 50
    edges = [0.0, *_year_days(3), float((dt.date(START.year + 3, 1, 1) - START).days)]
    counts = np.zeros(3)
    for k in range(reps):
        tr = Trends(s, RandomStreams(SEED, k))
        days = demand.referral_times(ct, s, edges[-1], np.random.default_rng([SEED, k]),
                                     (tr.boundaries, tr.demand_factor))
        counts += np.histogram(days, bins=edges)[0]
    level = math.log(0.6)
    failures = []
    for year in range(3):
        width = (edges[year + 1] - edges[year]) / DPY
        mean = reps * 400 * width * math.exp(level + 0.5 ** (year + 1) * (0 - level))
        p = 2 * min(stats.poisson.cdf(counts[year], mean), stats.poisson.sf(counts[year] - 1, mean))
        if p < DELTA / 3:
            failures.append(f"year {year + 1}: {counts[year]:.0f} referrals vs mean {mean:.1f}")
    assert not failures, "\n".join(failures)
