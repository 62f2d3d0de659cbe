"""Closed forms from queueing and renewal theory, and the statistical bounds the
theory tests use.

Everything here is written from the textbook formulas and the *parameters* of a
duration as a scenario states them (``{"dist": "lognormal", "median": ..,
"p90": ..}``), never from ``workforce_sim``'s own distribution classes, so that
a test compares the model with an independent computation.

References: Kleinrock, *Queueing Systems* vol. 1 (1975), §3.5 (M/M/c) and
§3.9 (M/G/∞); Gross & Harris, *Fundamentals of Queueing Theory*, §2.3;
Cox, *Renewal Theory* (1962), §1.3 (equilibrium residual life); Little (1961).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

DAYS_PER_YEAR = 365.25
Z90 = float(stats.norm.ppf(0.9))


# ----------------------------------------------------------------- calendar


def month_end_days(start: dt.date, months: int) -> np.ndarray:
    """Day offsets from ``start`` (a first of the month) of each month end."""
    out = []
    y, m = start.year, start.month
    for _ in range(months):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append((dt.date(y, m, 1) - start).days)
    return np.asarray(out, dtype=float)


# -------------------------------------------------------------------- M/M/c


def erlang_b(c: int, a: float) -> float:
    """Erlang B blocking probability B(c, a), by the stable recursion
    B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Erlang C: the probability that an arrival waits, P(N >= c), in an M/M/c
    queue with offered load a = λ/μ < c.  C = c B / (c - a (1 - B))."""
    if not a < c:
        raise ValueError(f"unstable: offered load {a} >= {c} servers")
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


@dataclass(frozen=True)
class MMc:
    """Steady-state M/M/c FCFS measures for arrival rate ``lam`` and mean service ``es``."""

    c: int
    lam: float
    es: float

    @property
    def a(self) -> float:            # offered load, λ E[S]: mean busy servers
        return self.lam * self.es

    @property
    def rho(self) -> float:
        return self.a / self.c

    @property
    def p_wait(self) -> float:       # Erlang C
        return erlang_c(self.c, self.a)

    @property
    def lq(self) -> float:           # mean number waiting
        return self.p_wait * self.rho / (1.0 - self.rho)

    @property
    def wq(self) -> float:           # mean wait (Little: Lq = λ Wq)
        return self.lq / self.lam

    @property
    def l_system(self) -> float:     # mean number in the system, L = Lq + a
        return self.lq + self.a

    def sample_stationary(self, rng: np.random.Generator) -> int:
        """One draw of the number in the system from the stationary law
        π_n ∝ a^n / n! (n < c), π_n = π_c ρ^(n-c) (n >= c), exactly: with
        probability 1 - C a Poisson(a) truncated to {0..c-1}, else c + a
        Geometric(1 - ρ) count of failures."""
        if rng.random() >= self.p_wait:
            w = stats.poisson.pmf(np.arange(self.c), self.a)      # ∝ a^n / n!, no overflow
            return int(rng.choice(self.c, p=w / w.sum()))
        return self.c + int(rng.geometric(1.0 - self.rho)) - 1


# ---------------------------------------------------- durations (by parameters)


def _scipy_dist(spec: dict):
    d = spec["dist"]
    if d == "lognormal":
        sigma = math.log(spec["p90"] / spec["median"]) / Z90
        return stats.lognorm(s=sigma, scale=spec["median"])
    if d == "gamma":
        shape = (spec["mean"] / spec["sd"]) ** 2
        return stats.gamma(a=shape, scale=spec["sd"] ** 2 / spec["mean"])
    if d == "triangular":
        lo, mo, hi = spec["min"], spec["mode"], spec["max"]
        return stats.triang(c=(mo - lo) / (hi - lo), loc=lo, scale=hi - lo)
    if d == "exponential":
        return stats.expon(scale=spec["mean"])
    raise ValueError(f"no scipy form for {d!r}")


def _empirical(spec: dict):
    a = np.asarray(spec["bins"], dtype=float)
    return a[:, 0], a[:, 1], a[:, 2] / a[:, 2].sum()


def dist_mean(spec: dict) -> float:
    """E[D] from the distribution's parameters."""
    d = spec["dist"]
    if d == "fixed":
        return float(spec["value"])
    if d == "empirical":
        lo, hi, p = _empirical(spec)
        return float(np.sum(p * (lo + hi) / 2))
    return float(_scipy_dist(spec).mean())


