"""Probability distributions written the way planners think about them.

Each distribution is a small frozen pydantic model, selected in a scenario file
by its ``dist`` key, for example ``{ dist = "lognormal", median = 180, p90 = 540 }``.
Every one knows its mean and variance, samples with a NumPy ``Generator``, and
samples the *equilibrium residual life* (density ``S(x) / E[D]``): the time
still to run on a case or placement that is already under way when the
simulation starts. The residual life is drawn as ``U * L`` where ``L`` is the
length-biased law (density ``x f(x) / E[D]``) and ``U ~ Uniform(0, 1)``; each
length-biased law has a closed form or an exact rejection sampler below.

All values are in days unless a field says otherwise.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError
from scipy import stats

from workforce_sim.scenario.strict import Strict
from workforce_sim.scenario.values import YEARS_100_IN_DAYS, Days, Items, Number

_Z90 = float(stats.norm.ppf(0.9))
_BIN_SUM_TOLERANCE = 0.005


class _Dist(Strict):

    @model_validator(mode="after")
    def _finite_moments(self) -> Any:
        # Each parameter is bounded, yet together they can still overflow (a lognormal
        # with a tiny median and a large p90): the mean and variance must be usable.
        try:
            mean, variance = self.mean, self.variance
        except (OverflowError, ZeroDivisionError):
            mean = variance = math.inf
        if not (math.isfinite(mean) and math.isfinite(variance) and mean > 0):
            raise ValueError("expected parameters giving a finite mean above 0 and a finite variance")
        if mean > YEARS_100_IN_DAYS:
            raise ValueError(f"the mean is {mean:.4g} days; expected at most {YEARS_100_IN_DAYS:,g} "
                             "(100 years, longer than any case or career)")
        return self

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def variance(self) -> float:
        raise NotImplementedError

    @property
    def residual_mean(self) -> float:
        """Mean equilibrium residual life, ``E[D^2] / (2 E[D])``."""
        return (self.variance + self.mean**2) / (2.0 * self.mean)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        raise NotImplementedError

    def sample_length_biased(self, rng: np.random.Generator, size: int) -> np.ndarray:
        raise NotImplementedError

    def sample_residual(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Remaining life of an item found in progress in a stationary renewal process."""
        return rng.random(size) * self.sample_length_biased(rng, size)


class Fixed(_Dist):
    """Always the same value: ``{ dist = "fixed", value = 28 }``."""

    dist: Literal["fixed"]
    value: Days = Field(gt=0, description="the value (days)")

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, rng, size):
        return np.full(size, self.value)

    def sample_length_biased(self, rng, size):
        return np.full(size, self.value)


class Exponential(_Dist):
    """Memoryless: ``{ dist = "exponential", mean = 300 }``."""

    dist: Literal["exponential"]
    mean_: Days = Field(gt=0, alias="mean", description="mean (days)")

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_**2

    def sample(self, rng, size):
        return rng.exponential(self.mean_, size)

    def sample_length_biased(self, rng, size):
        # x f(x) / E[D] for the exponential is Gamma(2, mean).
        return rng.gamma(2.0, self.mean_, size)


class Lognormal(_Dist):
    """Right-skewed durations, given by their median and 90th percentile:
    ``{ dist = "lognormal", median = 180, p90 = 540 }``."""

    dist: Literal["lognormal"]
    median: Days = Field(gt=0, description="median (days)")
    p90: Days = Field(gt=0, description="90th percentile (days); must exceed the median")

    @model_validator(mode="after")
    def _p90_above_median(self):
        if self.p90 <= self.median:
            raise ValueError(f"p90 ({self.p90}) must be greater than median ({self.median})")
        return self

    @property
    def mu(self) -> float:
        return math.log(self.median)

    @property
    def sigma(self) -> float:
        return (math.log(self.p90) - self.mu) / _Z90

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2)

    @property
    def variance(self) -> float:
        s2 = self.sigma**2
        return (math.exp(s2) - 1) * math.exp(2 * self.mu + s2)

    def sample(self, rng, size):
        return rng.lognormal(self.mu, self.sigma, size)

    def sample_length_biased(self, rng, size):
        # Length-biasing a lognormal shifts mu by sigma^2.
        return rng.lognormal(self.mu + self.sigma**2, self.sigma, size)


class Gamma(_Dist):
    """Given by mean and standard deviation: ``{ dist = "gamma", mean = 21, sd = 10 }``."""

    dist: Literal["gamma"]
    mean_: Days = Field(gt=0, alias="mean", description="mean (days)")
    sd: Days = Field(gt=0, description="standard deviation (days)")

    @model_validator(mode="after")
    def _shape_in_range(self) -> Gamma:
        # sd -> 0 makes the shape overflow the sampler; a huge sd gives a law that is
        # almost all zeros. Neither is what a planner means.
        if not (self.mean_ / 1000 <= self.sd <= 100 * self.mean_):
            raise ValueError(f"sd = {self.sd:g} for mean = {self.mean_:g}; expected sd from mean/1000 "
                             "to 100 x mean (for a constant, use dist = \"fixed\")")
        return self

    @property
    def shape(self) -> float:
        return (self.mean_ / self.sd) ** 2

    @property
    def scale(self) -> float:
        return self.sd**2 / self.mean_

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.sd**2

    def sample(self, rng, size):
        return rng.gamma(self.shape, self.scale, size)

    def sample_length_biased(self, rng, size):
        return rng.gamma(self.shape + 1.0, self.scale, size)


