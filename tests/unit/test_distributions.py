"""Distributions: closed-form moments, sampling, residual and length-biased laws, validation.

Every distribution of ``workforce_sim.scenario.distributions`` is checked against an
independent reference built with ``scipy.stats`` from the numbers a planner
writes (not from the package's own parameters):

* ``.mean``, ``.variance`` and ``.residual_mean`` equal the scipy closed forms
  to float tolerance;
* ``sample`` has the right mean and variance (z-bounds) and law (KS test);
* ``sample_length_biased`` has mean E[D^2]/E[D] (z-bound) and law x f(x)/E[D]
  (KS test);
* ``sample_residual`` has mean E[D^2]/(2 E[D]) (z-bound) and the equilibrium
  law with density S(x)/E[D] (KS test against a CDF obtained by integrating the
  reference survival function numerically);
* the lognormal's median and p90 are the ones asked for.

Error rates. Every statistical assertion uses a fixed seed, so the suite is
deterministic; the rates below are the probability that a *correct*
implementation fails the assertion for a seed picked at random:

* z-bounds use delta = 1e-3 (two-sided, z = 3.29) with the exact standard error
  computed from the reference's moments (normal approximation by the CLT; n is
  large, 200,000);
* KS and binomial tests use alpha = 1e-3.

There are 12 distributions x about 8 statistical assertions, so the chance
that the whole file fails by bad luck, for a random seed, is below 0.1.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from workforce_sim.scenario.distributions import DIST_NAMES, Distribution

DELTA = 1e-3                              # error rate of each z-bound (two-sided)
Z = float(stats.norm.isf(DELTA / 2))      # 3.2905
ALPHA = 1e-3                              # level of each KS / binomial test
N = 200_000                               # draws for moment checks
N_KS = 50_000                             # draws for KS tests

ADAPTER = TypeAdapter(Distribution)


def make(spec: dict):
    return ADAPTER.validate_python(spec)


# ------------------------------------------------------------------ references


@dataclass(frozen=True)
class Case:
    id: str
    spec: dict
    ref: object                        # a frozen scipy.stats distribution
    breaks: tuple[float, ...] = ()     # points where the survival function has a kink or jump


def _lognormal_ref(median: float, p90: float):
    sigma = math.log(p90 / median) / stats.norm.ppf(0.9)
    return stats.lognorm(s=sigma, scale=median)


def _triangular_ref(a: float, c: float, b: float):
    return stats.triang(c=(c - a) / (b - a), loc=a, scale=b - a)


def _empirical_ref(bins):
    """Contiguous bins (gaps given as zero-probability bins) as scipy's piecewise uniform."""
    edges = [bins[0][0]] + [hi for _, hi, _ in bins]
    probs = [p for _, _, p in bins]
    return stats.rv_histogram((np.array(probs), np.array(edges, dtype=float)), density=False)


CP_BINS = [[0, 91, 0.159], [91, 182, 0.110], [182, 365, 0.435], [365, 730, 0.252], [730, 1095, 0.044]]
# Probabilities sum to 0.997 (accepted within 0.005, then rescaled); a gap (10, 20).
GAPPED_BINS = [[5, 10, 0.3], [20, 40, 0.497], [40, 100, 0.2]]

