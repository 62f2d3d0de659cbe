"""How many replications? Add them until the confidence intervals are narrow enough.

The replications algorithm of Hoad, Robinson and Davies (2010), "Automated
selection of the number of replications for a discrete-event simulation",
*Journal of the Operational Research Society* 61(11), 1632-1644: run
replications in batches; after each, compute for every chosen output the
relative half-width ``t(n−1) · s / (√n · |mean|)`` of its confidence interval;
stop at the first ``n`` where every output is within ``target`` and stays
within it for the next ``look_ahead`` replications (which guards against
stopping on a lucky early estimate). Replication ``k`` is always the same, so
the answer does not depend on the batch size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from workforce_sim.experiment.comparison import _as_output
from workforce_sim.experiment.runner import (
    ArgumentError,
    Runner,
    check_replications,
    run,
    whole_number,
)
from workforce_sim.scenario.schema import Scenario


@dataclass(frozen=True)
class ReplicationsAdvice:
    replications: int           # the number recommended (max_replications if not reached)
    converged: bool
    history: pd.DataFrame       # n, output, mean, relative half-width


def relative_half_width(values, confidence: float = 0.95) -> float:
    x = np.asarray(values, dtype=float)
    n = x.size
    if n < 2 or x.mean() == 0:
        return np.inf
    return float(stats.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / np.sqrt(n)
                 / abs(x.mean()))


def replications_needed(scenario: Scenario, outputs=("cost_agency", "agency_rate"),
                        target: float = 0.05, confidence: float = 0.95, *, seed: int = 0,
                        initial: int = 3, look_ahead: int = 5, max_replications: int = 1000,
                        batch: int = 10, runner: Runner | None = None,
                        **run_options: Any) -> ReplicationsAdvice:
    """The number of replications at which every output's confidence interval has a
    relative half-width of at most ``target``, and keeps it for ``look_ahead``
    more (the algorithm of Hoad, Robinson and Davies, 2010).

    Parameters
    ----------
    scenario : Scenario
        The scenario to replicate.
    outputs : sequence of str or callable
        Column names (each replication's mean over the horizon) or functions of the
        monthly table (one value per replication).
    target : float, default 0.05
        The largest relative half-width accepted, strictly between 0 and 1.
    confidence : float, default 0.95
        Of the intervals, strictly between 0 and 1.
    seed : int, default 0
        Whole number >= 0.
    initial : int, default 3
        Replications before the first check (whole number >= 2).
    look_ahead : int, default 5
        Replications the target must keep holding (whole number >= 0).
    max_replications : int, default 1000
        Give up after this many (whole number >= ``initial``, at most 1,000,000).
    batch : int, default 10
        Replications added at a time (whole number >= 1); the answer does not depend
        on it.
    runner : callable, optional
        The function that runs replications (for tests and custom runners): called as
        ``runner(scenario, replications, seed, first_replication=k, **run_options)``,
        returning Results. Default :func:`~workforce_sim.run`.
    **run_options
        Passed to :func:`~workforce_sim.run`.

    Returns
    -------
    ReplicationsAdvice
        ``replications`` (``max_replications`` if not reached), ``converged`` and the
        ``history`` (n, output, mean, relative half-width).

    Raises
    ------
    TypeError, ArgumentError
        Bad arguments, before anything runs.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"expected a Scenario (see load_scenario), got {type(scenario).__name__}")
    for name, value in (("target", target), ("confidence", confidence)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            raise ArgumentError(f"{name} must be a fraction strictly between 0 and 1, got {value!r}")
    whole_number("seed", seed, 0)
    initial = whole_number("initial", initial, 2)
    look_ahead = whole_number("look_ahead", look_ahead, 0)
    max_replications = check_replications(max_replications, "max_replications")
    if max_replications < initial:
        raise ArgumentError(f"max_replications ({max_replications}) must be at least initial "
                         f"({initial})")
    batch = whole_number("batch", batch, 1)
    if isinstance(outputs, str) or callable(outputs):
        outputs = (outputs,)
    go = runner or run
    fns = [_as_output(o) for o in outputs]
    names = [o if isinstance(o, str) else getattr(o, "__name__", "output") for o in outputs]
    values: list[pd.DataFrame] = []
    done = 0
    while done < max_replications:
        step = min(max(batch, initial - done), max_replications - done)
        res = go(scenario, step, seed, first_replication=done, **run_options)
        values.append(pd.DataFrame({nm: f(res.monthly) for nm, f in zip(names, fns, strict=True)}))
        done += step
        table = pd.concat(values)
        history = _history(table, names, confidence, initial)
        n = _first_stable(history, names, target, look_ahead, done)
        if n is not None:
            return ReplicationsAdvice(n, True, history)
    return ReplicationsAdvice(max_replications, False, _history(pd.concat(values), names,
                                                                confidence, initial))


def _history(table: pd.DataFrame, names, confidence, initial) -> pd.DataFrame:
    rows = []
    for n in range(max(2, initial), len(table) + 1):
        for nm in names:
            x = table[nm].to_numpy()[:n]
            rows.append({"n": n, "output": nm, "mean": float(np.mean(x)),
                         "relative_half_width": relative_half_width(x, confidence)})
    return pd.DataFrame(rows)


def _first_stable(history, names, target, look_ahead, done):
    ok = history.pivot(index="n", columns="output", values="relative_half_width")[names] <= target
    ok = ok.all(axis=1)
    ns = ok.index.to_list()
    for i, n in enumerate(ns):
        if n + look_ahead > done:
            return None
        if ok.iloc[i: i + look_ahead + 1].all():
            return n
    return None
