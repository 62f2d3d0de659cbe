"""What every council's census history up to a year says about how the
parameters move: the trends a council scenario carries (``[trends]``).

Each parameter the census gives only year by year (turnover, the recruitment
success its starters imply, agency cover, the establishment's growth, the cases
social workers hold) is computed for every council and census year and put on
its own scale: the log, except the establishment's growth, which is a log
growth already (a success above 1 means hires faster than the time to hire
allows, and acts as 1). One pooled AR(1) across councils, with the council's
own running mean as a second regressor, is fitted by least squares on every
pair with ``t+1 ≤ year``: ``z[t+1] = a + b·z[t] + c·m[t] + e`` (Box, Jenkins
and Reinsel, *Time Series Analysis*, 4th ed., §3.2, pooled across units as in
panel forecasting), so a council returns toward its own level
``(a + c·m) / (1 − b)``. A census figure for a small council is itself noisy
(a rate of 20 leavers moves by ±4.5 in a year by chance alone), and the model
draws that noise again for itself, so the shock given to a trend is the
residual variance less the mean sampling variance of the pairs (a
method-of-moments split; Poisson counts for leavers, starters and cases), and
never below zero. The caseload-pressure elasticity of turnover is fitted from
the same census (:func:`pressure_fit`).

The establishment's growth has a third regressor: ``log(caseload[t] / the
council's running mean caseload to t)``, the census caseload (cases per
case-holding FTE). Councils whose caseload is above their own mean grow their
posts the next year; the coefficient is the establishment review's response
(:func:`caseload_response`), fitted jointly so that the growth trend's shock is
what the caseload does not explain.

Nothing dated after 30 September of ``year`` is read.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workforce_sim.data.councils import SERIES
from workforce_sim.data.tables import local_authority_rows, number, read_rows
from workforce_sim.scenario.distributions import Triangular

DAYS_PER_YEAR = 365.25
#: The recruitment process a council scenario is written with, and the success
#: probability inverted through: 8-24 weeks to hire, mode 12 [E]; 30 days to re-advertise.
TIME_TO_HIRE = Triangular(dist="triangular", min=56, mode=84, max=168)
READVERTISE_DAYS = 30

#: Bounds each parameter is clipped to before its scale is taken (a census
#: figure of 0 or a ratio to 0 vacancies has no log).
BOUNDS = {"turnover": (0.01, 1.5), "recruitment_success": (0.01, 5.0),
          "agency_cover": (0.05, 5.0), "establishment_growth": (-0.5, 0.5),
          "demand": (1.0, 1e7)}


#: A service this size has leavers every year: a census turnover of 0 for it is
#: taken as not reported (Manchester, Oldham and Lewisham published 0 in 2022).
UNREPORTED_ZERO_FTE = 20.0


def unreported_zero(rate: float, in_post_fte: float) -> bool:
    """True for a flow published as 0 by a service of at least :data:`UNREPORTED_ZERO_FTE`."""
    return rate == 0 and in_post_fte >= UNREPORTED_ZERO_FTE


def success_from_starters(vacant_fte: float, starters_fte: float) -> float | None:
    """The success probability at which the model's hire rate per vacancy is the
    census's: a post takes ``(time to hire + R) / p − R`` days to fill, and
    ``vacant / starters`` years (None without vacancies or starters). Not capped
    at 1: above 1, hires come faster than the time to hire allows."""
    if not vacant_fte > 0 or not starters_fte > 0:
        return None
    fill_days = DAYS_PER_YEAR * vacant_fte / starters_fte
    return (TIME_TO_HIRE.mean + READVERTISE_DAYS) / (fill_days + READVERTISE_DAYS)


@dataclass(frozen=True)
class Fit:
    """A pooled AR(1) of one parameter on its own scale, with each council's own mean:
    ``z[t+1] = a + b·z[t] + c·m[t] + e``, ``m[t]`` the council's mean of ``z`` up to ``t``."""

    name: str
    a: float
    b: float               # the persistence
    c: float               # the weight of the council's own mean
    sd: float              # the shock given to a trend: residual less sampling noise
    residual_sd: float
    sampling_sd: float     # root mean sampling variance of the pairs
    pairs: int
    first: int             # the first and last years of the pairs' later member
    last: int
    caseload: float = 0.0  # the weight of log(caseload / the council's mean caseload), if fitted
    caseload_se: float = 0.0

    def long_run(self, mean: float) -> float:
        """The level a council whose own mean is ``mean`` (on the scale) returns to."""
        _, back = _scale(self.name)
        return back((self.a + self.c * mean) / (1 - self.b))

    def says(self, mean: float, years: str) -> str:
        noise = (f", less sampling noise {self.sampling_sd:.3f}" if self.sampling_sd else "")
        scale = "" if self.name == "establishment_growth" else " (z: the value's log)"
        caseload = (f" {self.caseload:+.3f}·log(caseload / its mean)"
                    if self.name == "establishment_growth" and self.caseload_se else "")
        return (f"[D] pooled AR(1) with the council's own mean, on every council's census pairs "
                f"{self.first - 1}→{self.first} … {self.last - 1}→{self.last} (n = {self.pairs}), "
                f"z' = {self.a:.3f} {self.b:+.3f}·z {self.c:+.3f}·mean{caseload}{scale}; this council's "
                f"mean {_level(self.name, _scale(self.name)[1](mean))} ({years}); residual sd "
                f"{self.residual_sd:.3f}{noise}")