CASES = [
    Case("fixed", {"dist": "fixed", "value": 28}, stats.rv_discrete(values=([28.0], [1.0])), (28.0,)),
    Case("exponential", {"dist": "exponential", "mean": 300}, stats.expon(scale=300)),
    Case("lognormal", {"dist": "lognormal", "median": 180, "p90": 540}, _lognormal_ref(180, 540)),
    Case("lognormal-narrow", {"dist": "lognormal", "median": 30, "p90": 45}, _lognormal_ref(30, 45)),
    Case("gamma", {"dist": "gamma", "mean": 21, "sd": 10}, stats.gamma(a=(21 / 10) ** 2, scale=100 / 21)),
    Case("gamma-shape<1", {"dist": "gamma", "mean": 5, "sd": 10}, stats.gamma(a=0.25, scale=20)),
    Case("triangular", {"dist": "triangular", "min": 56, "mode": 84, "max": 168},
         _triangular_ref(56, 84, 168), (56.0, 84.0, 168.0)),
    Case("triangular-mode=min", {"dist": "triangular", "min": 0, "mode": 0, "max": 10},
         _triangular_ref(0, 0, 10), (0.0, 10.0)),
    Case("triangular-mode=max", {"dist": "triangular", "min": 10, "mode": 30, "max": 30},
         _triangular_ref(10, 30, 30), (10.0, 30.0)),
    Case("empirical-cp", {"dist": "empirical", "bins": CP_BINS}, _empirical_ref(CP_BINS),
         (0.0, 91.0, 182.0, 365.0, 730.0, 1095.0)),
    Case("empirical-gapped", {"dist": "empirical", "bins": GAPPED_BINS},
         _empirical_ref([[5, 10, 0.3], [10, 20, 0.0], [20, 40, 0.497], [40, 100, 0.2]]),
         (5.0, 10.0, 20.0, 40.0, 100.0)),
    Case("empirical-one-bin", {"dist": "empirical", "bins": [[10, 50, 1.0]]},
         stats.uniform(loc=10, scale=40), (10.0, 50.0)),
]
CONTINUOUS = [c for c in CASES if c.id != "fixed"]


def _ids(cases):
    return [c.id for c in cases]


def _moments(ref):
    """E[D], Var D, E[D^2], E[D^3] and the central fourth moment of the reference."""
    m1, var = float(ref.mean()), float(ref.var())
    m2, m3 = float(ref.moment(2)), float(ref.moment(3))
    mu4 = (float(ref.stats(moments="k")) + 3.0) * var**2 if var > 0 else 0.0
    return m1, var, m2, m3, mu4


def _z_ok(estimate: float, target: float, se: float) -> tuple[bool, str]:
    bound = Z * se + 1e-12 * abs(target)          # the float term only matters when se == 0
    return abs(estimate - target) <= bound, (
        f"estimate {estimate!r}, expected {target!r} +- {bound:.4g} (z={Z:.3f}, se={se:.4g})"
    )


# --------------------------------------------- equilibrium CDF by numerical integration

_GL_X, _GL_W = np.polynomial.legendre.leggauss(10)


