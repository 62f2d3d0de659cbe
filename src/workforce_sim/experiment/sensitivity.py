"""Sensitivity analysis: one at a time (tornado data), and Sobol or Morris with SALib.

Every evaluation runs the model's replications on the same seed (common random
numbers), so differences between parameter values are not drowned by noise.
Outputs are a column name (its mean over the horizon) or a function of the
monthly table returning one value per replication (see
:mod:`workforce_sim.experiment.comparison`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from workforce_sim.experiment.comparison import _as_output
from workforce_sim.experiment.runner import (
    ArgumentError,
    Runner,
    check_experiment,
    check_replications,
    run,
    whole_number,
)
from workforce_sim.scenario.schema import Scenario


def _evaluate(scenario: Scenario, changes: dict, output, replications: int, seed: int,
              runner: Runner | None, **run_options: Any) -> float:
    s = scenario.with_changes(changes, source=f"sensitivity {changes}") if changes else scenario
    res = (runner or run)(s, replications, seed, **run_options)
    return float(_as_output(output)(res.monthly).mean())


def _check_scenario(scenario: object) -> None:
    if not isinstance(scenario, Scenario):
        raise TypeError(f"expected a Scenario (see load_scenario), got {type(scenario).__name__}")


def _check_ranges(ranges: object) -> None:
    if not isinstance(ranges, Mapping) or not ranges:
        raise ArgumentError("ranges must map at least one dotted path to (low, high), e.g. "
                         "{'absence.rate': (0.0, 0.05)}")
    for path, pair in ranges.items():
        if isinstance(pair, str | bytes) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ArgumentError(f"{path}: expected (low, high), got {pair!r}")


def one_at_a_time(scenario: Scenario, ranges: Mapping[str, tuple], output="cost_agency",
                  replications: int = 30, seed: int = 0, *, runner: Runner | None = None,
                  **run_options: Any) -> pd.DataFrame:
    """Move each parameter to its low and its high value, the others at the
    scenario's values: the data of a tornado chart, largest swing first.

    Parameters
    ----------
    scenario : Scenario
        The baseline.
    ranges : mapping of str to (low, high)
        ``{"dotted.path": (low, high)}``; every value is checked before anything runs.
    output : str or callable, default "cost_agency"
        A column name (its mean over the horizon) or a function of the monthly table
        returning one value per replication.
    replications : int, default 30
        Replications of each of the ``2 × len(ranges) + 1`` scenarios.
    seed : int, default 0
        Whole number >= 0, the same for every scenario (common random numbers).
    runner : callable, optional
        The function that runs replications (for tests and custom runners): called as
        ``runner(scenario, replications, seed, **run_options)``, returning Results.
        Default :func:`~workforce_sim.run`.
    **run_options
        Passed to :func:`~workforce_sim.run`.

    Returns
    -------
    pandas.DataFrame
        parameter, low, high, output_low, output_high, baseline, swing.

    Raises
    ------
    TypeError, ArgumentError
        Bad arguments, a range that is not a pair, or too many runs in all.
    ScenarioError
        A low or high value is not valid at its path.
    """
    _check_scenario(scenario)
    _check_ranges(ranges)
    replications = check_replications(replications)
    check_experiment("one_at_a_time", 2 * len(ranges) + 1, replications)
    for path, pair in ranges.items():
        scenario.with_changes({path: pair[0]}, source=f"sensitivity {path}")   # check early
        scenario.with_changes({path: pair[1]}, source=f"sensitivity {path}")
    base = _evaluate(scenario, {}, output, replications, seed, runner, **run_options)
    rows = []
    for path, (low, high) in ranges.items():
        lo = _evaluate(scenario, {path: low}, output, replications, seed, runner, **run_options)
        hi = _evaluate(scenario, {path: high}, output, replications, seed, runner, **run_options)
        rows.append({"parameter": path, "low": low, "high": high, "output_low": lo,
                     "output_high": hi, "baseline": base, "swing": abs(hi - lo)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)


def global_sensitivity(scenario: Scenario, ranges: Mapping[str, tuple], output="cost_agency",
                       method: str = "sobol", samples: int = 64, replications: int = 10,
                       seed: int = 0, *, runner: Runner | None = None,
                       **run_options: Any) -> pd.DataFrame:
    """Sobol (first-order and total indices, Saltelli sampling) or Morris (mu*, sigma)
    indices of ``output`` over the box ``ranges``. Needs SALib:
    ``pip install "workforce-sim[sensitivity]"``.

    Parameters
    ----------
    scenario : Scenario
        The scenario the parameter sets change.
    ranges : mapping of str to (low, high)
        ``{"dotted.path": (low, high)}``, numeric paths only.
    output : str or callable, default "cost_agency"
        A column name (its mean over the horizon) or a function of the monthly table.
    method : {"sobol", "morris"}, default "sobol"
        Sobol runs ``samples × (D + 2)`` parameter sets (no second-order indices),
        Morris ``samples × (D + 1)``, ``D = len(ranges)``.
    samples : int, default 64
        Whole number >= 1 (a power of 2 for Sobol).
    replications : int, default 10
        Replications of each parameter set.
    seed : int, default 0
        Whole number >= 0: the sampling seed and every run's seed.
    runner : callable, optional
        The function that runs replications (for tests and custom runners): called as
        ``runner(scenario, replications, seed, **run_options)``, returning Results.
        Default :func:`~workforce_sim.run`.
    **run_options
        Passed to :func:`~workforce_sim.run`.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: S1, S1_conf, ST, ST_conf (Sobol) or mu, mu_star, sigma,
        mu_star_conf (Morris).

    Raises
    ------
    TypeError, ArgumentError
        Bad arguments, an unknown method, or too many runs in all; before anything runs.
    ImportError
        SALib is not installed.
    """
    _check_scenario(scenario)
    _check_ranges(ranges)
    if method not in ("sobol", "morris"):
        raise ValueError(f"method must be 'sobol' or 'morris', got {method!r}")
    samples = whole_number("samples", samples, 1)
    replications = check_replications(replications)
    whole_number("seed", seed, 0)
    d = len(ranges)
    runs = samples * (d + 2 if method == "sobol" else d + 1)
    check_experiment(f"global_sensitivity ({method})", runs, replications,
                     detail=f"{samples:,} samples × {d + 2 if method == 'sobol' else d + 1}")
    try:
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError as exc:      # pragma: no cover - depends on the environment
        raise ImportError('global sensitivity needs SALib: pip install "workforce-sim[sensitivity]"') \
            from exc
    names = list(ranges)
    problem = {"num_vars": len(names), "names": names,
               "bounds": [[float(lo), float(hi)] for lo, hi in ranges.values()]}
    if method == "sobol":
        X = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    elif method == "morris":
        X = morris_sample.sample(problem, samples, seed=seed)
    else:
        raise ValueError(f"method must be 'sobol' or 'morris', got {method!r}")
    Y = np.array([_evaluate(scenario, dict(zip(names, map(float, x), strict=True)), output,
                            replications, seed, runner, **run_options) for x in X])
    if method == "sobol":
        Si = sobol_analyze.analyze(problem, Y, calc_second_order=False, seed=seed)
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        Si = morris_analyze.analyze(problem, X, Y, seed=seed)
        cols = ["mu", "mu_star", "sigma", "mu_star_conf"]
    return pd.DataFrame({"parameter": names, **{c: np.asarray(Si[c]) for c in cols}})