def _level(name: str, x: float) -> str:
    """A council's mean, as the reader knows the quantity."""
    return f"{x:,.0f}" if name == "demand" else f"{x:.3f}"


def _scale(name: str) -> tuple[Callable[[float], float], Callable[[float], float]]:
    if name == "establishment_growth":
        return (lambda x: x), (lambda x: x)
    return math.log, math.exp


def _fit(name: str, rows: list[tuple[float, ...]], first: int, last: int) -> Fit:
    """``rows`` of (z[t], m[t], z[t+1], sampling variance of z[t+1]) on the scale, each
    with a fifth member for the establishment's growth: log(caseload[t] / its mean)."""
    cols = [np.array(c, float) for c in zip(*rows, strict=True)]
    x, m, y, var = cols[:4]
    X = np.column_stack([np.ones_like(x), x, m, *cols[4:]])
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    resid = y - X @ beta
    dof = max(1, len(x) - X.shape[1])
    residual_var = float(resid @ resid) / dof
    sampling_var = float(var.mean())
    caseload = se = 0.0
    if X.shape[1] == 4:
        caseload = float(beta[3])
        # pinv: in the census's first years a council's mean growth is its one growth
        se = math.sqrt(float(np.linalg.pinv(X.T @ X)[3, 3]) * residual_var)
    return Fit(name, float(beta[0]), min(max(float(beta[1]), -0.99), 0.99), float(beta[2]),
               math.sqrt(max(0.0, residual_var - sampling_var)), math.sqrt(residual_var),
               math.sqrt(sampling_var), len(x), first, last, caseload, se)


def _series(rows: list[dict[str, str]]) -> dict[str, dict[tuple[str, int], tuple[float, float]]]:
    """Each parameter by (council, year): its value on its scale and that value's sampling variance."""
    out: dict[str, dict[tuple[str, int], tuple[float, float]]] = {k: {} for k in BOUNDS}
    establishment: dict[tuple[str, int], float] = {}

    def put(name: str, key: tuple[str, int], value: float, var: float) -> None:
        lo, hi = BOUNDS[name]
        scale, _ = _scale(name)
        out[name][key] = (scale(min(hi, max(lo, value))), var)

    for r in rows:
        key = (r["old_la_code"], int(r["time_period"][:4]))
        f = {c: number(r[c])[0] for c in ("inpost_fte", "starters_fte", "leavers_fte",
                                         "turnover_rate_fte", "agency_fte", "vacancy_fte",
                                         "cases")}
        in_post, vacant = f["inpost_fte"], f["vacancy_fte"]
        turnover = f["turnover_rate_fte"] / 100
        if turnover > 0 and in_post > 0:   # a 0 is unreported or a tiny service: left out
            # Poisson leavers: var(log rate) = 1 / expected leavers
            put("turnover", key, turnover, 1 / max(1.0, turnover * in_post))
        p = success_from_starters(vacant, f["starters_fte"])
        if p is not None:
            put("recruitment_success", key, p, 1 / max(1.0, f["starters_fte"]))
        if vacant > 0 and not math.isnan(f["agency_fte"]):
            put("agency_cover", key, f["agency_fte"] / vacant, 0.0)
        if in_post > 0 and not math.isnan(vacant):
            establishment[key] = in_post + vacant
        if f["cases"] > 0:                  # the cases social workers hold: Poisson-like
            put("demand", key, f["cases"], 1 / f["cases"])
    for (code, year), e in establishment.items():
        before = establishment.get((code, year - 1))
        if before:
            put("establishment_growth", (code, year), math.log(e / before), 0.0)
    return out


