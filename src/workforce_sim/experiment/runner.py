"""Running replications: one (:func:`simulate`) or many in parallel (:func:`run`).

The experiment layer knows nothing of the model's inside: it builds a
:class:`~workforce_sim.engine.Model` per replication, runs it, and collects the
month-end table. Replication ``k`` always uses the streams of
``(seed, k)``, so results are the same, to the bit, whether a replication runs
alone, in a batch, on one process or many.

Arguments are checked before anything runs, and experiments too large to
finish are refused (:data:`MAX_REPLICATIONS`, :data:`MAX_POINTS`). Ctrl-C keeps
the replications already finished (``Results.interrupted``); the worker
processes of a pool :func:`run` creates ignore Ctrl-C (the parent handles it),
end with their parent, and are ended at once when the run is interrupted or
fails.
"""

from __future__ import annotations

import contextlib
import ctypes
import numbers
import os
import signal
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from workforce_sim.engine import Model
from workforce_sim.engine.recording.columns import NAMES as COLUMNS
from workforce_sim.results.analysis import RunningSummary
from workforce_sim.results.money import to_price_base
from workforce_sim.results.tables import Results, RunResult
from workforce_sim.scenario.calendar import month_starts
from workforce_sim.scenario.schema import Scenario

#: The most replications one run, or one experiment (a comparison, a sweep, a
#: sensitivity analysis) in total, may ask for: at a few hundredths of a second
#: to a second a replication, more would run for days. Run larger studies in
#: blocks with ``first_replication``.
MAX_REPLICATIONS = 1_000_000
#: The most scenarios (sweep points, compared scenarios, parameter sets) one
#: experiment may run.
MAX_POINTS = 10_000
#: The most worker processes (or, with an executor, ``2 × workers`` batches in flight).
MAX_WORKERS = 1024
#: The most replications sent to a worker as one task.
MAX_BATCH = 25

Batch = tuple[Scenario, int, int, int]           # scenario, seed, first, last (exclusive)
BatchFn = Callable[[Batch], list[pd.DataFrame]]
Runner = Callable[..., Results]                  # :func:`run`'s signature


# ------------------------------------------------------------------ argument checks


class ArgumentError(ValueError):
    """An argument of an experiment function out of its range, or an experiment too
    large to finish: refused before anything runs. (Wrong types are TypeErrors.)"""