class Triangular(_Dist):
    """``{ dist = "triangular", min = 56, mode = 84, max = 168 }``."""

    dist: Literal["triangular"]
    min: Days = Field(ge=0, description="smallest value (days)")
    mode: Days = Field(ge=0, description="most likely value (days)")
    max: Days = Field(gt=0, description="largest value (days)")

    @model_validator(mode="after")
    def _ordered(self):
        if not (self.min <= self.mode <= self.max and self.min < self.max):
            raise ValueError(
                f"expected min <= mode <= max with min < max, got "
                f"min={self.min}, mode={self.mode}, max={self.max}"
            )
        return self

    @property
    def mean(self) -> float:
        return (self.min + self.mode + self.max) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.min, self.mode, self.max
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def sample(self, rng, size):
        return rng.triangular(self.min, self.mode, self.max, size)

    def sample_length_biased(self, rng, size):
        # Exact rejection: propose from f, accept with x / max (acceptance >= 1/3).
        out = np.empty(size)
        filled = 0
        while filled < size:
            need = size - filled
            x = rng.triangular(self.min, self.mode, self.max, 2 * need + 8)
            keep = x[rng.random(x.size) * self.max < x][:need]
            out[filled : filled + keep.size] = keep
            filled += keep.size
        return out


class Empirical(_Dist):
    """Piecewise uniform over bins ``[lower, upper, probability]``:
    ``{ dist = "empirical", bins = [[0, 90, 0.159], [90, 180, 0.11], ...] }``.

    Probabilities must sum to 1 within 0.005 (published tables are rounded);
    they are then rescaled to sum to exactly 1.
    """

    dist: Literal["empirical"]
    bins: Items[tuple[Days, Days, Number]] = Field(
        min_length=1, description="[lower (days), upper (days), probability] per bin"
    )

    @model_validator(mode="after")
    def _valid_bins(self):
        total = 0.0
        for i, (lo, hi, p) in enumerate(self.bins):
            if not (0 <= lo < hi):
                raise ValueError(f"bin {i}: expected 0 <= lower < upper, got [{lo}, {hi}]")
            if not (0 <= p <= 1):
                raise ValueError(f"bin {i}: probability {p} is outside [0, 1]")
            total += p
        if abs(total - 1) > _BIN_SUM_TOLERANCE:
            raise ValueError(f"bin probabilities sum to {total:g}; expected 1")
        return self

    @property
    def _arrays(self):
        a = np.array(self.bins, dtype=float)
        return a[:, 0], a[:, 1], a[:, 2] / a[:, 2].sum()

    @property
    def mean(self) -> float:
        lo, hi, p = self._arrays
        return float(np.sum(p * (lo + hi) / 2))

    @property
    def variance(self) -> float:
        lo, hi, p = self._arrays
        second = np.sum(p * (lo * lo + lo * hi + hi * hi) / 3)
        return float(second - self.mean**2)

    def sample(self, rng, size):
        lo, hi, p = self._arrays
        k = rng.choice(p.size, size=size, p=p)
        return lo[k] + rng.random(size) * (hi[k] - lo[k])

    def sample_length_biased(self, rng, size):
        # Bin weights p * midpoint; within a bin density ∝ x, inverted exactly.
        lo, hi, p = self._arrays
        w = p * (lo + hi) / 2
        k = rng.choice(p.size, size=size, p=w / w.sum())
        return np.sqrt(lo[k] ** 2 + rng.random(size) * (hi[k] ** 2 - lo[k] ** 2))


Distribution = Annotated[
    Fixed | Exponential | Lognormal | Gamma | Triangular | Empirical,
    Field(discriminator="dist"),
]
"""Any of the distributions above, chosen by the ``dist`` key."""

DIST_NAMES = ("fixed", "exponential", "lognormal", "gamma", "triangular", "empirical")


MIN_MEAN_DAYS = 0.25
"""Shortest mean duration (6 hours). Durations renew (placements, hiring rounds, case
pathways), so the events of a run grow as horizon / mean: at 6 hours a 50-year run is
still finite in time, at 1e-300 days it never ends. No case or placement is that short."""


def _long_enough(d: Any) -> Any:
    if d.mean < MIN_MEAN_DAYS:
        raise PydanticCustomError(
            "too_short", "the mean is {mean} days; expected at least 0.25 (6 hours: shorter "
            "durations would make a run take practically forever)", {"mean": f"{d.mean:.3g}"})
    return d


Duration = Annotated[Distribution, AfterValidator(_long_enough)]
"""A :data:`Distribution` of durations with a mean of at least 6 hours."""
