"""Running replications: one (:func:`simulate`) or many in parallel (:func:`run`).

The experiment layer knows nothing of the model's inside: it builds a
:class:`~workforce_sim.engine.Model` per replication, runs it, and collects the
month-end table. Replication ``k`` always uses the streams of
``(seed, k)``, so results are the same, to the bit, whether a replication runs
alone, in a batch, on one process or many.
"""

from __future__ import annotations

import os
import warnings
from collections import deque
from concurrent.futures import Executor, ProcessPoolExecutor

import pandas as pd
from tqdm.auto import tqdm

from workforce_sim.engine import Model
from workforce_sim.engine.recording.recorder import COLUMNS
from workforce_sim.results.analysis import RunningSummary
from workforce_sim.results.tables import Results, RunResult
from workforce_sim.scenario.calendar import month_starts
from workforce_sim.scenario.schema import Scenario


def _monthly_frame(model: Model) -> pd.DataFrame:
    s = model.scenario
    df = pd.DataFrame(model.recorder.rows, columns=["month_index", "team", *COLUMNS])
    starts = pd.to_datetime(month_starts(s.start_date, s.horizon_months))
    df.insert(0, "month", starts[df.pop("month_index").to_numpy()])
    return df


def simulate(scenario: Scenario, seed: int = 0, replication: int = 0,
             case_log: bool = False) -> RunResult:
    """Run one replication of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`load_scenario`, :meth:`Scenario.with_changes`).
    seed : int, default 0
        The experiment's seed, a whole number >= 0.
    replication : int, default 0
        Which replication of that seed to run; replication ``k`` here equals
        replication ``k`` of ``run(scenario, seed=seed)``, to the bit.
    case_log : bool, default False
        Also keep one row per allocation spell of a case (``cases``) and one per
        spell of a worker in one kind (``staff``).

    Returns
    -------
    RunResult
        ``monthly`` (one row per month and team, plus ``team == "all"``) and, with
        ``case_log=True``, the ``cases`` and ``staff`` logs.

    Raises
    ------
    TypeError
        If ``scenario`` is not a :class:`Scenario`.
    ValueError
        If ``seed`` or ``replication`` is not a whole number >= 0.

    Examples
    --------
    >>> from workforce_sim import load_scenario, simulate
    >>> r = simulate(load_scenario(), seed=1)
    >>> bool(r.monthly.query("team == 'all'")["open_cases"].iloc[0] > 0)
    True
    """
    _check(scenario, seed, replication)
    model = Model(scenario, seed, replication, keep_case_log=case_log).run()
    cases = model.case_log.frame() if model.case_log is not None else None
    staff = model.staff_log.frame() if model.staff_log is not None else None
    return RunResult(_monthly_frame(model), cases, scenario, seed, replication, staff)


def _batch(args: tuple[Scenario, int, int, int]) -> list[pd.DataFrame]:
    """Replications ``first`` to ``last - 1`` (one task for an executor)."""
    scenario, seed, first, last = args
    frames = []
    for rep in range(first, last):
        df = _monthly_frame(Model(scenario, seed, rep).run())
        df.insert(0, "replication", rep)
        frames.append(df)
    return frames


class _Collector:
    """Takes replications in order; keeps them all, or running sums and the first few."""

    def __init__(self, keep: str, keep_monthly: int, first: int = 0):
        if keep not in ("all", "summary"):
            raise ValueError(f"keep must be 'all' or 'summary', got {keep!r}")
        if not isinstance(keep_monthly, int) or keep_monthly < 1:
            raise ValueError(f"keep_monthly must be a whole number >= 1, got {keep_monthly!r}")
        self.running = RunningSummary() if keep == "summary" else None
        self.keep_monthly = keep_monthly if keep == "summary" else None
        self.frames: list[pd.DataFrame] = []
        self.done = 0
        self.next_rep = first

    def add(self, frame: pd.DataFrame) -> None:
        if self.running is not None:
            self.running.add(frame)
        if self.keep_monthly is None or self.done < self.keep_monthly:
            self.frames.append(frame)
        self.done += 1
        self.next_rep += 1