def whole_number(name: str, value: object, minimum: int, maximum: int | None = None,
                 why: str = "") -> int:
    """``value`` as an int, or a TypeError (not a whole number; bools are refused) or a
    ValueError (out of range) naming ``name``, the value and what was expected."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number (an int), got {value!r} "
                        f"of type {type(value).__name__}")
    v = int(value)
    if v < minimum:
        raise ArgumentError(f"{name} must be a whole number >= {minimum}, got {v}")
    if maximum is not None and v > maximum:
        raise ArgumentError(f"{name} must be at most {maximum:,}{why}, got {v:,}")
    return v


def check_replications(replications: object, name: str = "replications") -> int:
    return whole_number(name, replications, 1, MAX_REPLICATIONS,
                        " (more would run for days; run larger studies in blocks with "
                        "first_replication)")


def check_experiment(what: str, points: int, replications: int, detail: str = "") -> None:
    """Refuse, before anything runs, an experiment of ``points`` scenarios of
    ``replications`` replications each that could not finish: more than
    :data:`MAX_POINTS` scenarios or :data:`MAX_REPLICATIONS` replications in all."""
    sizes = f"{detail} = {points:,}" if detail else f"{points:,}"
    if points > MAX_POINTS:
        raise ArgumentError(f"{what}: {sizes} scenarios to run, more than the {MAX_POINTS:,} "
                         "allowed in one experiment (it would not finish); use fewer values")
    total = points * replications
    if total > MAX_REPLICATIONS:
        raise ArgumentError(f"{what}: {points:,} scenarios × {replications:,} replications = "
                         f"{total:,} replications, more than the {MAX_REPLICATIONS:,} allowed in "
                         "one experiment (it would run for days); use fewer values or replications")


def _check(scenario: object, seed: object, replication: object,
           name: str = "replication") -> tuple[int, int]:
    if not isinstance(scenario, Scenario):
        raise TypeError(f"expected a Scenario (see load_scenario), got {type(scenario).__name__}")
    return whole_number("seed", seed, 0), whole_number(name, replication, 0)


def _check_flag(name: str, value: object, none_ok: bool = False) -> None:
    if not (isinstance(value, bool) or (none_ok and value is None)):
        expected = "True, False or None" if none_ok else "True or False"
        raise TypeError(f"{name} must be {expected}, got {value!r}")


# ------------------------------------------------------------------ one replication


def _monthly_frame(model: Model) -> pd.DataFrame:
    s = model.scenario
    df = pd.DataFrame(model.recorder.rows, columns=["month_index", "team", *COLUMNS])
    starts = pd.to_datetime(month_starts(s.start_date, s.horizon_months))
    df.insert(0, "month", starts[df.pop("month_index").to_numpy()])
    return to_price_base(df, s)     # money simulated in cash, shown in the scenario's base


def simulate(scenario: Scenario, seed: int = 0, replication: int = 0,
             case_log: bool = False) -> RunResult:
    """Run one replication of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`~workforce_sim.load_scenario`).
    seed : int, default 0
        Whole number >= 0.
    replication : int, default 0
        Whole number >= 0: replication ``k`` uses the random streams of ``(seed, k)``
        and equals replication ``k`` of :func:`run`.
    case_log : bool, default False
        Also keep one row per allocation spell of a case (``.cases``) and per
        spell of a worker (``.staff``).

    Returns
    -------
    RunResult
        ``monthly`` (one row per month and team, plus ``team == "all"``) and, with
        ``case_log=True``, the ``cases`` and ``staff`` logs.

    Raises
    ------
    TypeError
        ``scenario`` is not a Scenario; ``seed`` or ``replication`` is not an int
        (bools are refused); ``case_log`` is not a bool.
    ArgumentError
        (a ValueError) ``seed`` or ``replication`` is negative.

    Examples
    --------
    >>> from workforce_sim import load_scenario, simulate
    >>> r = simulate(load_scenario(), seed=1)
    >>> bool(r.monthly.query("team == 'all'")["open_cases"].iloc[0] > 0)
    True
    """
    seed, replication = _check(scenario, seed, replication)
    _check_flag("case_log", case_log)
    model = Model(scenario, seed, replication, keep_case_log=case_log).run()
    cases = model.case_log.frame() if model.case_log is not None else None
    staff = model.staff_log.frame() if model.staff_log is not None else None
    return RunResult(_monthly_frame(model), cases, scenario, seed, replication, staff)


def _batch(args: Batch) -> list[pd.DataFrame]:
    """Replications ``first`` to ``last - 1`` (one task for an executor)."""
    scenario, seed, first, last = args
    frames = []
    for rep in range(first, last):
        df = _monthly_frame(Model(scenario, seed, rep).run())
        df.insert(0, "replication", rep)
        frames.append(df)
    return frames


# ------------------------------------------------------------------ collecting


class _Collector:
    """Takes replications in order; keeps them all, or running sums and the first few."""

    def __init__(self, keep: str, keep_monthly: int, first: int = 0):
        if keep not in ("all", "summary"):
            raise ValueError(f"keep must be 'all' or 'summary', got {keep!r}")
        whole_number("keep_monthly", keep_monthly, 1)
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


class _Shape:
    """What every replication's table must look like: columns, months and rows."""

    def __init__(self, scenario: Scenario):
        self.columns = ["replication", "month", "team", *COLUMNS]
        self.months = scenario.horizon_months
        self.rows = scenario.horizon_months * (len(scenario.teams) + 1)    # + "all"

    def check(self, batch: Batch, frames: object) -> list[pd.DataFrame]:
        """``frames`` if they are the replications ``batch`` asked for, else a RuntimeError
        naming the batch (an executor that lost, mixed up or mangled its results)."""
        _, seed, first, last = batch
        name = f"the batch of replications {first} to {last - 1} (seed {seed})"
        if not isinstance(frames, list):
            raise RuntimeError(f"the executor returned {type(frames).__name__} for {name}; "
                               f"expected a list of {last - first} monthly tables")
        if len(frames) != last - first:
            raise RuntimeError(f"the executor returned {len(frames)} tables for {name}; "
                               f"expected {last - first}")
        for rep, df in zip(range(first, last), frames, strict=True):
            if not isinstance(df, pd.DataFrame):
                raise RuntimeError(f"the executor returned a {type(df).__name__} for replication "
                                   f"{rep} of {name}; expected a monthly table (DataFrame)")
            if list(df.columns) != self.columns:
                raise RuntimeError(f"replication {rep} of {name} has columns "
                                   f"{list(df.columns)[:6]}...; expected {self.columns[:6]}...")
            reps = df["replication"].unique()
            if len(reps) != 1 or reps[0] != rep:
                raise RuntimeError(f"{name}: the table in place of replication {rep} holds "
                                   f"replication(s) {sorted(reps.tolist())[:5]}")
            if len(df) != self.rows or df["month"].nunique() != self.months:
                raise RuntimeError(f"replication {rep} of {name} has {len(df)} rows over "
                                   f"{df['month'].nunique()} months; expected {self.rows} rows "
                                   f"over {self.months} months")
        return frames