Series = dict[str, dict[tuple[str, int], tuple[float, float]]]


def _caseloads(rows: list[dict[str, str]]) -> dict[tuple[str, int], tuple[float, float]]:
    """The census caseload (cases per case-holding FTE) by (council, year), where above 0."""
    out = {}
    for r in rows:
        c = number(r["caseload_fte"])[0]
        if c > 0:
            out[(r["old_la_code"], int(r["time_period"][:4]))] = (c, 0.0)
    return out


@functools.lru_cache(maxsize=16)
def _history(year: int, data: str | None) -> tuple[Series, Mapping[str, Fit]]:
    _, rows = read_rows(SERIES["workforce"], data)
    read = [r for r in local_authority_rows(rows) if int(r["time_period"][:4]) <= year]
    series = _series(read)
    series["caseload"] = caseloads = _caseloads(read)
    caseload_means = _running_means(caseloads)
    fits = {}
    for name, values in series.items():
        if name not in BOUNDS:
            continue
        pairs: list[tuple[float, ...]] = []
        years, means = [], _running_means(values)
        for (code, t), (z, _) in values.items():
            later = values.get((code, t + 1))
            if later is None:
                continue
            row: tuple[float, ...] = (z, means[(code, t)], later[0], later[1])
            if name == "establishment_growth":      # beside the caseload, where there is one
                c = caseloads.get((code, t))
                if c is None:
                    continue
                row += (math.log(c[0] / caseload_means[(code, t)]),)
            pairs.append(row)
            years.append(t + 1)
        if len(pairs) >= 20:
            fits[name] = _fit(name, pairs, min(years), max(years))
    return series, fits


def _running_means(values: dict[tuple[str, int], tuple[float, float]]) -> dict[tuple[str, int], float]:
    """Each council's mean of z over its years up to and including each year."""
    by: dict[str, list[tuple[int, float]]] = {}
    for (c, y), (z, _) in values.items():
        by.setdefault(c, []).append((y, z))
    out = {}
    for c, seen in by.items():
        total = 0.0
        for i, (y, z) in enumerate(sorted(seen), 1):
            total += z
            out[(c, y)] = total / i
    return out


@dataclass(frozen=True)
class CouncilTrend:
    """A council's trend for one parameter: the pooled fit at the council's own mean."""

    fit: Fit
    mean: float            # the council's mean of z up to the year
    years: str             # the census years that mean is over

    @property
    def long_run(self) -> float:
        return self.fit.long_run(self.mean)

    def says(self) -> str:
        return self.fit.says(self.mean, self.years)


def council_trends(code: str, year: int, data: str | Path | None = None) -> dict[str, CouncilTrend]:
    """The trends of one council's parameters from every council's census up to ``year``.

    Parameters
    ----------
    code : str
        The council's DfE code, as in the census (``"884"``).
    year : int
        The last census year read (the scenario's start).
    data : str or Path, optional
        A folder with the DfE's files; default the shipped ones.

    Returns
    -------
    dict of str to CouncilTrend
        By trend name (``turnover``, ``recruitment_success``, ``agency_cover``,
        ``establishment_growth``): those with a pooled fit (20 pairs or more) and
        at least one census figure of the council's own.
    """
    series, fits = _history(int(year), None if data is None else str(data))
    out = {}
    for name, fit in fits.items():
        own = sorted(y for (c, y) in series[name] if c == code and y <= year)
        if own:
            span = f"{own[0]}" if len(own) == 1 else f"{own[0]}-{own[-1]}, {len(own)} years"
            out[name] = CouncilTrend(fit, _running_means(series[name])[(code, own[-1])], span)
    return out


