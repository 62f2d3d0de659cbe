"""Workforce dynamics against stock-flow theory (docs/model.md, "Workforce" and the verification table).

* Closed cohort decay: with no recruitment, a cohort of N₀ permanent workers
  leaving at the constant hazard ``annual_turnover`` h is Binomial(N₀, e^(−h t))
  at every month end, and each worker's leaving time is Exp(h); with
  ``turnover_by_service_years`` bands the survival is the piecewise
  exponential exp(−∫ h(service) dt).
* Replace-on-leave: with E posts, every leaver replaced after a hiring lag L
  (mean ℓ, any law), each post is an alternating renewal process (in post for
  Exp(h), vacant for L), so the long-run vacancy fraction is ℓ / (1/h + ℓ)
  whatever the law of L.
* Agency cost identity, exactly: agency spend = day rate × billable days / 365.25
  × agency FTE-days, the premium is spend less the same FTE-days at permanent
  pay, and the FTE-days are those of the staff log's agency spells.
* Academy: qualifiers of an intake of n are Binomial(n, p); each qualifies at
  exactly intake + training length; drop-outs leave during training; the
  month-end columns agree with the staff log.
* Tie-in: with a tie-in hazard factor of 0 nobody leaves before the tie-in
  ends, and from then on graduates leave at the base hazard.
* Pay identity, exactly: permanent pay = (permanent FTE-days × salary + NQSW
  FTE-days × NQSW salary) × (1 + on-costs) / 365.25, plus, with retention
  levers, cost_per_fte_year × (1 + on-costs) / 365.25 × covered FTE-days in
  the lever's window.

Statistical policy (as in test_queueing.py). Every statistical assertion is a
test at a stated error rate, at most δ = 10⁻³ per test function, split by
Bonferroni over the comparisons the function makes (which is valid whatever
their dependence, e.g. counts of one cohort at several month ends). Counts
whose law is known exactly are checked with exact tests (two-sided binomial
test, Kolmogorov–Smirnov for continuous laws, χ² goodness of fit with bins
pooled to expected counts ≥ 5); long-run means with a Student t bound whose
standard error is estimated across independent replications. Seeds are fixed,
so each test is deterministic; the error rate is the chance that a correct
model fails the test for a seed chosen at random. The theoretical values are
computed here from the scenario's parameters, never from the package's code.

Time is in days from the start date, 365.25 days a year; month k covers
[month_ends[k−1], month_ends[k]). Exact identities are checked to a relative
tolerance of 1e-9 (floating-point accumulation only).
"""

from __future__ import annotations

import copy
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import workforce_sim as ws
from workforce_sim.engine import Model
from workforce_sim.engine.recording.recorder import COLUMNS
from workforce_sim.scenario.calendar import month_end_days

DELTA = 1e-3                      # error rate of each statistical test function
SEED = 20250301
START = dt.date(2025, 1, 1)
DPY = 365.25                      # days a year
DPM = DPY / 12                    # days a month (training, tie-in and ASYE lengths)
REL = 1e-9                        # tolerance of exact identities


# =========================================================================== helpers


