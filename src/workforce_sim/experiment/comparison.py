"""Comparing scenarios on common random numbers, and sweeping a grid of values.

Replication ``k`` of every scenario uses the same named random streams, so two
scenarios that differ in one lever see the same referrals, durations,
leaving thresholds, ... wherever they agree. The difference of a metric is
then taken replication by replication (paired), and its t-interval is far
narrower than the one from two independent sets of runs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sized
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from workforce_sim.experiment.runner import (
    ArgumentError,
    Runner,
    check_experiment,
    check_replications,
    run,
)
from workforce_sim.results.analysis import t_interval
from workforce_sim.results.money import price_base_label
from workforce_sim.results.tables import Results
from workforce_sim.scenario.schema import Scenario


def horizon_total(metric: str, team: str = "all") -> Callable[[pd.DataFrame], pd.Series]:
    """An output for :meth:`Comparison.differences` and friends: per replication, the
    total of a flow or money column over the horizon.

    Parameters
    ----------
    metric : str
        A column of the monthly table, such as ``"cost_agency"`` or ``"referrals"``.
    team : str, default "all"
        A team's name, or ``"all"`` for the whole service.

    Returns
    -------
    Callable[[pandas.DataFrame], pandas.Series]
        A function of the monthly table giving one value per replication
        (indexed by replication), named ``"total <metric>"``.
    """
    def f(monthly: pd.DataFrame) -> pd.Series:
        return monthly[monthly["team"] == team].groupby("replication")[metric].sum()
    f.__name__ = f"total {metric}"
    return f


def at_month(metric: str, month: int | None = None, team: str = "all"):
    """An output for :meth:`Comparison.differences` and friends: per replication, a
    column's value at one month.

    Parameters
    ----------
    metric : str
        A column of the monthly table, such as ``"agency_rate"``.
    month : int, optional
        The month number (1 = the first month of the horizon); default the last.
    team : str, default "all"
        A team's name, or ``"all"`` for the whole service.

    Returns
    -------
    Callable[[pandas.DataFrame], pandas.Series]
        A function of the monthly table giving one value per replication
        (indexed by replication), named ``"<metric> at month <month>"``.
    """
    def f(monthly: pd.DataFrame) -> pd.Series:
        df = monthly[monthly["team"] == team]
        months = sorted(df["month"].unique())
        when = months[-1] if month is None else months[month - 1]
        return df[df["month"] == when].set_index("replication")[metric]
    f.__name__ = f"{metric} at month {month or 'last'}"
    return f


def horizon_mean(metric: str, team: str = "all"):
    """An output for :meth:`Comparison.differences` and friends: per replication, a
    column's mean over the months of the horizon. A column name given as an
    output means this.

    Parameters
    ----------
    metric : str
        A column of the monthly table, such as ``"caseload"``.
    team : str, default "all"
        A team's name, or ``"all"`` for the whole service.

    Returns
    -------
    Callable[[pandas.DataFrame], pandas.Series]
        A function of the monthly table giving one value per replication
        (indexed by replication), named ``"mean <metric>"``.
    """
    def f(monthly: pd.DataFrame) -> pd.Series:
        return monthly[monthly["team"] == team].groupby("replication")[metric].mean()
    f.__name__ = f"mean {metric}"
    return f


def _as_output(output) -> Callable[[pd.DataFrame], pd.Series]:
    if callable(output):
        return output
    if isinstance(output, str):
        return horizon_mean(output)
    raise TypeError("output must be a column name or a function of the monthly table")


@dataclass(frozen=True)
class Comparison:
    """Results of several scenarios run on common random numbers (made by :func:`compare`).

    Parameters
    ----------
    results : dict of str to Results
        Each scenario's results, by name, in the order given.
    baseline : str
        The name of the scenario the others are compared with.
    interrupted : bool, default False
        Ctrl-C stopped the comparison: ``results`` holds the scenarios that ran,
        the last of them perhaps only in part (its own ``interrupted``).
    """

    results: dict[str, Results]
    baseline: str
    interrupted: bool = False

    def values(self, output) -> pd.DataFrame:
        """Per replication (rows) and scenario (columns): ``output``'s value.

        Parameters
        ----------
        output : str or callable
            A column name (its mean over the horizon, as :func:`horizon_mean`) or a
            function of the monthly table returning one value per replication (see
            :func:`horizon_total`, :func:`at_month`).

        Returns
        -------
        pandas.DataFrame
            One row per replication, one column per scenario.
        """
        f = _as_output(output)
        return pd.DataFrame({name: f(r.monthly) for name, r in self.results.items()})

    def differences(self, output="cost_agency", confidence: float = 0.95) -> pd.DataFrame:
        """Each scenario against the baseline: the mean of ``output``, the paired
        difference with its t-interval, and the unpaired (Welch) interval the same
        runs would give without common random numbers, for comparison.

        Parameters
        ----------
        output : str or callable, default "cost_agency"
            A column name (its mean over the horizon) or a function of the monthly
            table returning one value per replication (see :func:`horizon_total`,
            :func:`at_month`).
        confidence : float, default 0.95
            The confidence level of the intervals.

        Returns
        -------
        pandas.DataFrame
            One row per scenario (the baseline included, with a difference of 0):
            ``scenario``, ``mean``, ``difference``, ``paired_ci_low``,
            ``paired_ci_high``, ``unpaired_ci_low``, ``unpaired_ci_high``, ``n``.
        """
        v = self.values(output)
        base = v[self.baseline]
        rows = []
        for name in v.columns:
            mean, lo, hi, n = t_interval(v[name] - base, confidence)
            w_lo, w_hi = _welch(v[name], base, confidence)
            rows.append({"scenario": name, "mean": v[name].mean(), "difference": mean,
                         "paired_ci_low": lo, "paired_ci_high": hi,
                         "unpaired_ci_low": w_lo, "unpaired_ci_high": w_hi, "n": n})
        return pd.DataFrame(rows)


def _welch(a: pd.Series, b: pd.Series, confidence: float) -> tuple[float, float]:
    a, b = a.dropna().to_numpy(float), b.dropna().to_numpy(float)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = np.sqrt(va + vb)
    if se == 0:
        d = a.mean() - b.mean()
        return d, d
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = stats.t.ppf(0.5 + confidence / 2, dof) * se
    d = a.mean() - b.mean()
    return d - half, d + half


def compare(scenarios: Mapping[str, Scenario], replications: int = 100, seed: int = 0, *,
            baseline: str | None = None, runner: Runner | None = None,
            **run_options: Any) -> Comparison:
    """Run each scenario with the same seed and replications (common random numbers).

    Parameters
    ----------
    scenarios : mapping of str to Scenario
        The scenarios by name (at most :data:`~workforce_sim.experiment.runner.MAX_POINTS`).
    replications : int, default 100
        Replications of each scenario (a whole number >= 1; at most 1,000,000 in all).
    seed : int, default 0
        Whole number >= 0, the same for every scenario.
    baseline : str, optional
        The scenario the others are compared with (default the first).
    runner : callable, optional
        The function that runs replications (for tests and custom runners): called as
        ``runner(scenario, replications, seed, **run_options)``, returning Results.
        Default :func:`~workforce_sim.run`.
    **run_options
        Passed to :func:`~workforce_sim.run` (``workers``, ``executor``, ``progress``, ...).

    Returns
    -------
    Comparison
        Each scenario's results; :meth:`Comparison.differences` gives the paired
        differences.

    Raises
    ------
    TypeError, ArgumentError
        Bad arguments (see :func:`~workforce_sim.run`), no scenario, or too many runs in
        all; all before anything runs.
    KeyError
        ``baseline`` is not one of the scenarios.

    Examples
    --------
    >>> import workforce_sim as ws
    >>> base = ws.load_scenario().with_changes({"horizon_months": 12})
    >>> faster = base.with_changes({"recruitment.success_probability": 0.3})
    >>> c = ws.compare({"baseline": base, "easier hiring": faster}, replications=4,
    ...                progress=False, workers=1)
    >>> c.differences("vacancy_rate")["scenario"].tolist()
    ['baseline', 'easier hiring']
    """
    if not scenarios:
        raise ArgumentError("compare needs at least one scenario")
    replications = check_replications(replications)
    check_experiment("compare", len(scenarios), replications)
    for name, s in scenarios.items():
        if not isinstance(s, Scenario):
            raise TypeError(f"scenario {name!r}: expected a Scenario (see load_scenario), "
                            f"got {type(s).__name__}")
    baseline = baseline or next(iter(scenarios))
    if baseline not in scenarios:
        raise KeyError(f"baseline {baseline!r} is not one of {', '.join(scenarios)}")
    _same_price_base(scenarios)
    done, interrupted = _run_each(runner or run, scenarios.values(), replications, seed,
                                  run_options)
    results = dict(zip(scenarios, done, strict=False))
    if baseline not in results:
        raise KeyboardInterrupt(f"interrupted before the baseline {baseline!r} ran")
    return Comparison(results, baseline, interrupted)


def _same_price_base(scenarios: Mapping[str, Scenario]) -> None:
    """Differences of money are only meaningful in one price base: refuse a mixture."""
    bases = {name: price_base_label(s) for name, s in scenarios.items()}
    if len(set(bases.values())) > 1:
        listed = "; ".join(f"{n}: {b}" for n, b in bases.items())
        raise ArgumentError(f"compare: the scenarios' money is in different price bases "
                            f"({listed}); give them the same [money] price_base")


def _run_each(go: Runner, scenarios: Iterable[Scenario], replications: int, seed: int,
              run_options: dict[str, Any]) -> tuple[list[Results], bool]:
    """Each scenario in turn, until Ctrl-C: then the results that finished (the last
    perhaps in part) and True. Ctrl-C before anything finished propagates."""
    done: list[Results] = []
    for s in scenarios:
        try:
            res = go(s, replications, seed, **run_options)
        except KeyboardInterrupt:
            if not done:
                raise
            return done, True
        done.append(res)
        if res.interrupted:
            return done, True
    return done, False


@dataclass(frozen=True)
class Sweep:
    """Results over a grid of values at dotted scenario paths (made by :func:`sweep`).

    Parameters
    ----------
    parameters : list of str
        The dotted paths that vary.
    points : list of dict
        The grid points, each ``{path: value}``, in the order they were run.
    results : list of Results
        The results at each point, in the same order.
    interrupted : bool, default False
        Ctrl-C stopped the sweep: ``points`` and ``results`` hold the points that
        ran, the last perhaps only in part.
    """

    parameters: list[str]
    points: list[dict]
    results: list[Results]
    interrupted: bool = False

    def table(self, output="cost_agency", confidence: float = 0.95) -> pd.DataFrame:
        """One row per grid point: the parameter values, and ``output``'s mean and
        t-interval across replications.

        Parameters
        ----------
        output : str or callable, default "cost_agency"
            A column name (its mean over the horizon) or a function of the monthly
            table returning one value per replication (see :func:`horizon_total`,
            :func:`at_month`).
        confidence : float, default 0.95
            The confidence level of the intervals.

        Returns
        -------
        pandas.DataFrame
            One column per parameter (lists and tables shown as text), then
            ``mean``, ``ci_low``, ``ci_high`` and ``n``.
        """
        f = _as_output(output)
        rows = []
        for point, res in zip(self.points, self.results, strict=True):
            mean, lo, hi, n = t_interval(f(res.monthly), confidence)
            rows.append({**{k: _plain(v) for k, v in point.items()},
                         "mean": mean, "ci_low": lo, "ci_high": hi, "n": n})
        return pd.DataFrame(rows)


def _plain(v):
    return str(v) if isinstance(v, list | dict) else v


def _grid_values(path: object, values: object) -> list:
    if not isinstance(path, str):
        raise TypeError(f"sweep: grid keys must be dotted paths (str), got {path!r}")
    if (isinstance(values, str | bytes | Mapping) or not isinstance(values, Sized)
            or not isinstance(values, Iterable)):
        raise TypeError(f"sweep: the values of {path!r} must be a list of values, got {values!r}")
    if len(values) == 0:
        raise ArgumentError(f"sweep: {path!r} has no values")
    return list(values)


def sweep(scenario: Scenario, grid: Mapping[str, list], replications: int = 50, seed: int = 0,
          *, runner: Runner | None = None, **run_options: Any) -> Sweep:
    """Run every combination of the values in ``grid``, each on the same seed (common
    random numbers across the grid).

    Parameters
    ----------
    scenario : Scenario
        The scenario the grid changes.
        The scenario the changes apply to.
    grid : mapping of str to list
        ``{"dotted.path": [values]}``; every point of the grid is checked before
        anything runs. At most :data:`~workforce_sim.experiment.runner.MAX_POINTS`
        (10,000) points.
    replications : int, default 50
        Replications at each point (whole number >= 1; at most 1,000,000 in all).
    seed : int, default 0
        Whole number >= 0, the same at every point.
    runner : callable, optional
        The function that runs replications (for tests and custom runners): called as
        ``runner(scenario, replications, seed, **run_options)``, returning Results.
        Default :func:`~workforce_sim.run`.
    **run_options
        Passed to :func:`~workforce_sim.run`.

    Returns
    -------
    Sweep

    Raises
    ------
    TypeError, ArgumentError
        Bad arguments, a path without values, or a grid too large (its sizes are in the
        message); all before anything runs.
    ScenarioError
        A point of the grid is not a valid scenario.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"expected a Scenario (see load_scenario), got {type(scenario).__name__}")
    if not isinstance(grid, Mapping) or not grid:
        raise ArgumentError("sweep needs at least one path with values, e.g. "
                         "{'recruitment.success_probability': [0.1, 0.2]}")
    values = {path: _grid_values(path, v) for path, v in grid.items()}
    replications = check_replications(replications)
    sizes = [len(v) for v in values.values()]
    check_experiment("sweep", math.prod(sizes), replications,
                     detail=" × ".join(f"{n:,}" for n in sizes) if len(sizes) > 1 else "")
    paths = list(values)
    points = [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*values.values())]
    scenarios = [scenario.with_changes(p, source=f"sweep {p}") for p in points]   # all checked first
    results, interrupted = _run_each(runner or run, scenarios, replications, seed, run_options)
    return Sweep(paths, points[:len(results)], results, interrupted)