def _take(batch: Batch, frames: object, shape: _Shape, collector: _Collector, bar: Any) -> None:
    for frame in shape.check(batch, frames):
        if int(frame["replication"].iat[0]) < collector.next_rep:
            continue              # taken already (an interrupt came while taking this batch)
        collector.add(frame)
        bar.update(1)


# ------------------------------------------------------------------ worker processes


def _worker_init(parent: int) -> None:
    """Initializer of the worker processes of a pool :func:`run` creates: Ctrl-C is the
    parent's to handle, and a worker ends when its parent does, however the parent ends
    (on Linux by ``PR_SET_PDEATHSIG``; everywhere by a thread watching the parent)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)     # not the parent's handler, if forked
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)          # 1 = PR_SET_PDEATHSIG
    ppid = os.getppid()
    if ppid != parent and not _pid_exists(parent):
        os._exit(1)                                              # the parent died already
    threading.Thread(target=_watch_parent, args=(ppid,), daemon=True,
                     name="workforce_sim-watch-parent").start()


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _watch_parent(ppid: int) -> None:    # pragma: no cover - runs in the worker processes
    while True:
        time.sleep(1.0)
        if os.getppid() != ppid:
            os._exit(1)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore a second Ctrl-C while cleaning up (main thread only): no traceback from
    half-shut pools."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        if old is not None:
            signal.signal(signal.SIGINT, old)


class _Terminated(SystemExit):
    """SIGTERM, raised in the main thread so that our worker processes are ended."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated(128 + signum)


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """While our own pool runs, SIGTERM (if nobody else handles it) raises SystemExit(143)
    in the main thread instead of killing the process outright, so the pool is shut down."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
        yield
        return
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel the batches not started and end the worker processes now: a batch that
    hangs must not hang the run. Only for a pool :func:`run` created itself."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        with contextlib.suppress(Exception):
            p.terminate()
    for p in processes:
        with contextlib.suppress(Exception):
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)


# ------------------------------------------------------------------ many replications


def run(scenario: Scenario, replications: int = 100, seed: int = 0, *,
        workers: int | None = None, executor: Executor | None = None,
        progress: bool | None = None, keep: str = "all", keep_monthly: int = 1000,
        first_replication: int = 0) -> Results:
    """Run ``replications`` replications of ``scenario`` and collect them in order.

    Results are sorted by replication and identical, to the bit, whatever the
    executor and the number of workers. Interrupting (Ctrl-C) keeps the
    replications already finished: the result says how many, with
    ``interrupted=True`` (and a warning is issued).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`~workforce_sim.load_scenario`).
    replications : int, default 100
        Whole number from 1 to :data:`MAX_REPLICATIONS` (1,000,000).
    seed : int, default 0
        Whole number >= 0. Replication ``k`` uses the random streams of ``(seed, k)``.
    workers : int, optional
        Whole number from 1 to :data:`MAX_WORKERS`: the number of processes (default
        one per core); ``workers=1`` runs in this process. With ``executor``, at most
        ``2 × workers`` batches are in flight.
    executor : concurrent.futures.Executor, optional
        Run the batches on it instead of a process pool of our own, for example a Dask
        client's ``client.get_executor()``. It is never shut down here; on Ctrl-C its
        pending batches are cancelled.
    progress : bool, optional
        Show a progress bar; ``None`` shows one only on an interactive terminal or
        notebook.
    keep : {"all", "summary"}, default "all"
        ``"summary"`` keeps memory flat in the number of replications: means and
        confidence intervals come from running sums over all replications,
        quantiles and ``.monthly`` from the first ``keep_monthly``.
    keep_monthly : int, default 1000
        Whole number >= 1 (summary mode only).
    first_replication : int, default 0
        Whole number >= 0: start the numbering there, to add replications to an
        earlier run (replication ``k`` is always the same).

    Returns
    -------
    Results
        The replications' monthly table and the scenario, seed and count behind it.
        ``results.interrupted`` is ``True`` when Ctrl-C stopped the run: it then holds
        the finished prefix of replications (``first_replication`` to
        ``first_replication + results.replications - 1``), a warning says how many,
        and ``results.replications_requested`` is the number asked for.

    Raises
    ------
    TypeError
        ``scenario`` is not a Scenario; ``replications``, ``seed``, ``workers``,
        ``keep_monthly`` or ``first_replication`` is not an int (bools are refused);
        ``progress`` is not a bool or None; ``executor`` has no ``submit``.
    ArgumentError
        (a ValueError) A number out of its range (``replications`` above 1,000,000
        included); checked, like the types, before anything runs.
    ValueError
        An unknown ``keep``.
    RuntimeError
        The executor returned something other than the replications of the batch it
        was given (nothing, another batch's replications, tables of the wrong shape).
    KeyboardInterrupt
        Ctrl-C before any replication finished.
    SystemExit
        SIGTERM while a process pool of our own runs (exit status 143), after
        ending the pool's processes; only when nothing else handles SIGTERM.

    Examples
    --------
    >>> import workforce_sim as ws
    >>> res = ws.run(ws.load_scenario(), replications=4, seed=1, workers=1, progress=False)
    >>> res.replications
    4
    """
    return _run(scenario, replications, seed, workers=workers, executor=executor,
                progress=progress, keep=keep, keep_monthly=keep_monthly,
                first_replication=first_replication)


def check_pool(workers: Any, executor: Any, progress: Any) -> int | None:
    """Check how replications are to be run: ``workers`` (None or 1 to
    ``MAX_WORKERS``), ``executor`` (None or a ``concurrent.futures.Executor``),
    ``progress`` (None or a bool); the checked ``workers``."""
    if workers is not None:
        workers = whole_number("workers", workers, 1, MAX_WORKERS)
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(f"executor must be a concurrent.futures.Executor (with a submit "
                        f"method), got {type(executor).__name__}")
    _check_flag("progress", progress, none_ok=True)
    return workers


def _run(scenario: Scenario, replications: int = 100, seed: int = 0, *,
         workers: int | None = None, executor: Executor | None = None,
         progress: bool | None = None, keep: str = "all", keep_monthly: int = 1000,
         first_replication: int = 0, batch_fn: BatchFn = _batch) -> Results:
    """:func:`run`, with the function that runs one batch of replications injected
    (``batch_fn``; it must be picklable for a process pool)."""
    seed, first = _check(scenario, seed, first_replication, "first_replication")
    replications = check_replications(replications)
    workers = check_pool(workers, executor, progress)
    collector = _Collector(keep, keep_monthly, first)

    n = min(workers or os.cpu_count() or 1, replications)
    size = max(1, min(MAX_BATCH, replications // (n * 4)))
    end = first + replications
    batches = ((scenario, seed, k, min(k + size, end)) for k in range(first, end, size))
    shape = _Shape(scenario)
    bar = tqdm(total=replications, desc=scenario.name[:40], unit="rep",
               disable=None if progress is None else not progress)
    interrupted = False
    try:
        if executor is None and n <= 1:
            for b in batches:
                _take(b, batch_fn(b), shape, collector, bar)
        elif executor is not None:
            interrupted = _collect(executor, batches, shape, collector, bar, 2 * n, batch_fn)
        else:
            interrupted = _in_own_pool(n, batches, shape, collector, bar, batch_fn)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    if collector.done == 0:
        raise KeyboardInterrupt("interrupted before any replication finished")
    if interrupted:
        warnings.warn(f"interrupted: kept the {collector.done} of {replications} replications "
                      "that had finished", stacklevel=3)
    monthly = pd.concat(collector.frames, ignore_index=True)
    return _results(monthly, scenario, seed, collector, interrupted, replications)


def _in_own_pool(n: int, batches: Iterable[Batch], shape: _Shape, collector: _Collector,
                 bar: Any, batch_fn: BatchFn) -> bool:
    with _sigterm_as_exit():
        pool = ProcessPoolExecutor(max_workers=n, initializer=_worker_init,
                                   initargs=(os.getpid(),))
        clean = False
        try:
            interrupted = _collect(pool, batches, shape, collector, bar, 2 * n, batch_fn)
            clean = not interrupted
        finally:
            with _sigint_ignored():
                if clean:
                    pool.shutdown(wait=True)
                else:                      # interrupted, failed or terminated: no waiting
                    _stop_pool(pool)
    return interrupted


def _results(monthly: pd.DataFrame, scenario: Scenario, seed: int, collector: _Collector,
             interrupted: bool, requested: int) -> Results:
    return Results(monthly, scenario, seed, collector.done, running=collector.running,
                   interrupted=interrupted, replications_requested=requested)


def _collect(pool: Executor, batches: Iterable[Batch], shape: _Shape, collector: _Collector,
             bar: Any, window: int, batch_fn: BatchFn) -> bool:
    """Submit batches with at most ``window`` in flight and take them in order.
    Returns True if interrupted (the finished prefix has been collected). On any
    exception, the batches not started are cancelled."""
    pending: deque[tuple[Batch, Future]] = deque()
    it = iter(batches)
    try:
        for b in it:
            pending.append((b, pool.submit(batch_fn, b)))
            if len(pending) >= window:
                break
        while pending:
            b, fut = pending[0]
            _take(b, fut.result(), shape, collector, bar)    # popped only once taken
            pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(batch_fn, nxt)))
    except KeyboardInterrupt:
        with _sigint_ignored():
            for _, f in list(pending)[1:]:
                f.cancel()
            # Keep what finished, in order, up to the first replication that did not: the
            # kept replications are always first..first+n-1, so a later run can carry on.
            while pending and pending[0][1].done() and not pending[0][1].cancelled():
                b, f = pending.popleft()
                try:
                    _take(b, f.result(timeout=0), shape, collector, bar)
                except BaseException:
                    break
        return True
    except BaseException:
        for _, f in pending:
            f.cancel()
        raise
    return False
