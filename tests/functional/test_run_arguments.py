"""Bad arguments to the experiment functions are refused before anything runs, with a
TypeError or ValueError naming the argument, the value and what was expected;
experiments too large to finish are refused with their sizes; an executor that
returns something other than the batch it was asked for is a RuntimeError naming
the batch; and the functions take the runner they use as a keyword (no patching)."""

from __future__ import annotations

import dataclasses
import functools
import os
from concurrent.futures import Executor, Future
from pathlib import Path

import pytest

import workforce_sim as ws
import workforce_sim.experiment.runner as experiment
from workforce_sim.experiment import ArgumentError

from ..conftest import small_dict

SEED = 7


@pytest.fixture(scope="module")
def s() -> ws.Scenario:
    return ws.Scenario.from_dict(small_dict(horizon_months=3))


def recording_runner():
    """``run`` with a batch function that records every batch and runs none."""
    calls: list = []

    def batch(args):
        calls.append(args)
        raise AssertionError("a batch ran")

    return calls, functools.partial(experiment._run, batch_fn=batch)


BAD_RUN_ARGUMENTS = [
    ({"replications": True}, TypeError, r"replications must be a whole number.*True.*bool"),
    ({"replications": 2.5}, TypeError, r"replications must be a whole number.*2\.5"),
    ({"replications": "3"}, TypeError, r"replications.*'3'.*str"),
    ({"replications": 0}, ValueError, r"replications must be a whole number >= 1, got 0"),
    ({"replications": -1}, ValueError, r"replications must be a whole number >= 1, got -1"),
    ({"replications": 10**30}, ValueError, r"replications must be at most 1,000,000 .*days"),
    ({"seed": True}, TypeError, r"seed must be a whole number.*True"),
    ({"seed": 1.0}, TypeError, r"seed must be a whole number.*1\.0.*float"),
    ({"seed": -1}, ValueError, r"seed must be a whole number >= 0, got -1"),
    ({"workers": 0}, ValueError, r"workers must be a whole number >= 1, got 0"),
    ({"workers": -5}, ValueError, r"workers must be a whole number >= 1, got -5"),
    ({"workers": True}, TypeError, r"workers must be a whole number.*True"),
    ({"workers": 2.0}, TypeError, r"workers must be a whole number.*2\.0"),
    ({"workers": 10**9}, ValueError, r"workers must be at most 1,024"),
    ({"first_replication": True}, TypeError, r"first_replication must be a whole number"),
    ({"first_replication": -2}, ValueError, r"first_replication must be a whole number >= 0"),
    ({"keep_monthly": True}, TypeError, r"keep_monthly must be a whole number"),
    ({"keep": "some"}, ValueError, r"keep must be 'all' or 'summary', got 'some'"),
    ({"progress": "yes"}, TypeError, r"progress must be True, False or None, got 'yes'"),
    ({"executor": object()}, TypeError, r"executor must be a concurrent.futures.Executor"),
]


def _id(arguments: dict) -> str:
    """A test id that is the same in every process (no object addresses)."""
    return ",".join(f"{k}={type(v).__name__ if type(v) is object else repr(v)}"[:40]
                    for k, v in arguments.items())


@pytest.mark.parametrize("bad, error, message", BAD_RUN_ARGUMENTS,
                         ids=[_id(b) for (b, _, _) in BAD_RUN_ARGUMENTS])
def test_run_refuses_bad_arguments_before_anything_runs(s, bad, error, message):
    calls, runner = recording_runner()
    options = {"replications": 4, "seed": SEED, "workers": 1, "progress": False, **bad}
    with pytest.raises(error, match=message):
        runner(s, **options)
    assert calls == []
    with pytest.raises(error, match=message):       # and the public function says the same
        ws.run(s, **options)


def test_run_refuses_what_is_not_a_scenario():
    with pytest.raises(TypeError, match="expected a Scenario.*dict"):
        ws.run({"name": "x"}, 2)


def test_run_accepts_numpy_integers(s):
    np = pytest.importorskip("numpy")
    res = ws.run(s, np.int64(2), np.int32(SEED), workers=1, progress=False)
    assert res.replications == 2 and res.seed == SEED and type(res.seed) is int


@pytest.mark.parametrize("bad, error, message", [
    ({"seed": True}, TypeError, "seed must be a whole number"),
    ({"replication": True}, TypeError, "replication must be a whole number"),
    ({"replication": 1.5}, TypeError, "replication must be a whole number"),
    ({"replication": -1}, ValueError, "replication must be a whole number >= 0"),
    ({"case_log": "yes"}, TypeError, "case_log must be True or False"),
])
def test_simulate_refuses_bad_arguments(s, bad, error, message):
    with pytest.raises(error, match=message):
        ws.simulate(s, **bad)


# ------------------------------------------------------------------ experiments too large


