"""The case-flow model against queueing theory (docs/model.md, "Processes" and the verification table).

* M/G/∞ (caseloads uncapped): the number of open cases is Poisson with mean
  λ·E[D] in steady state, for any duration law; from an empty start it is
  Poisson with mean λ·E[min(D, t)] at time t; started with λ·E[D] cases whose
  remaining durations are equilibrium residual lives, its mean stays flat.
* M/M/c (one team, c = workers × caseload slots): Erlang C waiting
  probability, mean queue Lq and mean wait Wq.
* Little's law: exactly, on every run, between the recorder's waiting
  case-days and the case log; and statistically, L = λW, in steady state.
* The stock-flow identity of open cases, exactly, month by month.

Statistical policy. Every statistical assertion is a two-sided bound at a
stated error rate (at most δ = 10⁻³ per test, split by Bonferroni when a test
makes several comparisons), built from a standard error that is either known
exactly from the theory (Poisson counts) or estimated across independent
replications (Student t). Seeds are fixed, so each test is deterministic; the
error rate is the chance that a correct model would fail the test for a
seed chosen at random. The closed forms live in :mod:`.queueing_theory` and are
computed from the scenario's parameters, never from the package's own
distribution classes.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import workforce_sim as ws
from workforce_sim.engine import Model
from workforce_sim.engine.recording.recorder import COLUMNS

from . import queueing_theory as qt

DELTA = 1e-3                      # error rate of each statistical test
SEED = 20250101
START = dt.date(2025, 1, 1)

# Everything that could move staff is switched off, so the case flow sees a fixed
# number of slots (these levers are part of the schema whether or not the engine
# models them yet).
STATIC_WORKFORCE = {
    "permanent": {"annual_turnover": 0.0, "pressure_elasticity": 0.0},
    "agency": {"cover_fraction": 0.0, "early_exit_annual_rate": 0.0,
               "conversion_annual_rate": 0.0},
}


def one_team(*, lam: float, duration: dict, months: int, workers: int = 1, cap: float = 1e6,
             fte: float = 1.0, absence: float = 0.0, initial_open: int = 0,
             name: str = "theory") -> ws.Scenario:
    """One team, one case type, Poisson referrals at ``lam`` a day."""
    return ws.Scenario.from_dict({
        "schema_version": 1,
        "name": name,
        "start_date": START.isoformat(),
        "horizon_months": months,
        "teams": {"t": {"establishment_fte": workers * fte, "caseload_cap": cap,
                        "staff": {"permanent": [{"count": workers, "fte": fte}]}}},
        "case_types": {"c": {"team": "t", "referrals_per_year": qt.DAYS_PER_YEAR * lam,
                             "duration_days": duration, "initial_open": initial_open}},
        "workforce": STATIC_WORKFORCE,
        "absence": {"rate": absence},
    })


def team_matrix(monthly: pd.DataFrame, column: str, team: str = "t") -> np.ndarray:
    """(replications, months) array of one column of ``run(...).monthly``."""
    rows = monthly[monthly["team"] == team]
    return rows.pivot(index="replication", columns="month", values=column).to_numpy(float)


# =========================================================================== M/G/∞

LOGNORMAL = {"dist": "lognormal", "median": 30, "p90": 90}     # E[D] = 43.3 d, heavy tail


@pytest.mark.slow        # about 9 s
def test_mginf_from_empty_is_poisson_lambda_ED_after_warmup():
    """M/G/∞ from an empty start, lognormal durations (median 30 d, p90 90 d).

    Theory (Takács; Kleinrock vol. 1 §3.9): with Poisson(λ) referrals and no
    cap, the open cases N(t) at time t are *exactly* Poisson with mean
    m(t) = λ·E[min(D, t)] = λ ∫_0^t S(u) du, rising to λ·E[D] (= 43.3 here).

    Check 1 (the mean, error rate δ/2): the sum of N(t) over R independent
    replications is exactly Poisson(R·m(t)); at each of the 24 month ends it
    must lie in the central Poisson interval of mass 1 - δ/(2·24) (Bonferroni).
    After a one-year warm-up, the same bound read against λ·E[D]: |mean -
    λE[D]| <= z·sqrt(m/R) + λ·E[(D - t)+], the last term being the exact
    distance still to go (at most 0.21 here, shrinking to 0.02).

    Check 2 (Poisson dispersion, error rate δ/2): at each month end the
    sample variance over the replications divided by m(t) lies in the
    acceptance interval of Fisher's index-of-dispersion test, with the exact
    Poisson moments (``qt.dispersion_interval``), Bonferroni over 24 months.

    Also exact: nobody waits (no unallocated cases, no waiting case-days).
    """
    lam, months, reps = 1.0, 24, 500
    res = ws.run(one_team(lam=lam, duration=LOGNORMAL, months=months), reps, seed=SEED,
                 workers=1, progress=False)
    assert (team_matrix(res.monthly, "unallocated_cases") == 0).all()
    assert (team_matrix(res.monthly, "waiting_case_days") == 0).all()

    n = team_matrix(res.monthly, "open_cases")
    ends = qt.month_end_days(START, months)
    m = lam * np.array([qt.expected_min(LOGNORMAL, t) for t in ends])
    d = DELTA / 2 / months

    total = n.sum(axis=0)
    lo, hi = stats.poisson.ppf(d / 2, reps * m), stats.poisson.ppf(1 - d / 2, reps * m)
    bad = (total < lo) | (total > hi)
    assert not bad.any(), (f"mean open cases off the M/G/∞ transient at month ends {ends[bad]}: "
                           f"{(total / reps)[bad]} vs {m[bad]}")

    ed = qt.dist_mean(LOGNORMAL)
    warm = ends >= 365
    allowed = qt.z_bound(d) * np.sqrt(m / reps) + lam * (ed - m / lam)
    off = np.abs(n.mean(axis=0) - lam * ed)
    assert (off[warm] <= allowed[warm]).all(), (
        f"after warm-up, mean open cases {n.mean(axis=0)[warm]} vs λE[D] = {lam * ed:.3f} "
        f"(allowed ±{allowed[warm]})")

    ratio = n.var(axis=0, ddof=1) / m
    for k in range(months):
        a, b = qt.dispersion_interval(reps, d, m[k])
        assert a <= ratio[k] <= b, (f"month {k + 1}: variance/mean of open cases {ratio[k]:.3f} "
                                    f"outside the Poisson interval [{a:.3f}, {b:.3f}]")


EQUILIBRIUM_DURATIONS = {
    "lognormal": LOGNORMAL,
    "fixed": {"dist": "fixed", "value": 120},
    "triangular": {"dist": "triangular", "min": 30, "mode": 60, "max": 240},
    "gamma": {"dist": "gamma", "mean": 60, "sd": 20},
    "exponential": {"dist": "exponential", "mean": 45},
    # CIN episode lengths of the shipped baseline (mean 270 d)
    "empirical": {"dist": "empirical", "bins": [[0, 91, 0.383], [91, 182, 0.165],
                                                [182, 365, 0.190], [365, 730, 0.168],
                                                [730, 1095, 0.095]]},
}


@pytest.mark.parametrize("kind", list(EQUILIBRIUM_DURATIONS))
def test_mginf_equilibrium_start_stays_flat(kind):
    """M/G/∞ started at equilibrium stays flat in expectation (docs/model.md,
    "Initial state"), for non-exponential durations too.

    Start with n0 = 60 open cases and λ = n0 / E[D], so n0 = λE[D]. If the
    initial cases' remaining durations are equilibrium residual lives (density
    S(x)/E[D], cdf F_e), then at time t

        N(t) = Binomial(n0, 1 - F_e(t)) + Poisson(λ E[min(D, t)])

    and, since λE[min(D, t)] = λE[D]·F_e(t), E N(t) = n0 exactly, with
    Var N(t) = n0 (1 - p²), p = 1 - F_e(t). Any other law for the remaining
    durations makes the mean drift (drawing them from D itself would give
    ≈ 75 instead of 60 at the first month end with the fixed 120-day duration).

    Bound: the mean over R independent replications at each of the 12 month
    ends (month 1 included) is within z·sqrt(n0(1-p²)/R) of n0, z two-sided at
    δ/12 (Bonferroni): error rate δ per distribution.
    """
    spec = EQUILIBRIUM_DURATIONS[kind]
    n0, months, reps = 60, 12, 300
    lam = n0 / qt.dist_mean(spec)
    res = ws.run(one_team(lam=lam, duration=spec, months=months, initial_open=n0), reps,
                 seed=SEED, workers=1, progress=False)
    n = team_matrix(res.monthly, "open_cases")
    ends = qt.month_end_days(START, months)
    p = np.array([1.0 - qt.residual_cdf(spec, t) for t in ends])
    half = qt.z_bound(DELTA / months) * np.sqrt(n0 * (1 - p**2) / reps)
    mean = n.mean(axis=0)
    bad = np.abs(mean - n0) > half
    assert not bad.any(), (f"{kind}: mean open cases {mean[bad]} at days {ends[bad]} drift from "
                           f"the equilibrium {n0} (allowed ±{half[bad]})")


@pytest.mark.parametrize("kind", list(EQUILIBRIUM_DURATIONS))
def test_initial_remaining_durations_are_equilibrium_residual_lives(kind):
    """The remaining durations of the cases open at the start follow the
    equilibrium residual-life law F_e(t) = ∫_0^t S(u) du / E[D] (Cox 1962).

    One replication with n = 20,000 initial cases, no referrals and no cap:
    every case is allocated at day 0 and closes at its residual life (those
    still open at the horizon are censored, which only hides F_n beyond it).
    Dvoretzky–Kiefer–Wolfowitz–Massart: P(sup_t |F_n(t) - F_e(t)| > ε) <=
    2 exp(-2 n ε²) = δ for ε = 0.0138; checked on a grid of 400 days below the
    horizon (a sup over fewer points can only be smaller): error rate <= δ.
    """
    spec = EQUILIBRIUM_DURATIONS[kind]
    n0, months = 20_000, 36
    r = ws.simulate(one_team(lam=0.0, duration=spec, months=months, initial_open=n0),
                    seed=SEED, case_log=True)
    c = r.cases
    assert len(c) == n0 and (c["allocated_day"] == 0).all()
    ended = c["ended_day"].to_numpy()
    horizon = qt.month_end_days(START, months)[-1]
    grid = np.linspace(0, horizon, 402)[1:-1]
    f_n = np.array([(ended <= t).mean() for t in grid])     # NaN (still open) compares False
    f_e = np.array([qt.residual_cdf(spec, t) for t in grid])
    gap = np.abs(f_n - f_e)
    eps = qt.dkw_epsilon(n0, DELTA)
    assert gap.max() <= eps, (f"{kind}: sup |F_n - F_e| = {gap.max():.4f} at day "
                              f"{grid[gap.argmax()]:.0f} > {eps:.4f}")


# =========================================================================== M/M/c


@dataclass(frozen=True)
class MMcCase:
    """One team of ``workers`` identical workers, unit case weights, exponential
    durations with mean ``es``; each worker holds floor(cap·fte·(1-absence))
    cases, so the team is an M/M/c FCFS queue."""

    id: str
    workers: int
    cap: float
    fte: float
    absence: float
    es: float
    rho: float
    months: int
    reps: int
    seed: int = SEED

    @property
    def c(self) -> int:
        return self.workers * math.floor(self.cap * self.fte * (1 - self.absence) + 1e-9)

    @property
    def theory(self) -> qt.MMc:
        return qt.MMc(self.c, self.rho * self.c / self.es, self.es)

    def scenario(self, initial_open: int) -> ws.Scenario:
        return one_team(lam=self.theory.lam, duration={"dist": "exponential", "mean": self.es},
                        months=self.months, workers=self.workers, cap=self.cap, fte=self.fte,
                        absence=self.absence, initial_open=initial_open, name=self.id)


MMC_BASE = MMcCase("c20_rho085", workers=5, cap=4, fte=1.0, absence=0.0, es=10.0, rho=0.85,
                   months=60, reps=120)
MMC_CASES = [
    MMC_BASE,
    pytest.param(MMcCase("c20_rho085_many", workers=5, cap=4, fte=1.0, absence=0.0, es=10.0,
                         rho=0.85, months=60, reps=800, seed=SEED + 1), marks=pytest.mark.slow),
    # capacity = cap × FTE × (1 - absence) = 11 × 0.5 × 0.8 = 4.4: four unit cases each
    pytest.param(MMcCase("c20_part_time_absence", workers=5, cap=11, fte=0.5, absence=0.2,
                         es=10.0, rho=0.85, months=60, reps=200, seed=SEED + 2),
                 marks=pytest.mark.slow),
    pytest.param(MMcCase("c200_rho095", workers=10, cap=20, fte=1.0, absence=0.0, es=10.0,
                         rho=0.95, months=60, reps=60, seed=SEED + 3), marks=pytest.mark.slow),
]
# Arrivals closer than this to the horizon are left out of the per-case
# estimators, so that their waits and durations are observed (P(S > 24 E[S]) = e^-24).
MARGIN_MEANS = 25


@functools.cache
def mmc_replications(case: MMcCase) -> dict[str, np.ndarray]:
    """Per-replication estimates for an M/M/c case, started in steady state.

    Replication k starts with N0 ~ π (the exact stationary law of the number in
    the system, drawn from a generator seeded by (case.seed, k)) open cases; the
    model allocates min(N0, c) of them and queues the rest, and their remaining
    durations, residual lives of an exponential, are again exponential. So the
    state at day 0 is exactly stationary, and so is the whole run: no warm-up,
    and each time average below is an unbiased estimate of its steady-state value.
    """
    q = case.theory
    horizon = qt.month_end_days(START, case.months)[-1]
    window = horizon - MARGIN_MEANS * case.es
    out: dict[str, list] = {k: [] for k in (
        "lq_time", "p_wait", "wq", "ctl_lam", "ctl_s", "snap_unalloc", "snap_alloc", "snap_open")}
    for k in range(case.reps):
        n0 = q.sample_stationary(np.random.default_rng([case.seed, k]))
        r = ws.simulate(case.scenario(n0), seed=case.seed, replication=k, case_log=True)
        mo = r.monthly[r.monthly["team"] == "t"]
        spells = r.cases
        # the M/M/c assumptions: a fixed team (no leavers, joiners or agency cover)
        assert (mo["permanent_fte"] == case.workers * case.fte).all()
        assert (mo["agency_fte"] == 0).all() and (spells["end"] != "handover").all()
        # one row per case: a manager's move splits a case into spells (it changes who
        # holds a slot, not how many are busy), so a case is its first spell's queueing
        # and allocation and its last spell's end
        by_case = spells.groupby("case_id", sort=True)
        first, last = by_case.nth(0).set_index("case_id"), by_case.nth(-1).set_index("case_id")
        cs = first[["queued_day", "allocated_day"]].assign(
            ended_day=last["ended_day"], end=last["end"]).reset_index()
        arrivals = cs[(cs["case_id"] > n0) & (cs["queued_day"] < window)]
        wait = (arrivals["allocated_day"] - arrivals["queued_day"]).to_numpy()
        assert not np.isnan(wait).any(), "an arrival waited more than the margin"
        done = arrivals[arrivals["end"] == "closed"]
        out["lq_time"].append(mo["waiting_case_days"].sum() / horizon)
        out["p_wait"].append((wait > 0).mean())
        out["wq"].append(wait.mean())
        out["ctl_lam"].append(len(arrivals) / window - q.lam)
        out["ctl_s"].append((done["ended_day"] - done["allocated_day"]).mean() - q.es)
        out["snap_unalloc"].append(mo["unallocated_cases"].mean())
        out["snap_alloc"].append(mo["allocated_cases"].mean())
        out["snap_open"].append(mo["open_cases"].mean())
    return {k: np.asarray(v) for k, v in out.items()}


@pytest.mark.parametrize("case", MMC_CASES, ids=lambda c: c.id)
def test_mmc_erlang_c_queue_and_wait(case: MMcCase):
    """A capped team is an M/M/c queue: Erlang C, Lq and Wq.

    Theory (Erlang 1917; Kleinrock vol. 1 §3.5), a = λE[S], ρ = a/c:
    P(wait > 0) = C(c, a) (PASTA: an arrival sees the stationary law),
    Lq = C ρ/(1-ρ), Wq = Lq/λ. For c = 20, ρ = 0.85: C = 0.3851,
    Lq = 2.182 cases, Wq = 1.284 days.

    Estimates per replication (a 5-year run started exactly in steady state,
    see ``mmc_replications``): Lq = Σ waiting_case_days / elapsed days (the
    recorder's exact time integral); P(wait > 0) and Wq over the arrivals of
    the run (case log) that arrive more than 25 E[S] before the horizon. The
    last two are ratio estimators, biased by O(1/n) with n ≈ 3,000 arrivals a
    run: about 10⁻⁴ of their value, two orders below the bound.

    Bound: replications are independent, so each quantity's mean is compared
    with theory by a control-variate t-interval (Lavenberg & Welch 1981) with
    R-1-2 degrees of freedom. The controls are the run's arrival rate and mean
    case duration (over the same arrivals), whose expectations λ and E[S] are
    known (the duration mean leaves out the rare arrivals still open at the
    horizon: a bias below e^-20); they cut the standard errors by up to a
    factor 2.5. A control only helps if its known mean is right: a model with
    the wrong arrival rate or durations would be "corrected" by it, so the two
    controls are themselves tested first (mean deviation zero, t-bound with
    R-1 df). Five comparisons at δ/5 each (Bonferroni): error rate δ.
    """
    q = case.theory
    assert case.c == q.c
    reps = mmc_replications(case)
    failures = []
    for name, x in (("arrival rate - λ", reps["ctl_lam"]), ("mean duration - E[S]", reps["ctl_s"])):
        mean, se = qt.mean_se(x)
        half = qt.t_bound(DELTA / 5, x.size - 1) * se
        if abs(mean) > half:
            failures.append(f"control {name}: {mean:.4f} (allowed ±{half:.4f})")
    controls = np.column_stack([reps["ctl_lam"], reps["ctl_s"]])
    for name, target in (("p_wait", q.p_wait), ("lq_time", q.lq), ("wq", q.wq)):
        est, se, df = qt.control_variate_mean(reps[name], controls)
        half = qt.t_bound(DELTA / 5, df) * se
        if abs(est - target) > half:
            failures.append(f"{name}: {est:.4f} vs theory {target:.4f} (allowed ±{half:.4f}, "
                            f"z = {(est - target) / se:.2f})")
    assert not failures, f"{case.id} (c={q.c}, a={q.a:.2f}): " + "; ".join(failures)


def test_littles_law_in_steady_state():
    """Little's law L = λW in steady state (the M/M/c runs of the test above).

    Month-end snapshots (a different measurement from the waiting case-days and
    from the case log) are, in a stationary run, unbiased for the mean number
    waiting, in service and open. Little's law gives, per replication, three
    differences with mean zero (up to an O(1/n) ratio bias of about 10⁻⁴):

    * unallocated_cases − λ·Ŵq         (queue:   Lq = λ Wq)
    * allocated_cases   − λ·E[S]       (servers: E[busy] = λ E[S] = a)
    * open_cases        − λ·(Ŵq + E[S]) (system:  L = λ W)

    with Ŵq the run's mean wait from the case log. Each mean over the R
    independent replications is t-bounded at δ/3 (R-1 df): error rate δ.
    """
    case = MMC_BASE
    q = case.theory
    reps = mmc_replications(case)
    diffs = {
        "Lq = λWq": reps["snap_unalloc"] - q.lam * reps["wq"],
        "busy = λE[S]": reps["snap_alloc"] - q.lam * q.es,
        "L = λW": reps["snap_open"] - q.lam * (reps["wq"] + q.es),
    }
    t = qt.t_bound(DELTA / 3, case.reps - 1)
    failures = []
    for name, x in diffs.items():
        mean, se = qt.mean_se(x)
        if abs(mean) > t * se:
            failures.append(f"{name}: mean difference {mean:.4f} (allowed ±{t * se:.4f})")
    assert not failures, "; ".join(failures)


# ====================================================== exact identities, every run

# Two teams near and above saturation: priorities, weights, pathways within and
# across teams, part-time, NQSW and agency staff, absence, every duration law,
# seasonality, growth and a demand step.
MIXED = {
    "schema_version": 1,
    "name": "mixed",
    "start_date": START.isoformat(),
    "horizon_months": 24,
    "teams": {
        "a": {"establishment_fte": 6, "caseload_cap": 5,
              "staff": {"permanent": [{"count": 3}, {"count": 2, "fte": 0.5}],
                        "nqsw": [{"count": 1, "months_served": 3}], "agency": 1}},
        "b": {"establishment_fte": 4, "caseload_cap": 6,
              "staff": {"permanent": 3, "nqsw": [{"count": 1}]}},
    },
    "case_types": {
        "a1": {"team": "a", "referrals_per_year": 150,
               "duration_days": {"dist": "lognormal", "median": 20, "p90": 60},
               "initial_open": 25, "on_close": {"a2": 0.3, "b1": 0.03}, "growth_per_year": 0.05,
               "seasonality": [1.2, 1.1, 1.0, 1.0, 0.9, 0.9, 1.0, 0.8, 1.0, 1.0, 1.1, 1.0]},
        "a2": {"team": "a", "weight": 1.5, "referrals_per_year": 25, "priority": 2,
               "duration_days": {"dist": "gamma", "mean": 40, "sd": 30}, "initial_open": 10,
               "on_close": {"b1": 0.1},
               "demand_changes": [{"date": "2025-07-01", "multiplier": 1.5}]},
        "b1": {"team": "b", "weight": 2, "referrals_per_year": 5, "initial_open": 4,
               "duration_days": EQUILIBRIUM_DURATIONS["empirical"]},
        "b2": {"team": "b", "referrals_per_year": 30, "priority": 3, "initial_open": 5,
               "duration_days": {"dist": "triangular", "min": 10, "mode": 20, "max": 60},
               "on_close": {"a1": 0.1, "b3": 0.2}},
        "b3": {"team": "b", "referrals_per_year": 20, "initial_open": 3,
               "duration_days": {"dist": "fixed", "value": 45}},
    },
    "absence": {"rate": 0.035},
}


def _mmc_identity_scenario():
    return MMC_BASE.scenario(initial_open=30).with_changes({"horizon_months": 24})


def _overloaded_scenario():           # ρ = 1.3: a growing queue, cases waiting at the horizon
    return one_team(lam=2.6, duration={"dist": "exponential", "mean": 10}, months=24,
                    workers=5, cap=4, initial_open=40, name="overloaded")


SCENARIOS = {
    "mmc": _mmc_identity_scenario,
    "overloaded": _overloaded_scenario,
    "mixed": lambda: ws.Scenario.from_dict(MIXED),
    "herefordshire": ws.load_scenario,
}


@dataclass(frozen=True)
class Run:
    name: str
    monthly: pd.DataFrame          # team rows and "all", with an integer month index "m"
    cases: pd.DataFrame
    ends: np.ndarray               # month-end days
    initial_open: dict[str, int]   # per team


def _initial_by_team(s: ws.Scenario) -> dict[str, int]:
    out = dict.fromkeys(s.teams, 0)
    for ct in s.case_types.values():
        out[ct.team] += ct.initial_open
    return out


@functools.cache
def identity_run(name: str, replication: int) -> Run:
    if name == "handovers":
        return _handover_run(replication)
    s = SCENARIOS[name]()
    r = ws.simulate(s, seed=SEED, replication=replication, case_log=True)
    monthly = r.monthly.copy()
    monthly["m"] = monthly["month"].rank(method="dense").astype(int) - 1
    return Run(name, monthly, r.cases, qt.month_end_days(s.start_date, s.horizon_months),
               _initial_by_team(s))


def _handover_run(replication: int) -> Run:
    """The mixed scenario with workers of team "a" leaving (their cases handed back
    to the head of the queue) and replacements joining, driven through the model."""
    s = ws.Scenario.from_dict(MIXED)
    model = Model(s, SEED, replication, keep_case_log=True)
    team = model.teams["a"]

    def churn(env):
        for day in (40.3, 100.7, 200.1, 333.3, 400.9, 555.5):
            yield env.timeout(day - env.now)
            model.depart(next(w for w in team.workers if w.cases))
            yield env.timeout(10.25)
            model.staffing.add("permanent", team)

    model.env.process(churn(model.env))
    model.run()
    monthly = pd.DataFrame(model.recorder.rows, columns=["m", "team", *COLUMNS])
    return Run("handovers", monthly, model.case_log.frame(),
               qt.month_end_days(s.start_date, s.horizon_months), _initial_by_team(s))


IDENTITY_RUNS = [(name, rep) for name in [*SCENARIOS, "handovers"] for rep in (0, 1)]


def _team_rows(run: Run, team: str) -> pd.DataFrame:
    rows = run.monthly[run.monthly["team"] == team].sort_values("m")
    assert list(rows["m"]) == list(range(len(run.ends)))
    return rows


@pytest.mark.parametrize(("name", "rep"), IDENTITY_RUNS)
def test_littles_law_identity_every_run(name, rep):
    """Little's law as an exact sample-path identity (no statistics).

    The area under the number of unallocated cases equals the total time cases
    spend unallocated: per team, Σ_months waiting_case_days = Σ_spells
    (min(allocated_day, T) − queued_day), with spells still waiting at the
    horizon T counting up to T; and month by month, each month's
    waiting_case_days is the overlap of the spells' waiting intervals with
    that month. Also per month, Σ waits of spells allocated in the month =
    mean_wait_days × allocations, up to events falling exactly on a month end
    (the cumulative sums are bracketed by the two tie conventions).
    Tolerance: floating-point rounding only (relative 10⁻⁹).
    """
    run = identity_run(name, rep)
    cs, ends = run.cases, run.ends
    horizon = ends[-1]
    starts = np.concatenate([[0.0], ends[:-1]])
    assert run.cases["end"].isin(["closed", "handover", "moved", "open", "waiting"]).all()
    if name == "handovers":
        assert (cs["end"] == "handover").sum() > 0
    for team in run.initial_open:
        rows = _team_rows(run, team)
        sp = cs[cs["team"] == team]
        q = sp["queued_day"].to_numpy()
        a = sp["allocated_day"].to_numpy()
        until = np.where(np.isnan(a), horizon, np.minimum(a, horizon))
        recorded = rows["waiting_case_days"].to_numpy()
        np.testing.assert_allclose(recorded.sum(), (until - q).sum(), rtol=1e-9, atol=1e-6,
                                   err_msg=f"{name}/{team}: total waiting case-days")
        overlap = np.clip(np.minimum(until[:, None], ends) - np.maximum(q[:, None], starts),
                          0, None).sum(axis=0)
        np.testing.assert_allclose(recorded, overlap, rtol=1e-9, atol=1e-6,
                                   err_msg=f"{name}/{team}: waiting case-days by month")

        allocs = rows["allocations"].to_numpy()
        waits_rec = np.cumsum(np.where(allocs > 0, rows["mean_wait_days"].to_numpy(), 0) * allocs)
        done = ~np.isnan(a) & (a > 0)          # allocations at day 0 are the opening state
        w, ad = (a - q)[done], a[done]
        low = np.array([w[ad < e].sum() for e in ends])
        high = np.array([w[ad <= e].sum() for e in ends])
        tol = 1e-9 * max(1.0, high[-1])
        assert ((low - tol <= waits_rec) & (waits_rec <= high + tol)).all(), (
            f"{name}/{team}: cumulative waits {waits_rec} outside [{low}, {high}]")
        assert waits_rec[-1] == pytest.approx(high[-1], rel=1e-9, abs=1e-6)
    all_rows = _team_rows(run, "all")
    team_rows = run.monthly[run.monthly["team"] != "all"]
    np.testing.assert_allclose(all_rows["waiting_case_days"].to_numpy(),
                               team_rows.groupby("m")["waiting_case_days"].sum().to_numpy(),
                               rtol=1e-12)


@pytest.mark.parametrize(("name", "rep"), IDENTITY_RUNS)
def test_open_cases_stock_flow_identity(name, rep):
    """Per team and month, exactly: open(m) = open(m-1) + referrals(m) +
    pathway_starts(m) − closures(m), with open(−1) = the team's initial_open;
    also open = allocated + unallocated, and the "all" row is the sum of the
    teams' rows for every stock and flow that adds up."""
    run = identity_run(name, rep)
    for team, n0 in run.initial_open.items():
        rows = _team_rows(run, team)
        opened = rows["open_cases"].to_numpy()
        prev = np.concatenate([[n0], opened[:-1]])
        expected = prev + rows["referrals"].to_numpy() + rows["pathway_starts"].to_numpy() \
            - rows["closures"].to_numpy()
        bad = np.flatnonzero(opened != expected)
        assert bad.size == 0, (f"{name}/{team}: open cases break the stock-flow balance at months "
                               f"{bad}: {opened[bad]} vs {expected[bad]}")
        assert (opened == rows["allocated_cases"] + rows["unallocated_cases"]).all()
        assert (rows[["open_cases", "allocated_cases", "unallocated_cases"]] >= 0).all().all()
    all_rows = _team_rows(run, "all").set_index("m")
    sums = run.monthly[run.monthly["team"] != "all"].groupby("m").sum(numeric_only=True)
    for col in ("open_cases", "allocated_cases", "unallocated_cases", "referrals",
                "pathway_starts", "allocations", "closures", "handovers"):
        assert (all_rows[col] == sums[col]).all(), f"{name}: 'all' {col} is not the teams' sum"


def _moved_in(spells: pd.DataFrame) -> np.ndarray:
    """Which spells began with a manager's move: the case's previous spell ended
    "moved" on the day this one was allocated."""
    moved = spells.loc[spells["end"] == "moved", ["case_id", "ended_day"]]
    keys = set(zip(moved["case_id"], moved["ended_day"], strict=True))
    return np.array([(c, a) in keys for c, a in
                     zip(spells["case_id"], spells["allocated_day"], strict=True)], dtype=bool)


@pytest.mark.parametrize(("name", "rep"), IDENTITY_RUNS)
def test_monthly_records_match_case_log(name, rep):
    """The recorder's flows and month-end stocks, rebuilt independently from
    the case log, exactly (no statistics).

    Per team: allocations (spells begun, less those begun by a manager's move),
    closures, handovers, managers' caseload moves and new cases (referrals +
    pathway starts) counted by month; open and unallocated cases at each
    month end. An event falling exactly on a month end (possible: NQSW
    capacity steps are whole days, like month ends) may be recorded in either
    month, so cumulative counts are checked between the two tie conventions,
    and totals exactly. Nothing happens at or after the horizon.
    """
    run = identity_run(name, rep)
    cs, ends = run.cases, run.ends
    horizon = ends[-1]
    for col in ("queued_day", "allocated_day", "ended_day"):
        x = cs[col].to_numpy()
        assert (x[~np.isnan(x)] < horizon).all(), f"{name}: {col} at or after the horizon"
        assert (x[~np.isnan(x)] >= 0).all()
    assert (cs["allocated_day"].isna() == (cs["end"] == "waiting")).all()
    assert (cs["ended_day"].isna() == cs["end"].isin(["open", "waiting"])).all()

    def between(recorded, times, what, team):
        rec = np.cumsum(recorded)
        low = np.array([(times < e).sum() for e in ends])
        high = np.array([(times <= e).sum() for e in ends])
        assert ((low <= rec) & (rec <= high)).all() and rec[-1] == high[-1], (
            f"{name}/{team}: cumulative {what} {rec} vs case log [{low}, {high}]")

    for team in run.initial_open:
        rows = _team_rows(run, team)
        sp = cs[cs["team"] == team]
        alloc = sp["allocated_day"].to_numpy()
        moved_in = _moved_in(sp)      # a manager's move starts a spell but is no allocation
        between(rows["allocations"].to_numpy(), alloc[(alloc > 0) & ~moved_in], "allocations",
                team)
        for how, col in (("closed", "closures"), ("handover", "handovers"),
                         ("moved", "caseload_moves")):
            between(rows[col].to_numpy(), sp.loc[sp["end"] == how, "ended_day"].to_numpy(),
                    col, team)
        per_case = sp.groupby("case_id").agg(created=("queued_day", "min"))
        closed = sp[sp["end"] == "closed"].set_index("case_id")["ended_day"]
        per_case["closed"] = closed.reindex(per_case.index)
        created = per_case["created"].to_numpy()
        closed_at = per_case["closed"].to_numpy()
        assert (created == 0).sum() == run.initial_open[team]
        between((rows["referrals"] + rows["pathway_starts"]).to_numpy(), created[created > 0],
                "new cases", team)

        never_closed = np.isnan(closed_at)
        open_low = np.array([((created < e) & (never_closed | (closed_at > e))).sum()
                             for e in ends])
        open_high = np.array([((created <= e) & (never_closed | (closed_at >= e))).sum()
                              for e in ends])
        opened = rows["open_cases"].to_numpy()
        assert ((open_low <= opened) & (opened <= open_high)).all(), (
            f"{name}/{team}: open cases {opened} vs case log [{open_low}, {open_high}]")

        q = sp["queued_day"].to_numpy()
        waiting = np.isnan(alloc)
        un_low = np.array([((q < e) & (waiting | (alloc > e))).sum() for e in ends])
        un_high = np.array([((q <= e) & (waiting | (alloc >= e))).sum() for e in ends])
        un = rows["unallocated_cases"].to_numpy()
        assert ((un_low <= un) & (un <= un_high)).all(), (
            f"{name}/{team}: unallocated cases {un} vs case log [{un_low}, {un_high}]")
        assert un[-1] == waiting.sum()