def run(scenario: Scenario, replications: int = 100, seed: int = 0, *,
        workers: int | None = None, executor: Executor | None = None,
        progress: bool | None = None, keep: str = "all", keep_monthly: int = 1000,
        first_replication: int = 0) -> Results:
    """Run ``replications`` replications of ``scenario`` and collect them.

    Results are sorted by replication and identical, to the bit, whatever the
    executor and the number of workers. Interrupting (Ctrl-C) keeps the
    replications already finished: the result says how many, with
    ``interrupted=True`` (and a warning is issued).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    replications : int, default 100
        How many replications, a whole number >= 1.
    seed : int, default 0
        The experiment's seed, a whole number >= 0; replication ``k`` uses the
        random streams of ``(seed, k)``.
    workers : int, optional
        Worker processes (default: one per core, at most one per replication);
        ``workers=1`` runs in this process.
    executor : concurrent.futures.Executor, optional
        Any executor to run the batches instead of a process pool, for example a
        Dask client's ``client.get_executor()``.
    progress : bool, optional
        Show a progress bar; ``None`` shows one only on an interactive terminal
        or notebook.
    keep : {"all", "summary"}, default "all"
        ``"summary"`` keeps memory flat in the number of replications: means and
        confidence intervals come from running sums over all replications,
        quantiles and ``.monthly`` from the first ``keep_monthly``.
    keep_monthly : int, default 1000
        In summary mode, how many replications' monthly rows to keep.
    first_replication : int, default 0
        The number of the first replication, to add replications to an earlier
        run (replication ``k`` is always the same).

    Returns
    -------
    Results
        The replications' monthly table and the scenario, seed and count behind it.

    Raises
    ------
    TypeError
        If ``scenario`` is not a :class:`Scenario`.
    ValueError
        If ``replications``, ``seed``, ``keep`` or ``keep_monthly`` is out of range.
    KeyboardInterrupt
        If interrupted before any replication finished.

    Examples
    --------
    >>> import workforce_sim as ws
    >>> res = ws.run(ws.load_scenario(), replications=4, seed=1, workers=1, progress=False)
    >>> res.replications
    4
    """
    _check(scenario, seed, 0)
    if not isinstance(replications, int) or replications < 1:
        raise ValueError(f"replications must be a whole number >= 1, got {replications!r}")
    collector = _Collector(keep, keep_monthly, first_replication)
    n = executor_workers = min(workers or os.cpu_count() or 1, replications)
    size = max(1, min(25, replications // (max(n, 1) * 4)))
    end = first_replication + replications
    batches = [(scenario, seed, k, min(k + size, end)) for k in range(first_replication, end, size)]
    bar = tqdm(total=replications, desc=scenario.name[:40], unit="rep",
               disable=None if progress is None else not progress)
    interrupted = False
    try:
        if executor is None and n <= 1:
            for b in batches:
                for frame in _batch(b):
                    collector.add(frame)
                    bar.update(1)
        else:
            own = executor is None
            pool = ProcessPoolExecutor(max_workers=executor_workers) if own else executor
            try:
                interrupted = _collect(pool, batches, collector, bar, window=2 * n)
            finally:
                if own:
                    pool.shutdown(wait=not interrupted, cancel_futures=True)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    if collector.done == 0:
        raise KeyboardInterrupt("interrupted before any replication finished")
    if interrupted:
        warnings.warn(f"interrupted: kept the {collector.done} of {replications} replications "
                      "that had finished", stacklevel=2)
    monthly = pd.concat(collector.frames, ignore_index=True)
    return Results(monthly, scenario, seed, collector.done, running=collector.running,
                   interrupted=interrupted)


def _collect(pool: Executor, batches, collector: _Collector, bar, window: int) -> bool:
    """Submit batches with at most ``window`` in flight and take them in order.
    Returns True if interrupted (the finished prefix has been collected)."""
    pending: deque = deque()
    it = iter(batches)
    try:
        for b in it:
            pending.append(pool.submit(_batch, b))
            if len(pending) >= window:
                break
        while pending:
            for frame in pending[0].result():   # popped only once its result is in
                collector.add(frame)
                bar.update(1)
            pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(_batch, nxt))
    except KeyboardInterrupt:
        for f in list(pending)[1:]:
            f.cancel()
        # Keep what finished, in order, up to the first replication that did not: the
        # kept replications are always first..first+n-1, so a later run can carry on.
        while pending and pending[0].done() and not pending[0].cancelled():
            try:
                frames = pending.popleft().result()
            except BaseException:
                break
            for frame in frames:
                rep = int(frame["replication"].iloc[0])
                if rep < collector.next_rep:
                    continue              # taken before the interruption
                if rep > collector.next_rep:
                    return True
                collector.add(frame)
        return True
    return False


def _check(scenario: Scenario, seed: int, replication: int) -> None:
    if not isinstance(scenario, Scenario):
        raise TypeError(f"expected a Scenario (see load_scenario), got {type(scenario).__name__}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    if not isinstance(replication, int) or replication < 0:
        raise ValueError(f"replication must be a whole number >= 0, got {replication!r}")