def test_a_million_point_sweep_is_refused_before_it_starts(s):
    calls: list = []
    grid = {"teams.safeguarding.caseload_cap": list(range(1, 1001)),
            "absence.rate": [i / 100_000 for i in range(1000)]}
    with pytest.raises(ValueError, match=r"1,000 × 1,000 = 1,000,000 scenarios.*10,000"):
        ws.sweep(s, grid, replications=1, runner=lambda *a, **k: calls.append(a))
    assert calls == []


def test_a_sweep_with_too_many_replications_in_all_is_refused(s):
    grid = {"teams.safeguarding.caseload_cap": list(range(1, 201))}
    with pytest.raises(ValueError, match=r"200 scenarios × 10,000 replications = 2,000,000"):
        ws.sweep(s, grid, replications=10_000, runner=lambda *a, **k: None)
    with pytest.raises(ValueError, match=r"replications must be at most 1,000,000"):
        ws.sweep(s, grid, replications=10**30, runner=lambda *a, **k: None)


@pytest.mark.parametrize("grid, error, message", [
    ({}, ValueError, "at least one path"),
    ({"absence.rate": []}, ValueError, "'absence.rate' has no values"),
    ({"absence.rate": "0.1,0.2"}, TypeError, "must be a list of values"),
    ({"absence.rate": 0.1}, TypeError, "must be a list of values"),
    ({3: [1]}, TypeError, "grid keys must be dotted paths"),
])
def test_sweep_refuses_a_bad_grid(s, grid, error, message):
    with pytest.raises(error, match=message):
        ws.sweep(s, grid, replications=1, runner=lambda *a, **k: None)


def test_compare_refuses_too_many_replications_and_non_scenarios(s):
    with pytest.raises(ValueError, match=r"2 scenarios × 600,000 replications = 1,200,000"):
        ws.compare({"a": s, "b": s}, 600_000, runner=lambda *a, **k: None)
    with pytest.raises(TypeError, match="replications must be a whole number"):
        ws.compare({"a": s}, True, runner=lambda *a, **k: None)
    with pytest.raises(TypeError, match="scenario 'b': expected a Scenario"):
        ws.compare({"a": s, "b": "b.toml"}, 2, runner=lambda *a, **k: None)


def test_sensitivity_refuses_experiments_too_large(s):
    ranges = {"absence.rate": (0.0, 0.05)}
    with pytest.raises(ValueError, match=r"3 scenarios × 500,000 replications"):
        ws.one_at_a_time(s, ranges, replications=500_000, runner=lambda *a, **k: None)
    with pytest.raises(ValueError, match=r"expected \(low, high\)"):
        ws.one_at_a_time(s, {"absence.rate": (0.0,)}, runner=lambda *a, **k: None)
    with pytest.raises(ValueError, match=r"1,048,576 samples × 3 = 3,145,728 scenarios"):
        ws.global_sensitivity(s, ranges, samples=2**20, replications=1,
                              runner=lambda *a, **k: None)
    with pytest.raises(TypeError, match="samples must be a whole number"):
        ws.global_sensitivity(s, ranges, samples=True, runner=lambda *a, **k: None)


@pytest.mark.parametrize("bad, error, message", [
    ({"batch": 0}, ValueError, "batch must be a whole number >= 1"),
    ({"max_replications": 10**30}, ValueError, "max_replications must be at most 1,000,000"),
    ({"max_replications": 2}, ValueError, r"max_replications \(2\) must be at least initial"),
    ({"initial": 1}, ValueError, "initial must be a whole number >= 2"),
    ({"look_ahead": True}, TypeError, "look_ahead must be a whole number"),
    ({"target": 1.5}, ValueError, "target must be a fraction"),
    ({"confidence": 0}, ValueError, "confidence must be a fraction"),
])
def test_replications_needed_refuses_bad_arguments(s, bad, error, message):
    calls: list = []
    with pytest.raises(error, match=message):
        ws.replications_needed(s, **bad, runner=lambda *a, **k: calls.append(a))
    assert calls == []


# ------------------------------------------------------------------ injected runners


def test_every_experiment_uses_the_runner_it_is_given(s):
    seen: list[tuple] = []

    def runner(scenario, replications, seed, **options):
        seen.append((scenario.name, replications, seed, options.get("first_replication", 0)))
        return ws.run(scenario, replications, seed, **options)

    opts = {"workers": 1, "progress": False, "runner": runner}
    ws.compare({"a": s, "b": s.with_changes({"name": "b"})}, 2, SEED, **opts)
    assert seen == [(s.name, 2, SEED, 0), ("b", 2, SEED, 0)]
    seen.clear()
    ws.sweep(s, {"absence.rate": [0.0, 0.01]}, 2, SEED, **opts)
    assert [x[1:] for x in seen] == [(2, SEED, 0)] * 2
    seen.clear()
    ws.one_at_a_time(s, {"absence.rate": (0.0, 0.02)}, "open_cases", 2, SEED, **opts)
    assert len(seen) == 3
    seen.clear()
    ws.replications_needed(s, ("open_cases",), 0.5, seed=SEED, look_ahead=1, batch=2,
                           max_replications=4, **opts)
    assert [x[1:] for x in seen] == [(3, SEED, 0), (1, SEED, 3)]   # initial 3, then 1 to max


