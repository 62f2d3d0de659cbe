"""Sensitivity analysis: one at a time (tornado data), and Sobol or Morris with SALib.

Every evaluation runs the model's replications on the same seed (common random
numbers), so differences between parameter values are not drowned by noise.
Outputs are a column name (its mean over the horizon) or a function of the
monthly table returning one value per replication (see
:mod:`workforce_sim.experiment.comparison`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from workforce_sim.experiment.comparison import _as_output
from workforce_sim.experiment.runner import run
from workforce_sim.scenario.schema import Scenario


def _evaluate(scenario: Scenario, changes: dict, output, replications: int, seed: int,
              **run_options) -> float:
    s = scenario.with_changes(changes, source=f"sensitivity {changes}") if changes else scenario
    res = run(s, replications, seed, **run_options)
    return float(_as_output(output)(res.monthly).mean())


def one_at_a_time(scenario: Scenario, ranges: Mapping[str, tuple], output="cost_agency",
                  replications: int = 30, seed: int = 0, **run_options) -> pd.DataFrame:
    """Move each parameter to its low and its high value, the others at the
    scenario's values: the data of a tornado chart, largest swing first.

    Parameters
    ----------
    scenario : Scenario
        The scenario at its own values (the baseline).
    ranges : Mapping of str to (low, high)
        ``{"dotted.path": (low, high)}``; every value is validated before anything runs.
    output : str or callable, default "cost_agency"
        A column name (its mean over the horizon) or a function of the monthly
        table returning one value per replication.
    replications : int, default 30
        Replications at each evaluation.
    seed : int, default 0
        The seed shared by every evaluation.
    **run_options
        Passed to :func:`run`.

    Returns
    -------
    pandas.DataFrame
        One row per parameter, largest ``swing`` first: ``parameter``, ``low``,
        ``high``, ``output_low``, ``output_high``, ``baseline``, ``swing``.

    Raises
    ------
    ValueError
        If a range is not a pair.
    ScenarioError
        If a low or high value makes an invalid scenario.
    """
    for path, pair in ranges.items():
        if len(pair) != 2:
            raise ValueError(f"{path}: expected (low, high), got {pair!r}")
        scenario.with_changes({path: pair[0]}, source=f"sensitivity {path}")   # check early
        scenario.with_changes({path: pair[1]}, source=f"sensitivity {path}")
    base = _evaluate(scenario, {}, output, replications, seed, **run_options)
    rows = []
    for path, (low, high) in ranges.items():
        lo = _evaluate(scenario, {path: low}, output, replications, seed, **run_options)
        hi = _evaluate(scenario, {path: high}, output, replications, seed, **run_options)
        rows.append({"parameter": path, "low": low, "high": high, "output_low": lo,
                     "output_high": hi, "baseline": base, "swing": abs(hi - lo)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)


def global_sensitivity(scenario: Scenario, ranges: Mapping[str, tuple], output="cost_agency",
                       method: str = "sobol", samples: int = 64, replications: int = 10,
                       seed: int = 0, **run_options) -> pd.DataFrame:
    """Sobol (first-order and total indices, Saltelli sampling) or Morris (mu*, sigma)
    indices of ``output`` over a box of parameter values.

    Needs SALib: ``pip install "workforce-sim[sensitivity]"``. Sobol runs
    ``samples × (D + 2)`` parameter sets (no second-order indices), Morris
    ``samples × (D + 1)``, each with ``replications`` replications, for ``D``
    parameters.

    Parameters
    ----------
    scenario : Scenario
        The scenario the parameters change.
    ranges : Mapping of str to (low, high)
        ``{"dotted.path": (low, high)}``, numeric paths only.
    output : str or callable, default "cost_agency"
        A column name (its mean over the horizon) or a function of the monthly
        table returning one value per replication.
    method : {"sobol", "morris"}, default "sobol"
        The method.
    samples : int, default 64
        SALib's base sample size (``N``).
    replications : int, default 10
        Replications at each parameter set.
    seed : int, default 0
        The seed of the sampling, the analysis and every run.
    **run_options
        Passed to :func:`run`.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``parameter`` and ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf`` (Sobol) or ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf``
        (Morris).

    Raises
    ------
    ImportError
        If SALib is not installed.
    ValueError
        If ``method`` is neither.
    """
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
                            replications, seed, **run_options) for x in X])
    if method == "sobol":
        Si = sobol_analyze.analyze(problem, Y, calc_second_order=False, seed=seed)
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        Si = morris_analyze.analyze(problem, X, Y, seed=seed)
        cols = ["mu", "mu_star", "sigma", "mu_star_conf"]
    return pd.DataFrame({"parameter": names, **{c: np.asarray(Si[c]) for c in cols}})