@dataclass(frozen=True)
class CaseloadResponse:
    """How a council's posts follow its caseload: the establishment growth fit's caseload
    term, and the council's own mean caseload up to the year (the review's target)."""

    fit: Fit
    target: float          # the council's mean census caseload
    years: str             # the census years that mean is over

    @property
    def response(self) -> float:
        """The coefficient, as a share of the gap closed a year (0 to 1)."""
        return min(1.0, max(0.0, self.fit.caseload))

    def says(self) -> str:
        f = self.fit
        clipped = "" if self.response == f.caseload else f", taken as {self.response:g}"
        return (f"[D] census pairs {f.first - 1}→{f.first} … {f.last - 1}→{f.last} "
                f"(n = {f.pairs}): next year's log growth of in post + vacancies rises "
                f"{f.caseload:.3f} (standard error {f.caseload_se:.3f}) per unit of log "
                f"caseload above the council's own mean, fitted with the growth trend{clipped}")


def caseload_response(code: str, year: int,
                      data: str | Path | None = None) -> CaseloadResponse | None:
    """How the census up to ``year`` says a council's posts follow its caseload.

    Parameters
    ----------
    code : str
        The council's DfE code.
    year : int
        The last census year read.
    data : str or Path, optional
        A folder with the DfE's files; default the shipped ones.

    Returns
    -------
    CaseloadResponse or None
        None without a growth fit (fewer than 20 pairs) or a caseload of the council's own.
    """
    series, fits = _history(int(year), None if data is None else str(data))
    fit = fits.get("establishment_growth")
    own = sorted((y, c) for (k, y), (c, _) in series["caseload"].items()
                 if k == code and y <= year)
    if fit is None or not own:
        return None
    span = f"{own[0][0]}" if len(own) == 1 else f"{own[0][0]}-{own[-1][0]}, {len(own)} years"
    return CaseloadResponse(fit, sum(c for _, c in own) / len(own), span)


@dataclass(frozen=True)
class PressureFit:
    """How much next year's turnover rises when a council's caseload is above its own
    mean: ``log turnover[t+1] = a + b·z[t] + c·m[t] + e·(caseload[t] / its mean to t − 1)``."""

    elasticity: float
    se: float
    pairs: int
    first: int
    last: int

    def says(self) -> str:
        return (f"[D] census pairs {self.first - 1}→{self.first} … {self.last - 1}→{self.last} "
                f"(n = {self.pairs}): next year's log turnover rises {self.elasticity:.2f} "
                f"(standard error {self.se:.2f}) per unit of caseload above the council's own "
                "mean, beside the turnover trend's AR(1)")


@functools.lru_cache(maxsize=16)
def _pressure(year: int, data: str | None) -> PressureFit | None:
    _, rows = read_rows(SERIES["workforce"], data)
    turnover: dict[tuple[str, int], tuple[float, float]] = {}
    caseload: dict[tuple[str, int], tuple[float, float]] = {}
    for r in local_authority_rows(rows):
        key = (r["old_la_code"], int(r["time_period"][:4]))
        t, c = number(r["turnover_rate_fte"])[0], number(r["caseload_fte"])[0]
        if key[1] <= year and t > 0 and c > 0:
            turnover[key] = (math.log(t / 100), 0.0)
            caseload[key] = (c, 0.0)
    m_t, m_c = _running_means(turnover), _running_means(caseload)
    x, y, years = [], [], []
    for (code, t), (z, _) in turnover.items():
        later = turnover.get((code, t + 1))
        if later is not None:
            x.append((1.0, z, m_t[(code, t)], caseload[(code, t)][0] / m_c[(code, t)] - 1))
            y.append(later[0])
            years.append(t + 1)
    if len(y) < 20:
        return None
    X, Y = np.array(x), np.array(y)
    beta = np.linalg.lstsq(X, Y, rcond=None)[0]
    resid = Y - X @ beta
    cov = np.linalg.inv(X.T @ X) * float(resid @ resid) / (len(Y) - X.shape[1])
    return PressureFit(float(beta[3]), float(math.sqrt(cov[3, 3])), len(Y), min(years), max(years))


def pressure_fit(year: int, data: str | Path | None = None) -> PressureFit | None:
    """The caseload-pressure elasticity of turnover the census up to ``year`` supports.

    Parameters
    ----------
    year : int
    data : str or Path, optional

    Returns
    -------
    PressureFit or None
        None with fewer than 20 pairs.
    """
    return _pressure(int(year), None if data is None else str(data))