def _integral_sf(ref, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """∫_a^b S(u) du, elementwise, by 10-point Gauss-Legendre on a fine grid (S is smooth on [a, b])."""
    half, mid = (b - a) / 2.0, (b + a) / 2.0
    u = mid[:, None] + half[:, None] * _GL_X
    return half * (ref.sf(u) @ _GL_W)


class EquilibriumCDF:
    """F_e(x) = ∫_0^x S(u) du / E[D], by numerical integration of the reference's survival
    function on a grid that contains every kink of S (so each piece is smooth); a value
    between grid points is integrated from the grid point below, not interpolated."""

    def __init__(self, case: Case, x_max: float):
        ref = case.ref
        lo, hi = ref.support()
        top = float(min(hi, ref.isf(1e-13))) if math.isfinite(hi) else float(ref.isf(1e-13))
        self.x_max = max(x_max, top)
        grid = np.concatenate([
            np.linspace(0.0, self.x_max, 8001),
            np.geomspace(self.x_max * 1e-10, self.x_max, 2001),
            [b for b in case.breaks if 0 <= b <= self.x_max],
        ])
        self.grid = np.unique(grid)
        pieces = _integral_sf(ref, self.grid[:-1], self.grid[1:])
        self.mean = float(ref.mean())
        self.cum = np.concatenate([[0.0], np.cumsum(pieces)]) / self.mean
        self.ref = ref

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        j = np.clip(np.searchsorted(self.grid, x, side="right") - 1, 0, self.grid.size - 1)
        return np.clip(self.cum[j] + _integral_sf(self.ref, self.grid[j], x) / self.mean, 0.0, 1.0)

    def length_biased(self, x):
        """CDF of the length-biased law: ∫_0^x u f(u) du / E[D] = F_e(x) - x S(x) / E[D]."""
        x = np.asarray(x, dtype=float)
        return np.clip(self(x) - x * self.ref.sf(x) / self.mean, 0.0, 1.0)


# ------------------------------------------------------------------ closed forms


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_mean_and_variance_match_scipy_closed_forms(case):
    d = make(case.spec)
    m1, var, m2, _, _ = _moments(case.ref)
    assert d.mean == pytest.approx(m1, rel=1e-12)
    assert d.variance == pytest.approx(var, rel=1e-12, abs=1e-9)
    assert d.residual_mean == pytest.approx(m2 / (2 * m1), rel=1e-12)


def test_every_named_distribution_is_covered():
    assert {c.spec["dist"] for c in CASES} == set(DIST_NAMES)


def test_lognormal_median_and_p90_are_exact():
    for median, p90 in [(180, 540), (30, 45), (27, 50), (1.0, 1.0001)]:
        d = make({"dist": "lognormal", "median": median, "p90": p90})
        implied = stats.lognorm(s=d.sigma, scale=math.exp(d.mu))
        assert implied.ppf(0.5) == pytest.approx(median, rel=1e-12)
        assert implied.ppf(0.9) == pytest.approx(p90, rel=1e-12)
        # and the whole law is the reference's (same sigma, same scale)
        ref = _lognormal_ref(median, p90)
        assert d.sigma == pytest.approx(ref.kwds["s"], rel=1e-12)


# ------------------------------------------------------------------ sampling


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_sample_mean_and_variance(case):
    """Sample mean within z·σ/√n; sample variance within z·SE(s²),
    SE(s²)² = μ4/n − σ⁴(n−3)/(n(n−1)) (exact for iid draws). δ = 1e-3 each."""
    d = make(case.spec)
    m1, var, _, _, mu4 = _moments(case.ref)
    x = d.sample(np.random.default_rng(1001), N)
    assert x.shape == (N,)
    assert np.all(x >= case.ref.support()[0]) and np.all(x <= case.ref.support()[1])
    ok, msg = _z_ok(float(x.mean()), m1, math.sqrt(var / N))
    assert ok, "mean: " + msg
    se_var = math.sqrt(max(mu4 / N - var**2 * (N - 3) / (N * (N - 1)), 0.0))
    ok, msg = _z_ok(float(x.var(ddof=1)), var, se_var)
    assert ok, "variance: " + msg


@pytest.mark.parametrize("case", CONTINUOUS, ids=_ids(CONTINUOUS))
def test_sample_law_ks(case):
    """KS test of ``sample`` against the scipy reference CDF at alpha = 1e-3."""
    x = make(case.spec).sample(np.random.default_rng(1002), N_KS)
    res = stats.kstest(x, case.ref.cdf)
    assert res.pvalue > ALPHA, f"KS D={res.statistic:.4g}, p={res.pvalue:.3g}"


def test_lognormal_sample_quantiles():
    """The sample median and p90 are the ones asked for: the number of draws at or
    below `median` (`p90`) is Binomial(n, 0.5) (Binomial(n, 0.9)); exact two-sided
    binomial tests at alpha = 1e-3 (equivalently, the asked value lies inside the
    distribution-free order-statistic confidence interval of the sample quantile)."""
    for median, p90, seed in [(180, 540, 11), (30, 45, 12)]:
        x = make({"dist": "lognormal", "median": median, "p90": p90}).sample(
            np.random.default_rng(seed), N)
        for q, value in [(0.5, median), (0.9, p90)]:
            k = int(np.count_nonzero(x <= value))
            p = stats.binomtest(k, N, q).pvalue
            assert p > ALPHA, f"q={q}: {k} of {N} draws <= {value} (p={p:.3g}); " \
                              f"sample quantile {np.quantile(x, q):.4g}"


# ------------------------------------------------------- length-biased and residual life


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_length_biased_mean(case):
    """E[L] = E[D²]/E[D], Var L = E[D³]/E[D] − (E[D²]/E[D])²; z-bound at δ = 1e-3."""
    d = make(case.spec)
    m1, _, m2, m3, _ = _moments(case.ref)
    x = d.sample_length_biased(np.random.default_rng(1003), N)
    assert x.shape == (N,)
    mean_l = m2 / m1
    var_l = m3 / m1 - mean_l**2
    ok, msg = _z_ok(float(x.mean()), mean_l, math.sqrt(max(var_l, 0.0) / N))
    assert ok, msg


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_residual_mean(case):
    """R = U·L, so E[R] = E[D²]/(2E[D]) and Var R = E[D³]/(3E[D]) − E[R]²
    (computed exactly from the reference's moments); z-bound at δ = 1e-3."""
    d = make(case.spec)
    m1, _, m2, m3, _ = _moments(case.ref)
    x = d.sample_residual(np.random.default_rng(1004), N)
    assert x.shape == (N,)
    assert np.all(x >= 0)
    mean_r = m2 / (2 * m1)
    var_r = m3 / (3 * m1) - mean_r**2
    ok, msg = _z_ok(float(x.mean()), mean_r, math.sqrt(var_r / N))
    assert ok, msg
    assert d.residual_mean == pytest.approx(mean_r, rel=1e-12)


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_residual_law_is_equilibrium_ks(case):
    """KS test of ``sample_residual`` against F_e(x) = ∫_0^x S(u)du / E[D] at alpha = 1e-3."""
    x = make(case.spec).sample_residual(np.random.default_rng(1005), N_KS)
    cdf = EquilibriumCDF(case, float(x.max()))
    # the numerical integral of S over the support must give back E[D]
    assert cdf.cum[-1] == pytest.approx(1.0, abs=1e-7)
    res = stats.kstest(x, cdf)
    assert res.pvalue > ALPHA, f"KS D={res.statistic:.4g}, p={res.pvalue:.3g}"


@pytest.mark.parametrize("case", CONTINUOUS, ids=_ids(CONTINUOUS))
def test_length_biased_law_ks(case):
    """KS test of ``sample_length_biased`` against ∫_0^x u f(u)du / E[D] at alpha = 1e-3."""
    x = make(case.spec).sample_length_biased(np.random.default_rng(1006), N_KS)
    cdf = EquilibriumCDF(case, float(x.max()))
    res = stats.kstest(x, cdf.length_biased)
    assert res.pvalue > ALPHA, f"KS D={res.statistic:.4g}, p={res.pvalue:.3g}"


def test_fixed_length_biased_and_residual():
    d = make({"dist": "fixed", "value": 28})
    rng = np.random.default_rng(1007)
    assert np.all(d.sample(rng, 100) == 28.0)
    assert np.all(d.sample_length_biased(rng, 100) == 28.0)
    r = d.sample_residual(rng, 1000)
    assert np.all((r >= 0) & (r < 28))


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_sampling_is_reproducible_and_sized(case):
    d = make(case.spec)
    for method in ("sample", "sample_length_biased", "sample_residual"):
        a = getattr(d, method)(np.random.default_rng(5), 1000)
        b = getattr(d, method)(np.random.default_rng(5), 1000)
        np.testing.assert_array_equal(a, b)
        assert getattr(d, method)(np.random.default_rng(5), 0).shape == (0,)
        assert getattr(d, method)(np.random.default_rng(5), 1).shape == (1,)


# ------------------------------------------------------------------ the schema


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_round_trip_by_alias(case):
    d = make(case.spec)
    again = make(ADAPTER.dump_python(d, by_alias=True))
    assert again == d
    assert again.mean == d.mean and again.variance == d.variance


def test_frozen():
    d = make({"dist": "gamma", "mean": 21, "sd": 10})
    with pytest.raises(ValidationError):
        d.sd = 3


def _error(spec: dict) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        ADAPTER.validate_python(spec)
    return info.value


@pytest.mark.parametrize("spec, message", [
    ({"dist": "lognormal", "median": 180, "p90": 180}, r"p90 \(180(\.0)?\) must be greater than median"),
    ({"dist": "lognormal", "median": 180, "p90": 90}, r"p90 \(90(\.0)?\) must be greater than median"),
    ({"dist": "triangular", "min": 56, "mode": 200, "max": 168}, r"expected min <= mode <= max"),
    ({"dist": "triangular", "min": 90, "mode": 84, "max": 168}, r"expected min <= mode <= max"),
    ({"dist": "triangular", "min": 10, "mode": 10, "max": 10}, r"min < max"),
    ({"dist": "empirical", "bins": [[0, 90, 0.5], [90, 180, 0.4]]}, r"sum to 0\.9\b.*expected 1"),
    ({"dist": "empirical", "bins": [[0, 90, 0.5], [90, 180, 0.494]]}, r"sum to 0\.994.*expected 1"),
    ({"dist": "empirical", "bins": [[0, 90, 0.5], [90, 180, 0.506]]}, r"sum to 1\.006.*expected 1"),
    ({"dist": "empirical", "bins": [[-5, 90, 0.5], [90, 180, 0.5]]}, r"bin 0: expected 0 <= lower < upper"),
    ({"dist": "empirical", "bins": [[0, 90, 0.5], [90, 90, 0.5]]}, r"bin 1: expected 0 <= lower < upper"),
    ({"dist": "empirical", "bins": [[0, 90, 1.2], [90, 180, -0.2]]}, r"bin 0: probability 1\.2 is outside"),
    ({"dist": "empirical", "bins": [[0, 90, 0.5], [90, 180, -0.1], [180, 200, 0.6]]},
     r"bin 1: probability -0\.1 is outside \[0, 1\]"),
    ({"dist": "empirical", "bins": []}, r"at least 1 item"),
    ({"dist": "fixed", "value": -28}, r"greater than 0"),
    ({"dist": "fixed", "value": 0}, r"greater than 0"),
    ({"dist": "exponential", "mean": -300}, r"greater than 0"),
    ({"dist": "lognormal", "median": -1, "p90": 5}, r"greater than 0"),
    ({"dist": "gamma", "mean": 21, "sd": -10}, r"greater than 0"),
    ({"dist": "triangular", "min": -1, "mode": 5, "max": 10}, r"greater than or equal to 0"),
    ({"dist": "weibull", "shape": 2}, r"'weibull'.*does not match any of the expected tags"),
    ({"mean": 300}, r"Unable to extract tag using discriminator 'dist'"),
    ({"dist": "gamma", "mean": 21}, r"Field required"),
])
def test_validation_errors_name_the_problem(spec, message):
    err = _error(spec)
    assert any(re.search(message, e["msg"]) for e in err.errors()), str(err)


def test_validation_errors_locate_the_field():
    assert _error({"dist": "fixed", "value": -1}).errors()[0]["loc"] == ("fixed", "value")
    assert _error({"dist": "gamma", "mean": 21, "sd": 0}).errors()[0]["loc"] == ("gamma", "sd")
    locs = [e["loc"] for e in _error({"dist": "weibull"}).errors()]
    assert locs == [()]
    msg = _error({"dist": "weibull"}).errors()[0]["msg"]
    for name in DIST_NAMES:                        # the message lists the valid choices
        assert name in msg


def test_unknown_key_is_refused():
    """extra="forbid": an unknown (or misspelt) key is refused, with the key and a hint."""
    err = _error({"dist": "fixed", "value": 28, "mean": 28})
    (e,) = err.errors()
    assert e["type"] == "unknown_key" and e["loc"] == ("fixed",)
    assert e["ctx"]["key"] == "mean" and e["ctx"]["allowed"] == "dist, value"
    (e,) = _error({"dist": "gamma", "mean": 21, "sdd": 10}).errors()
    assert e["ctx"]["key"] == "sdd" and "'sd'" in e["ctx"]["hint"]


def test_unknown_key_message_names_the_key():
    """Regression: strict.py once raised with the template 'unknown key {key!r}', which
    pydantic-core does not format, so the message did not name the key."""
    (e,) = _error({"dist": "fixed", "value": 28, "mean": 28}).errors()
    assert "mean" in e["msg"]
    assert "mean" in str(_error({"dist": "fixed", "value": 28, "mean": 28}))
    (e,) = _error({"dist": "gamma", "mean": 21, "sdd": 10}).errors()
    assert "sdd" in e["msg"] and "'sd'" in e["msg"]          # the key and a "did you mean"


@pytest.mark.parametrize("total", [0.996, 1.004, 1.0])
def test_empirical_probabilities_within_tolerance_are_rescaled(total):
    d = make({"dist": "empirical", "bins": [[0, 10, 0.5], [10, 20, total - 0.5]]})
    p = 0.5 / total
    expected_mean = p * 5 + (1 - p) * 15
    assert d.mean == pytest.approx(expected_mean, rel=1e-12)
    x = d.sample(np.random.default_rng(3), N)
    k = int(np.count_nonzero(x < 10))
    assert stats.binomtest(k, N, p).pvalue > ALPHA