def expected_min(spec: dict, t: float) -> float:
    """E[min(D, t)] = ∫_0^t S(u) du: the M/G/∞ mean at time t from empty, per unit λ."""
    d = spec["dist"]
    if t <= 0:
        return 0.0
    if d == "fixed":
        return min(float(spec["value"]), t)
    if d == "exponential":
        m = spec["mean"]
        return m * -math.expm1(-t / m)
    if d == "empirical":
        lo, hi, p = _empirical(spec)
        # Uniform on [lo, hi]: ∫_0^t S = t for t <= lo; lo + ∫_lo^t (hi-u)/(hi-lo) du
        # on [lo, hi]; the mean (lo+hi)/2 beyond.
        x = np.clip(t, lo, hi)
        part = np.where(t <= lo, t, lo + (x - lo) - (x - lo) ** 2 / (2 * (hi - lo)))
        return float(np.sum(p * part))
    dist = _scipy_dist(spec)
    if d == "lognormal":
        # E[D; D <= t] = E[D] Φ((ln t - μ - σ²)/σ), plus t S(t).
        sigma, mu = dist.kwds["s"], math.log(dist.kwds["scale"])
        partial = dist.mean() * stats.norm.cdf((math.log(t) - mu - sigma**2) / sigma)
        return float(partial + t * dist.sf(t))
    if d == "gamma":
        # E[D; D <= t] = E[D] F_{shape+1}(t).
        shape, scale = dist.kwds["a"], dist.kwds["scale"]
        partial = dist.mean() * stats.gamma.cdf(t, shape + 1, scale=scale)
        return float(partial + t * dist.sf(t))
    if d == "triangular":
        # E[min(D, t)] = t - ∫_0^t F(u) du, F piecewise quadratic on [lo, mode], [mode, hi].
        lo, mo, hi = spec["min"], spec["mode"], spec["max"]
        x = min(max(t, lo), mo)
        area = (x - lo) ** 3 / (3 * (hi - lo) * (mo - lo)) if mo > lo else 0.0
        if t > mo and hi > mo:
            y = min(t, hi)
            area += (y - mo) - ((hi - mo) ** 3 - (hi - y) ** 3) / (3 * (hi - lo) * (hi - mo))
        if t > hi:
            area += t - hi
        return float(t - area)
    raise ValueError(f"unknown distribution {d!r}")


def residual_cdf(spec: dict, t: float) -> float:
    """Equilibrium residual life F_e(t) = ∫_0^t S(u) du / E[D] (Cox 1962)."""
    return expected_min(spec, t) / dist_mean(spec)


# --------------------------------------------------------------- statistics


def z_bound(delta: float) -> float:
    """Two-sided normal quantile: P(|Z| > z) = delta."""
    return float(stats.norm.isf(delta / 2))


def t_bound(delta: float, df: int) -> float:
    """Two-sided Student t quantile: P(|T_df| > t) = delta."""
    return float(stats.t.isf(delta / 2, df))


def mean_se(x) -> tuple[float, float]:
    """Mean and standard error of independent replicates."""
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))


def control_variate_mean(y, controls) -> tuple[float, float, int]:
    """Control-variate estimate of E[y] from independent replicates.

    ``controls`` is an (R, q) array of per-replicate statistics whose
    expectations are known and have already been subtracted (so each column
    has mean zero). The estimate is the intercept of the least-squares fit of
    y on the controls; under joint normality of (y, controls), which the long
    runs make accurate, (estimate - E[y]) / se is exactly Student t with
    R - 1 - q degrees of freedom (Lavenberg & Welch 1981; Law & Kelton,
    *Simulation Modeling and Analysis*, §11.3). Returns (estimate, se, df).
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(controls, dtype=float).reshape(y.size, -1)
    r, q = x.shape
    a = np.column_stack([np.ones(r), x])
    beta, *_ = np.linalg.lstsq(a, y, rcond=None)
    resid = y - a @ beta
    df = r - 1 - q
    s2 = float(resid @ resid) / df
    cov = s2 * np.linalg.inv(a.T @ a)
    return float(beta[0]), math.sqrt(cov[0, 0]), df


def dispersion_interval(n: int, delta: float, mean: float) -> tuple[float, float]:
    """Two-sided acceptance interval, at error rate delta, for the index of
    dispersion s² / λ of ``n`` independent Poisson(λ) counts, λ = ``mean``.

    Fisher's (n-1) s² / λ is χ²(n-1) only as λ → ∞; here it is matched to a
    scaled g·χ²(h) with its exact Poisson mean n-1 and variance
    (n-1)² [(1 + 3λ)/(n λ) - (n-3)/(n (n-1))] (from μ4 = λ(1 + 3λ)).
    """
    var = (n - 1) ** 2 * ((1 + 3 * mean) / (n * mean) - (n - 3) / (n * (n - 1)))
    g = var / (2 * (n - 1))
    h = (n - 1) / g
    chi = stats.chi2(h)
    return g * chi.ppf(delta / 2) / (n - 1), g * chi.isf(delta / 2) / (n - 1)


def dkw_epsilon(n: int, delta: float) -> float:
    """Dvoretzky–Kiefer–Wolfowitz–Massart: P(sup |F_n - F| > ε) <= 2 exp(-2 n ε²) = delta."""
    return math.sqrt(math.log(2.0 / delta) / (2.0 * n))
