"""Running replications: one (:func:`simulate`) or many in parallel (:func:`run`).

The experiment layer knows nothing of the model's inside: it builds a
:class:`~workforce_sim.model.Model` per replication, runs it, and collects the
month-end table. Replication ``k`` always uses the streams of
``(seed, k)``, so results are the same, to the bit, whether a replication runs
alone, in a batch, on one process or many.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor

import pandas as pd
from tqdm.auto import tqdm

from .calendar import month_starts
from .model import Model
from .model.recorder import COLUMNS
from .results import Results, RunResult
from .scenario import Scenario


def _monthly_frame(model: Model) -> pd.DataFrame:
    s = model.scenario
    df = pd.DataFrame(model.recorder.rows, columns=["month_index", "team", *COLUMNS])
    starts = pd.to_datetime(month_starts(s.start_date, s.horizon_months))
    df.insert(0, "month", starts[df.pop("month_index").to_numpy()])
    return df


def simulate(scenario: Scenario, seed: int = 0, replication: int = 0,
             case_log: bool = False) -> RunResult:
    """Run one replication of ``scenario``.

    >>> from workforce_sim import load_scenario, simulate
    >>> r = simulate(load_scenario(), seed=1)
    >>> r.monthly.query("team == 'all'")["open_cases"].iloc[0] > 0
    True
    """
    _check(scenario, seed, replication)
    model = Model(scenario, seed, replication, keep_case_log=case_log).run()
    cases = model.case_log.frame() if model.case_log is not None else None
    staff = model.staff_log.frame() if model.staff_log is not None else None
    return RunResult(_monthly_frame(model), cases, scenario, seed, replication, staff)


def _monthly_of(args: tuple[Scenario, int, int]) -> pd.DataFrame:
    scenario, seed, rep = args
    df = _monthly_frame(Model(scenario, seed, rep).run())
    df.insert(0, "replication", rep)
    return df


def run(scenario: Scenario, replications: int = 100, seed: int = 0, *,
        workers: int | None = None, executor: Executor | None = None,
        progress: bool | None = None) -> Results:
    """Run ``replications`` replications of ``scenario`` and collect them.

    ``workers`` processes are used (default: one per core); ``workers=1`` runs
    in this process. Pass ``executor=`` to use your own
    ``concurrent.futures.Executor``. The results are sorted by replication and
    identical whatever the number of workers. ``progress=None`` shows a bar
    only on an interactive terminal or notebook.
    """
    _check(scenario, seed, 0)
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    jobs = [(scenario, seed, k) for k in range(replications)]
    bar = dict(total=replications, desc=scenario.name[:40], unit="rep",
               disable=None if progress is None else not progress)
    if executor is not None:
        frames = list(tqdm(executor.map(_monthly_of, jobs), **bar))
    else:
        n = min(workers or os.cpu_count() or 1, replications)
        if n <= 1:
            frames = [_monthly_of(j) for j in tqdm(jobs, **bar)]
        else:
            chunk = max(1, replications // (n * 8))
            with ProcessPoolExecutor(max_workers=n) as pool:
                frames = list(tqdm(pool.map(_monthly_of, jobs, chunksize=chunk), **bar))
    monthly = pd.concat(frames, ignore_index=True)
    return Results(monthly, scenario, seed, replications)


def _check(scenario: Scenario, seed: int, replication: int) -> None:
    if not isinstance(scenario, Scenario):
        raise TypeError(f"expected a Scenario (see load_scenario), got {type(scenario).__name__}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    if not isinstance(replication, int) or replication < 0:
        raise ValueError(f"replication must be a whole number >= 0, got {replication!r}")