def _merge(base: dict, top: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario(teams: dict, months: int, case_types: dict | None = None,
             **sections) -> ws.Scenario:
    """A scenario with no cases, no absence, no pressure, no agency and no notice,
    unless ``case_types`` or ``sections`` (merged key by key) say otherwise."""
    base = {
        "schema_version": 1,
        "name": "workforce theory",
        "start_date": START.isoformat(),
        "horizon_months": months,
        "teams": teams,
        "case_types": case_types or {"c": {"team": next(iter(teams)), "referrals_per_year": 0,
                                           "duration_days": {"dist": "fixed", "value": 10}}},
        "workforce": {"permanent": {"annual_turnover": 0.0, "notice_days": 0,
                                    "pressure_elasticity": 0.0},
                      "agency": {"cover_fraction": 0.0, "early_exit_annual_rate": 0.0,
                                 "conversion_annual_rate": 0.0}},
        "absence": {"rate": 0.0},
    }
    return ws.Scenario.from_dict(_merge(base, sections))


class Run:
    """One replication with its month-end table and its staff log."""

    def __init__(self, s: ws.Scenario, replication: int, seed: int = SEED):
        model = Model(s, seed, replication, keep_case_log=True).run()
        self.monthly = pd.DataFrame(model.recorder.rows, columns=["month", "team", *COLUMNS])
        self.log = model.staff_log.frame()
        self.log["end_day"] = self.log["end_day"].fillna(model.horizon_days)
        self.month_ends = np.asarray(model.month_ends, float)
        self.month_starts = np.concatenate([[0.0], self.month_ends[:-1]])
        self.horizon = float(model.horizon_days)

    def team(self, name: str) -> pd.DataFrame:
        return self.monthly[self.monthly["team"] == name].sort_values("month").reset_index(drop=True)

    def column(self, name: str, team: str) -> np.ndarray:
        return self.team(team)[name].to_numpy(float)

    def spells(self, kinds, team: str | None = None) -> pd.DataFrame:
        log = self.log
        keep = log["kind"].isin(list(kinds))
        if team is not None and team != "all":
            keep &= log["team"] == team
        return log[keep]

    def fte_days(self, kinds, team: str | None = None,
                 window: tuple[float, float] = (0.0, math.inf)) -> np.ndarray:
        """FTE-days per month of the log's spells of ``kinds``, within ``window``."""
        sp = self.spells(kinds, team)
        a = np.maximum(sp["start_day"].to_numpy(float)[:, None],
                       np.maximum(self.month_starts, window[0])[None, :])
        b = np.minimum(sp["end_day"].to_numpy(float)[:, None],
                       np.minimum(self.month_ends, window[1])[None, :])
        return (sp["fte"].to_numpy(float)[:, None] * np.clip(b - a, 0.0, None)).sum(axis=0)

    def per_month(self, days) -> np.ndarray:
        """Count events at ``days`` by month (month k: [month_ends[k−1], month_ends[k]))."""
        idx = np.searchsorted(self.month_ends, np.asarray(days, float), side="right")
        return np.bincount(idx, minlength=len(self.month_ends) + 1)[: len(self.month_ends)]


def assert_close(actual, expected, what: str, rel: float = REL, abs_: float = 1e-9) -> None:
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    bad = ~np.isclose(actual, expected, rtol=rel, atol=abs_)
    assert not bad.any(), (f"{what}: first mismatch at month {np.argmax(bad)}: "
                           f"{actual[bad][0]!r} != {expected[bad][0]!r}")


def binomial_ok(k: int, n: int, p: float, alpha: float) -> tuple[bool, str]:
    pv = stats.binomtest(int(k), int(n), p).pvalue
    return pv >= alpha, f"{k}/{n} = {k / n:.5f} vs p = {p:.5f} (binomial test p-value {pv:.2e})"


def ks_uniform_ok(u: np.ndarray, alpha: float) -> tuple[bool, str]:
    res = stats.kstest(u, "uniform")
    return res.pvalue >= alpha, f"KS D = {res.statistic:.4f}, n = {u.size}, p-value {res.pvalue:.2e}"


def band_cum_hazard(t_days, service0_years: float, bands) -> np.ndarray:
    """∫₀ᵗ h(service0 + u) du for a piecewise-constant yearly hazard ``bands``
    [[from_years, rate], ...]; t in days, result dimensionless."""
    t = np.asarray(t_days, float) / DPY
    starts = [float(b[0]) for b in bands]
    ends = starts[1:] + [math.inf]
    total = np.zeros_like(t)
    for lo, hi, (_, rate) in zip(starts, ends, bands, strict=True):
        overlap = np.clip(np.minimum(service0_years + t, hi) - max(service0_years, lo), 0, None)
        total += rate * overlap
    return total


# ============================================================== 1. closed cohort


CHECK_MONTHS = (6, 12, 24, 36, 48, 60)      # month ends checked (1-based)


def _cohort_checks(runs: list[Run], team: str, n0: int, cum_hazard, alpha: float) -> list[str]:
    """Month-end headcounts (pooled over replications) against Binomial(R·n₀, S(t)),
    and the leaving times against their law given that they fall before the horizon."""
    failures = []
    for m in CHECK_MONTHS:
        t = runs[0].month_ends[m - 1]
        k = sum(r.column("permanent_fte", team)[m - 1] for r in runs)
        ok, msg = binomial_ok(round(k), n0 * len(runs), math.exp(-cum_hazard(t)), alpha)
        if not ok:
            failures.append(f"{team} month {m}: {msg}")
    horizon = runs[0].horizon
    left = np.concatenate([r.spells(["permanent"], team).query("end == 'left'")["end_day"]
                           for r in runs])
    # Given T < H, F(T) / F(H) is Uniform(0, 1), F(t) = 1 − exp(−Λ(t)).
    u = -np.expm1(-cum_hazard(left)) / -math.expm1(-cum_hazard(horizon))
    ok, msg = ks_uniform_ok(u, alpha)
    if not ok:
        failures.append(f"{team} leaving times: {msg}")
    return failures


def test_closed_cohort_decays_exponentially():
    """N₀ = 200 permanent workers, no recruitment, hazard h = 0.2 a year, no notice,
    no pressure: the headcount at month end t is Binomial(N₀, exp(−h t)) (mean
    N₀·exp(−h t)), pooled over 20 replications, at 6 month ends; and the leaving
    times are Exp(h) truncated at the horizon (KS). 7 comparisons at δ/7 each:
    error rate ≤ δ = 10⁻³."""
    n0, h, reps = 200, 0.2, 20
    s = scenario({"t": {"establishment_fte": 0, "caseload_cap": 18,
                        "staff": {"permanent": n0}}}, 60,
                 workforce={"permanent": {"annual_turnover": h}})
    runs = [Run(s, k) for k in range(reps)]
    for r in runs:          # nobody was recruited: the cohort only shrinks
        assert r.column("hires", "t").sum() == 0
        assert (np.diff(np.r_[n0, r.column("permanent_fte", "t")]) <= 0).all()
    failures = _cohort_checks(runs, "t", n0, lambda t: h * np.asarray(t) / DPY, DELTA / 7)
    assert not failures, "\n".join(failures)


BANDS = [[0, 0.3], [2, 0.1]]
BAND_GROUPS = {"new": 0.0, "year1": 1.0, "almost": 1.9, "settled": 3.0}   # service years at start


def test_closed_cohort_with_service_bands_follows_piecewise_exponential():
    """Bands [[0, 0.3], [2, 0.1]] (leavers per FTE-year by years of service): four
    cohorts of 100 with 0, 1, 1.9 and 3 years' service at the start, one per team,
    no recruitment. Each team's month-end headcount is Binomial(100, exp(−Λ(t)))
    with Λ(t) = ∫₀ᵗ h(s₀ + u) du (pooled over 20 replications, 6 month ends), and
    leaving times follow 1 − exp(−Λ) truncated at the horizon (KS).
    4 × 7 comparisons at δ/28 each: error rate ≤ δ = 10⁻³."""
    n0, reps = 100, 20
    teams = {name: {"establishment_fte": 0, "caseload_cap": 18,
                    "staff": {"permanent": [{"count": n0, "service_years": s0}]}}
             for name, s0 in BAND_GROUPS.items()}
    s = scenario(teams, 60, workforce={"permanent": {"turnover_by_service_years": BANDS}})
    runs = [Run(s, k) for k in range(reps)]
    failures = []
    for name, s0 in BAND_GROUPS.items():
        failures += _cohort_checks(runs, name, n0,
                                   lambda t, s0=s0: band_cum_hazard(t, s0, BANDS), DELTA / 28)
    assert not failures, "\n".join(failures)


# ========================================================= 2. replace on leave


LAGS = {
    "fixed": ({"dist": "fixed", "value": 120}, 120.0),
    "triangular": ({"dist": "triangular", "min": 30, "mode": 60, "max": 270}, (30 + 60 + 270) / 3),
    "gamma": ({"dist": "gamma", "mean": 60, "sd": 90}, 60.0),
}


@pytest.mark.parametrize("lag", list(LAGS))
def test_replace_on_leave_vacancy_fraction_is_renewal_reward(lag):
    """E = 100 posts all filled at the start, hazard h = 0.5 a year, no notice,
    every round succeeds after a hiring lag L (fixed, triangular or gamma, mean ℓ),
    no agency, no academy, no pressure. Each post alternates Exp(h) in post and L
    vacant, so the long-run vacancy fraction is π = ℓ / (365.25/h + ℓ) for any law
    of L. Checked on (a) month-end vacancy_fte / E averaged over months 25–180
    and (b) the time-integrated fraction 1 − permanent FTE-days / (E × days) over
    the same months; and (c) the DfE turnover_rate (leavers FTE in the 12
    months / FTE in post at the month end) averaged over the same months against
    h itself (annual_turnover is leavers per FTE-year; the ratio estimator's
    bias is of relative order Var(FTE)/FTE² ≈ 10⁻³, well inside the bound).
    Each is averaged per replication, and the mean over 30 independent
    replications is compared with its target by a two-sided Student t bound
    (29 df) at δ/3 each: error rate ≤ δ = 10⁻³.

    Burn-in: the expected vacancy fraction from an all-filled start solves
    v = a·(1 − v) ∗ P(L > ·), a = h/365.25; its transient decays like
    exp(−t/τ) with τ ≈ ℓ / ln(2π/(aℓ)) (about a month here) once t exceeds the
    lag's support; a numerical solution of the renewal equation gives
    |E v(t) − π| < 3·10⁻⁴ from month 12 on, far inside the bound."""
    dist, ell = LAGS[lag]
    e, h, months, burn, reps = 100, 0.5, 180, 24, 30
    pi = ell / (DPY / h + ell)
    s = scenario({"t": {"establishment_fte": e, "caseload_cap": 18,
                        "staff": {"permanent": e}}}, months,
                 workforce={"permanent": {"annual_turnover": h}},
                 recruitment={"success_probability": 1.0, "time_to_hire_days": dist,
                              "cost_per_hire": 0})
    snapshot, integrated, turnover = [], [], []
    for k in range(reps):
        r = ws.simulate(s, seed=SEED, replication=k).monthly
        r = r[r["team"] == "t"].reset_index(drop=True)
        assert (r["agency_fte"] == 0).all() and (r["trainees"] == 0).all()
        assert (r["vacancy_fte"] == e - r["permanent_fte"]).all()
        snapshot.append(r["vacancy_fte"].to_numpy()[burn:].mean() / e)
        month_days = np.diff(np.r_[0.0, month_end_days(START, months)])[burn:]
        fte_days = r["permanent_fte_days"].to_numpy()[burn:]
        integrated.append(1 - fte_days.sum() / (e * month_days.sum()))
        turnover.append(r["turnover_rate"].to_numpy()[burn:].mean())
    crit = stats.t.ppf(1 - DELTA / 6, reps - 1)
    for what, x, target in (("month-end vacancy_fte / E", snapshot, pi),
                            ("time-integrated vacancy fraction", integrated, pi),
                            ("turnover_rate", turnover, h)):
        x = np.asarray(x)
        se = x.std(ddof=1) / math.sqrt(reps)
        assert abs(x.mean() - target) <= crit * se, (
            f"{lag}: {what} {x.mean():.5f} ± {se:.5f} (se) vs {target:.5f}; "
            f"t = {(x.mean() - target) / se:.2f}, bound {crit:.2f}")


# ============================================================ 3. agency costs


AGENCY_CHURN = {
    "teams": {
        "a": {"establishment_fte": 30, "caseload_cap": 10,
              "staff": {"permanent": 20, "nqsw": [{"count": 2, "months_served": 4}],
                        "agency": [{"count": 3}, {"count": 2, "fte": 0.5}]}},
        "b": {"establishment_fte": 20, "caseload_cap": 12,
              "staff": {"permanent": [{"count": 12, "fte": 0.8}], "agency": 4}},
    },
    "case_types": {"c": {"team": "a", "referrals_per_year": 600, "initial_open": 150,
                         "duration_days": {"dist": "gamma", "mean": 90, "sd": 60}},
                   "d": {"team": "b", "referrals_per_year": 300, "initial_open": 100,
                         "duration_days": {"dist": "lognormal", "median": 120, "p90": 360}}},
    "workforce": {
        "permanent": {"annual_turnover": 0.3, "notice_days": 28, "pressure_elasticity": 1.0,
                      "salary": 41_000, "on_cost_rate": 0.28},
        "nqsw": {"salary": 33_500},
        "agency": {"cover_fraction": 0.8, "placement_days": {"dist": "fixed", "value": 90},
                   "renewal_probability": 0.6, "early_exit_annual_rate": 1.2,
                   "conversion_annual_rate": 0.6, "release_notice_days": 28,
                   "day_rate": 385, "billable_days_per_year": 220,
                   "pressure_cover_max_fte": 2},
    },
    "recruitment": {"success_probability": 0.6},
}


def churn_scenario(**extra) -> ws.Scenario:
    d = _merge(AGENCY_CHURN, extra)
    return scenario(d.pop("teams"), 36, d.pop("case_types"), **d)


@pytest.mark.parametrize("rep", [0, 1, 2])
def test_agency_cost_is_day_rate_times_fte_days(rep):
    """Exact, every month and every team (and the service row): cost_agency =
    day_rate × billable_days_per_year / 365.25 × agency_fte_days; agency_premium =
    cost_agency − agency_fte_days × salary × (1 + on_cost_rate) / 365.25; and
    agency_fte_days equals the FTE-days of the staff log's agency spells clipped
    to each month. The scenario has vacancies, agency cover of 80 %, fixed
    90-day placements with renewals, early exits, releases on notice,
    conversions, pressure cover and half-time agency staff (checked to occur)."""
    s = churn_scenario()
    run = Run(s, rep)
    ag, perm = s.workforce.agency, s.workforce.permanent
    for team in ["a", "b", "all"]:
        df = run.team(team)
        days = df["agency_fte_days"].to_numpy(float)
        assert_close(df["cost_agency"], ag.day_rate * ag.billable_days_per_year / DPY * days,
                     f"cost_agency ({team})")
        assert_close(df["agency_premium"],
                     df["cost_agency"] - days * perm.salary * (1 + perm.on_cost_rate) / DPY,
                     f"agency_premium ({team})", abs_=1e-6)
        assert_close(days, run.fte_days(["agency"], team), f"agency_fte_days vs log ({team})",
                     abs_=1e-7)
        sp = run.spells(["agency"], team)
        assert_close(df["conversions"], run.per_month(sp.query("end == 'changed'")["end_day"]),
                     f"conversions vs log ({team})")
        assert_close(df["leavers_agency"], run.per_month(sp.query("end == 'left'")["end_day"]),
                     f"leavers_agency vs log ({team})")
        assert_close(df["agency_starts"], run.per_month(sp.query("start_day > 0")["start_day"]),
                     f"agency_starts vs log ({team})")
    # The churn the identity is meant to cover did happen.
    service = run.team("all")
    assert service["agency_starts"].sum() > 0 and service["conversions"].sum() > 0
    assert service["agency_releases"].sum() > 0
    assert (service["leavers_agency"] - service["agency_releases"]).sum() > 0   # ends and exits
    sp = run.spells(["agency"])
    # A spell longer than a placement plus release notice must include a renewal.
    assert ((sp["end_day"] - sp["start_day"]) > 90 + 28 + 1e-6).any()
    assert (sp["fte"] == 0.5).any()


# ================================================================= 4. academy


def academy_scenario(n: int, p: float, training: float, *, months: int = 24,
                     turnover: float = 0.0, tie_in: float = 0.0, tie_factor: float = 1.0,
                     asye_pass: float = 1.0, teams=("t",)) -> ws.Scenario:
    """One intake of ``n`` per team on 1 September 2025 (the next intake is of size 0)."""
    pathway = {"training_months": training, "completion_rate": p, "asye_pass_rate": asye_pass,
               "tie_in_months": tie_in, "tie_in_turnover_factor": tie_factor,
               "cost_per_trainee_year": 9_000,
               "when_no_post": "supernumerary"}    # no posts: these tests are about training
    return scenario({t: {"establishment_fte": 0, "caseload_cap": 18} for t in teams}, months,
                    workforce={"permanent": {"annual_turnover": turnover}},
                    academy={"pathways": {"route": pathway},
                             "intakes": [{"pathway": "route", "month": 9, "sizes": [n, 0],
                                          "teams": {teams[0]: 1.0}}]})


INTAKE_DAY = float((dt.date(2025, 9, 1) - START).days)


def test_academy_qualifiers_are_binomial_and_qualify_on_time():
    """One intake of n = 30 on a 14-month pathway with completion rate p = 0.7,
    200 replications. Statistical (error rate ≤ δ = 10⁻³ in all, δ/3 each):
    the total qualifiers is Binomial(200·n, p) (exact two-sided binomial test,
    i.e. the mean count n·p); the 200 per-replication counts fit Binomial(n, p)
    (χ² goodness of fit, bins pooled to expected ≥ 5); drop-out times are
    uniform over the training period (KS, as academy.py documents).
    Exact: every qualification is a trainee spell ending "changed" followed by an
    NQSW spell of the same worker, both at intake day + 14 × 365.25/12 (to 1e-9
    days); every drop-out leaves strictly inside the training period; every
    trainee either qualifies or drops out; academy_qualified, academy_dropouts
    and the trainees stock agree with the log month by month."""
    n, p, training, reps = 30, 0.7, 14, 200
    s = academy_scenario(n, p, training)
    qualify_day = INTAKE_DAY + training * DPY / 12
    counts, dropout_u = [], []
    for k in range(reps):
        run = Run(s, k)
        log = run.log
        tr = log[log["kind"] == "trainee"]
        assert len(tr) == n and (tr["start_day"] == INTAKE_DAY).all()
        changed, left = tr[tr["end"] == "changed"], tr[tr["end"] == "left"]
        assert len(changed) + len(left) == n, "a trainee neither qualified nor dropped out"
        np.testing.assert_allclose(changed["end_day"], qualify_day, rtol=0, atol=1e-9)
        nq = log[log["kind"] == "nqsw"].set_index("worker_id")
        assert set(nq.index) == set(changed["worker_id"])
        np.testing.assert_allclose(nq.loc[changed["worker_id"], "start_day"], qualify_day,
                                   rtol=0, atol=1e-9)
        assert ((left["end_day"] > INTAKE_DAY) & (left["end_day"] < qualify_day)).all()
        df = run.team("t")
        assert_close(df["academy_qualified"], run.per_month(changed["end_day"]),
                     "academy_qualified vs log")
        assert_close(df["academy_dropouts"], run.per_month(left["end_day"]),
                     "academy_dropouts vs log")
        # A month-end stock is the state before anything else due at that instant.
        in_post = [((tr["start_day"] < t) & ~(tr["end_day"] < t)).sum() for t in run.month_ends]
        assert_close(df["trainees"], in_post, "trainees vs log")
        counts.append(len(changed))
        dropout_u.extend((left["end_day"] - INTAKE_DAY) / (qualify_day - INTAKE_DAY))
    counts = np.asarray(counts)
    alpha = DELTA / 3
    ok, msg = binomial_ok(counts.sum(), n * reps, p, alpha)
    assert ok, f"qualifiers: {msg}"
    # χ² goodness of fit of the per-replication counts to Binomial(n, p).
    pmf = stats.binom.pmf(np.arange(n + 1), n, p) * reps
    observed = np.bincount(counts, minlength=n + 1).astype(float)
    bins_e, bins_o, acc_e, acc_o = [], [], 0.0, 0.0
    for e_, o_ in zip(pmf, observed, strict=True):
        acc_e, acc_o = acc_e + e_, acc_o + o_
        if acc_e >= 5:
            bins_e.append(acc_e)
            bins_o.append(acc_o)
            acc_e = acc_o = 0.0
    bins_e[-1] += acc_e
    bins_o[-1] += acc_o
    chi2 = stats.chisquare(bins_o, bins_e)
    assert chi2.pvalue >= alpha, (f"counts per replication vs Binomial({n}, {p}): "
                                  f"χ² = {chi2.statistic:.2f} on {len(bins_e) - 1} df, "
                                  f"p-value {chi2.pvalue:.2e}")
    ok, msg = ks_uniform_ok(np.asarray(dropout_u), alpha)
    assert ok, f"drop-out times over training: {msg}"


# ================================================================== 5. tie-in


def test_tie_in_holds_graduates_then_base_rate_applies():
    """Tie-in factor 0, 24 months, ASYE pass rate 1, base hazard h = 0.3 a year,
    60-month horizon: one direct-entry intake (no training) of 100 in team "d",
    and one 14-month-training intake of 100 in team "s" (completion 1), 10
    replications. Exact: no graduate leaves before qualifying day + 24 × 365.25/12
    (and graduates pass the ASYE into permanent posts). Statistical, per team
    (error rate ≤ δ = 10⁻³ in all, δ/4 each): the number who leave by the
    horizon is Binomial(R·100, 1 − exp(−h (H − T)/365.25)), T = end of tie-in
    (exact binomial test; the threshold is untouched during the tie-in, so the
    hazard starts afresh at T), and their leaving times are Exp(h) after T,
    truncated at the horizon (KS)."""
    n, h, tie, reps, months = 100, 0.3, 24, 10, 60
    d = academy_scenario(n, 1.0, 0, months=months, turnover=h, tie_in=tie, tie_factor=0.0,
                         teams=("d", "s")).to_dict()
    d["academy"]["pathways"]["trained"] = {**d["academy"]["pathways"]["route"],
                                           "training_months": 14}
    d["academy"]["intakes"].append({"pathway": "trained", "month": 9, "sizes": [n, 0],
                                    "teams": {"s": 1.0}})
    s = ws.Scenario.from_dict(d)
    qualify = {"d": INTAKE_DAY, "s": INTAKE_DAY + 14 * DPM}
    alpha = DELTA / 4
    failures = []
    runs = [Run(s, k) for k in range(reps)]
    horizon = runs[0].horizon
    for team, q in qualify.items():
        tie_end = q + tie * DPM
        assert tie_end < horizon
        left = []
        for run in runs:
            grads = run.spells(["nqsw", "permanent"], team)
            assert grads.query("kind == 'nqsw'")["start_day"].sub(q).abs().max() < 1e-9
            assert len(grads.query("kind == 'nqsw'")) == n
            gone = grads[grads["end"] == "left"]["end_day"].to_numpy()
            assert (gone >= tie_end - 1e-9).all(), (
                f"{team}: a graduate left on day {gone.min():.2f}, before the tie-in "
                f"ended on day {tie_end:.2f}")
            assert (run.column("leavers_permanent", team)[run.month_ends <= tie_end] == 0).all()
            left.append(gone)
            assert len(grads.query("kind == 'permanent'")) == n      # all passed the ASYE
        left = np.concatenate(left)
        a = h / DPY
        p_leave = -math.expm1(-a * (horizon - tie_end))
        ok, msg = binomial_ok(len(left), n * reps, p_leave, alpha)
        if not ok:
            failures.append(f"{team} leavers after the tie-in: {msg}")
        ok, msg = ks_uniform_ok(-np.expm1(-a * (left - tie_end)) / p_leave, alpha)
        if not ok:
            failures.append(f"{team} leaving times after the tie-in: {msg}")
    assert not failures, "\n".join(failures)


# =================================================================== 6. pay


def test_permanent_pay_is_salary_times_fte_days():
    """Exact, every month and team, no retention levers: cost_permanent =
    (permanent_fte_days × salary + nqsw_fte_days × NQSW salary) × (1 + on_cost_rate)
    / 365.25, with the FTE-days equal to those of the staff log's spells (initial
    NQSWs passing their ASYE, hires, leavers after notice, conversions from agency,
    part-time staff and academy graduates all occur)."""
    s = churn_scenario(
        academy={"pathways": {"direct": {"training_months": 0, "asye_pass_rate": 0.8}},
                 "intakes": [{"pathway": "direct", "month": 3, "sizes": [4],
                              "teams": {"a": 0.5, "b": 0.5}}]})
    perm, nq = s.workforce.permanent, s.workforce.nqsw
    for rep in range(2):
        run = Run(s, rep)
        for team in ["a", "b", "all"]:
            df = run.team(team)
            pd_, nd_ = df["permanent_fte_days"], df["nqsw_fte_days"]
            assert_close(pd_, run.fte_days(["permanent"], team),
                         f"permanent_fte_days vs log ({team})", abs_=1e-7)
            assert_close(nd_, run.fte_days(["nqsw"], team), f"nqsw_fte_days vs log ({team})",
                         abs_=1e-7)
            assert_close(df["cost_permanent"],
                         (pd_ * perm.salary + nd_ * nq.salary) * (1 + perm.on_cost_rate) / DPY,
                         f"cost_permanent ({team})")
        log = run.log
        assert (log.query("kind == 'nqsw' and end == 'changed'")["end_day"] > 0).any()
        assert (log.query("kind == 'agency' and end == 'changed'")["end_day"] > 0).any()


def test_pay_and_agency_charge_follow_the_team_role():
    """Exact, every month: team a's posts are senior social workers with their own
    salary and agency day rate (workforce.roles), team b's are social workers paid
    as workforce.permanent and workforce.agency say; each team's cost_permanent,
    cost_agency and agency_premium use its own role's figures."""
    roles = {"senior_social_worker": {"salary": 47_000, "agency_day_rate": 450}}
    s = churn_scenario(workforce={"roles": roles})
    s = s.with_changes({"teams.a.role": "senior_social_worker"})
    perm, nq, ag = s.workforce.permanent, s.workforce.nqsw, s.workforce.agency
    on = 1 + perm.on_cost_rate
    run = Run(s, 0)
    for team, salary, day_rate in [("a", 47_000, 450), ("b", perm.salary, ag.day_rate)]:
        df = run.team(team)
        assert (df["agency_fte_days"] > 0).any() and (df["permanent_fte_days"] > 0).any()
        assert_close(df["cost_permanent"],
                     (df["permanent_fte_days"] * salary + df["nqsw_fte_days"] * nq.salary)
                     * on / DPY, f"cost_permanent ({team})")
        agency = day_rate * ag.billable_days_per_year / DPY * df["agency_fte_days"]
        assert_close(df["cost_agency"], agency, f"cost_agency ({team})")
        assert_close(df["agency_premium"], agency - df["agency_fte_days"] * salary * on / DPY,
                     f"agency_premium ({team})")


LEVERS = [
    {"name": "market supplement", "start": "2025-04-01", "end": "2026-06-15",
     "cost_per_fte_year": 3_000, "turnover_factor": 0.7, "covers": ["permanent"]},
    {"name": "retention payment", "start": "2025-10-17",
     "cost_per_fte_year": 2_000, "turnover_factor": 0.9, "covers": ["permanent", "nqsw"]},
]


def test_retention_lever_cost_is_rate_times_covered_fte_days():
    """Exact, every month and team: with two retention levers (one permanent-only
    with a window ending mid-month, one covering permanent and NQSW staff from a
    mid-month date to the horizon), cost_permanent less the pay identity equals
    Σ_levers cost_per_fte_year × (1 + on_cost_rate) / 365.25 × FTE-days of covered
    kinds inside the lever's window, recomputed from the staff log."""
    s = churn_scenario(workforce={"permanent": {"retention": LEVERS}})
    perm, nq = s.workforce.permanent, s.workforce.nqsw
    on = 1 + perm.on_cost_rate
    for rep in range(2):
        run = Run(s, rep)
        for team in ["a", "b", "all"]:
            df = run.team(team)
            pay = (df["permanent_fte_days"] * perm.salary
                   + df["nqsw_fte_days"] * nq.salary) * on / DPY
            extra = np.zeros(len(df))
            for lv in LEVERS:
                lo = float((dt.date.fromisoformat(lv["start"]) - START).days)
                hi = (float((dt.date.fromisoformat(lv["end"]) - START).days)
                      if "end" in lv else math.inf)
                covered = run.fte_days(lv["covers"], team, window=(lo, hi))
                extra += lv["cost_per_fte_year"] * on / DPY * covered
            assert extra.sum() > 0
            assert_close(df["cost_permanent"] - pay, extra, f"retention cost ({team})",
                         rel=1e-7, abs_=1e-6)


# ==================================================== 7. pressure-dependent hazard
# Caseload pressure is read at joining and at each month end and held until the
# next reading; plans run to the horizon while pressure adds nothing and are
# replaced when it changes. Whatever the bookkeeping, a worker must resign
# exactly when their hazard, integrated from joining under the pressures read,
# reaches their threshold, and nobody may have reached it without resigning.


def test_resignation_is_where_the_integrated_hazard_reaches_the_threshold():
    from workforce_sim.engine.processes.attrition import Attrition

    readings, starts, resigned = {}, {}, {}

    class Watched(Attrition):
        """Attrition that notes every pressure reading, start and resignation."""

        def pressure(self, w, ratio):
            p = super().pressure(w, ratio)
            readings.setdefault(w.id, []).append((self.ctx.now, p))
            return p

        def start(self, w, terms=None):
            starts[w.id] = w
            readings.pop(w.id, None)
            super().start(w, terms)

        def _resign(self, w):
            was = w.leaving
            super()._resign(w)
            if w.leaving and not was:
                resigned[w.id] = self.ctx.now

    s = scenario({"t": {"establishment_fte": 6, "caseload_cap": 4, "staff": {"permanent": 6}}}, 36,
                 case_types={"c": {"team": "t", "referrals_per_year": 400, "initial_open": 20,
                                   "duration_days": {"dist": "exponential", "mean": 25}}},
                 workforce={"permanent": {"pressure_elasticity": 2.0, "pressure_threshold": 0.8,
                                          "turnover_by_service_years": [[0, 0.6], [2, 0.3]],
                                          "retention": [{"start": "2026-01-01", "end": "2026-07-01",
                                                         "turnover_factor": 0.4}]}},
                 recruitment={"time_to_hire_days": {"dist": "fixed", "value": 20}})
    model = Model(s, SEED, 0, attrition_type=Watched).run()
    attrition = model.attrition
    varied = sum(len({p for _, p in r}) > 1 for r in readings.values())
    assert len(resigned) >= 10 and varied >= 5       # the test exercises re-planning

    for wid, w in starts.items():             # from the reading made at joining
        rec = attrition.record(w)
        end = resigned.get(wid, model.horizon_days)
        times = [t for t, _ in readings[wid]] + [end]
        hazard = 0.0
        for (a, p), b in zip(readings[wid], times[1:], strict=True):
            b = min(b, end)
            cuts = sorted({a, b, *(x for x in rec.breaks if a < x < b)})
            for lo, hi in zip(cuts, cuts[1:], strict=False):
                hazard += attrition.annual_rate(w, (lo + hi) / 2, p) / DPY * (hi - lo)
            if b >= end:
                break
        if wid in resigned:
            assert hazard == pytest.approx(rec.threshold, rel=REL)
        elif w.active or not w.leaving:
            assert hazard < rec.threshold * (1 + REL)


# ============================================= events dated the first of a month
# Month k covers [month_ends[k-1], month_ends[k]): the month close runs before any
# other event at the same instant (regression tests for a bug where it ran after).


def test_direct_entry_intake_is_a_flow_of_its_own_month():
    """A direct-entry intake (no training) of 4 dated 1 September 2025: the 4
    qualifications are flows of September, not of August (month k covers
    [month_ends[k−1], month_ends[k]), the same half-open convention the
    FTE-days and costs use: the graduates' NQSW FTE-days start in September)."""
    run = Run(academy_scenario(4, 1.0, 0, months=12), 0)
    df = run.team("t")
    sept = 8
    assert df["nqsw_fte_days"][sept - 1] == 0 and df["nqsw_fte_days"][sept] > 0
    assert df["academy_qualified"][sept - 1] == 0
    assert df["academy_qualified"][sept] == 4


def test_cohort_hires_are_flows_of_their_own_month():
    """A cohort of 5 hires dated 1 June 2025 is reported in June's hires and
    cost_recruitment, the month its permanent FTE-days start."""
    s = scenario({"t": {"establishment_fte": 0, "caseload_cap": 18}}, 12,
                 recruitment={"cohorts": [{"date": "2025-06-01", "team": "t", "count": 5,
                                           "early_annual_turnover": 0.0,
                                           "cost_per_hire": 1_000}]})
    df = Run(s, 0).team("t")
    june = 5
    assert df["permanent_fte_days"][june - 1] == 0 and df["permanent_fte_days"][june] > 0
    assert df["hires"][june - 1] == 0 and df["hires"][june] == 5
    assert df["cost_recruitment"][june] == 5_000