# ------------------------------------------------------------------ executors that misbehave


class TamperingExecutor(Executor):
    """Runs each batch at once, in this thread, and hands back ``tamper(result, batch)``."""

    def __init__(self, tamper):
        self.tamper = tamper

    def submit(self, fn, /, *args, **kwargs):
        fut: Future = Future()
        fut.set_result(self.tamper(fn(*args, **kwargs), args[0]))
        return fut


def _another_batch(frames, batch):
    scenario, seed, first, last = batch
    return experiment._batch((scenario, seed, first + 1, last + 1))


def _a_month_short(frames, batch):
    return [f[f["month"] != f["month"].max()] for f in frames]


@pytest.mark.parametrize("tamper, message", [
    (lambda frames, batch: None, r"returned NoneType for the batch of replications 0 to 1 \(seed 7\)"),
    (lambda frames, batch: [], r"returned 0 tables for the batch of replications 0 to 1.*expected 2"),
    (lambda frames, batch: tuple(frames), r"returned tuple for the batch of replications 0 to 1"),
    (lambda frames, batch: [None] * len(frames), "returned a NoneType for replication 0"),
    (_another_batch, r"in place of replication 0 holds replication\(s\) \[1\]"),
    (_a_month_short, r"replication 0 of the batch .* has 6 rows over 2 months; "
                     r"expected 9 rows over 3 months"),
    (lambda frames, batch: [f.drop(columns="referrals") for f in frames], "has columns"),
])
def test_an_executor_returning_the_wrong_thing_is_a_runtime_error(s, tamper, message):
    with pytest.raises(RuntimeError, match=message):
        # 8 replications on workers=1: batches of 2
        ws.run(s, 8, SEED, executor=TamperingExecutor(tamper), workers=1, progress=False)


def test_an_honest_executor_gives_the_results_of_this_process(s):
    here = ws.run(s, 4, SEED, workers=1, progress=False)
    there = ws.run(s, 4, SEED, executor=TamperingExecutor(lambda f, b: f), workers=1,
                   progress=False)
    assert there.monthly.equals(here.monthly) and not there.interrupted


# ------------------------------------------------------------------ errors


def test_range_errors_are_argument_errors_a_kind_of_value_error(s):
    """The CLI can tell bad input (exit 2) from a failure by catching ArgumentError."""
    assert issubclass(ArgumentError, ValueError)
    for call in (lambda: ws.run(s, 10**30), lambda: ws.run(s, 2, workers=0),
                 lambda: ws.sweep(s, {"absence.rate": list(range(20_000))}),
                 lambda: ws.compare({"a": s}, 0)):
        with pytest.raises(ArgumentError):
            call()


def _failing_batch(args):
    if args[2] >= 2:
        raise ValueError("a batch failed")
    return experiment._batch(args)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_an_error_in_a_worker_is_raised_and_the_pool_ended(s):
    """No worker process is left running (read from the system, not from
    multiprocessing's bookkeeping, which can lag while the pool's own thread reaps)."""
    from .test_pool_processes import _children

    before = _children(os.getpid())
    with pytest.raises(ValueError, match="a batch failed"):
        experiment._run(s, 8, SEED, workers=2, progress=False, batch_fn=_failing_batch)
    assert _children(os.getpid()) - before == set()


@pytest.fixture(scope="module")
def one_run(s) -> ws.Results:
    return ws.run(s, 2, SEED, workers=1, progress=False)


def _stopping_runner(results, stop_at: int, how: str):
    """A runner whose ``stop_at``-th call is interrupted (``how``: partial results, or
    Ctrl-C before anything finished); it records the calls."""
    calls = []

    def runner(scenario, replications, seed, **kw):
        calls.append(scenario)
        if len(calls) == stop_at:
            if how == "ctrl-c":
                raise KeyboardInterrupt
            return dataclasses.replace(results, interrupted=True, replications_requested=5)
        return results
    return calls, runner


@pytest.mark.parametrize("how", ["partial", "ctrl-c"])
def test_an_interrupted_comparison_stops_and_keeps_what_finished(s, one_run, how):
    calls, runner = _stopping_runner(one_run, 2, how)
    three = {"a": s, "b": s, "c": s}
    comp = ws.compare(three, 2, SEED, runner=runner)
    assert comp.interrupted and len(calls) == 2
    assert list(comp.results) == (["a", "b"] if how == "partial" else ["a"])
    sw = ws.sweep(s, {"absence.rate": [0.0, 0.01, 0.02]}, 2, SEED, runner=_stopping_runner(
        one_run, 2, how)[1])
    assert sw.interrupted and len(sw.points) == len(sw.results) == (2 if how == "partial" else 1)


def test_a_comparison_interrupted_before_its_baseline_ran_raises(s, one_run):
    _, runner = _stopping_runner(one_run, 1, "ctrl-c")
    with pytest.raises(KeyboardInterrupt):
        ws.compare({"a": s, "b": s}, 2, SEED, runner=runner)
