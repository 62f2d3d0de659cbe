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

import numpy as np
import pandas as pd
from scipy import stats

from workforce_sim.experiment.comparison import _as_output
from workforce_sim.experiment.runner import run
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
                        batch: int = 10, **run_options) -> ReplicationsAdvice:
    """The number of replications at which every output's confidence interval has a
    relative half-width of at most ``target``, and keeps it for ``look_ahead``
    more (the algorithm of Hoad, Robinson and Davies, 2010).

    Parameters
    ----------
    scenario : Scenario
        The scenario to run.
    outputs : sequence of str or callable, default ("cost_agency", "agency_rate")
        Column names (each replication's mean over the horizon) or functions of
        the monthly table (one value per replication).
    target : float, default 0.05
        The largest relative half-width accepted, a fraction between 0 and 1.
    confidence : float, default 0.95
        The confidence level of the intervals.
    seed : int, default 0
        The seed of the replications.
    initial : int, default 3
        Replications run before the first check.
    look_ahead : int, default 5
        Further replications the intervals must stay narrow for.
    max_replications : int, default 1000
        Where to stop if the target is never reached.
    batch : int, default 10
        Replications added at each step (the answer does not depend on it).
    **run_options
        Passed to :func:`run`.

    Returns
    -------
    ReplicationsAdvice
        ``replications`` (the number recommended, or ``max_replications`` if not
        reached), ``converged`` and ``history`` (``n``, ``output``, ``mean``,
        ``relative_half_width`` for each n).

    Raises
    ------
    ValueError
        If ``target`` is not between 0 and 1.
    """
    if not 0 < target < 1:
        raise ValueError(f"target must be a fraction between 0 and 1, got {target}")
    fns = [_as_output(o) for o in outputs]
    names = [o if isinstance(o, str) else getattr(o, "__name__", "output") for o in outputs]
    values: list[pd.DataFrame] = []
    done = 0
    while done < max_replications:
        step = min(max(batch, initial - done), max_replications - done)
        res = run(scenario, step, seed, first_replication=done, **run_options)
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
