"""A real process pool, stopped from outside (Linux only: /proc is read).

A small script runs ``run(..., workers=2)`` with a batch function in which
replication 0 runs and every later batch hangs for ever; once both workers
hang, the script's process group gets Ctrl-C (SIGINT, as a terminal sends it),
two Ctrl-Cs, SIGTERM or SIGKILL. Each time the script must end within a
generous guard (never a hang), print no traceback, keep the finished
replication when interrupted, and leave no child process alive.

Run them with ``pytest -m slow tests/functional/test_pool_processes.py``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux") or not Path("/proc").is_dir(),
                       reason="reads /proc"),
    pytest.mark.slow,           # a fresh interpreter each (imports, pool): about 5 s a test
]

GUARD = 30.0        # seconds: a hang guard, not a timing

SCRIPT = textwrap.dedent('''
    import os, signal, sys, time, warnings
    import workforce_sim as ws
    from workforce_sim.experiment import runner

    def batch(args):
        if args[2] >= 1:                       # every batch after the first hangs
            print("hanging", os.getpid(), flush=True)
            while True:
                time.sleep(0.5)
        return runner._batch(args)

    if __name__ == "__main__":
        scenario = ws.load_scenario().with_changes({"horizon_months": 2})
        warnings.simplefilter("ignore")
        try:
            res = runner._run(scenario, 8, 1, workers=2, progress=False, batch_fn=batch)
        except KeyboardInterrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)   # a later Ctrl-C is not run's
            print("result nothing kept", flush=True)
        else:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            print("result", res.interrupted, res.replications, res.replications_requested,
                  flush=True)
''')


def _state(pid: int) -> str | None:
    """The process's state letter, or None if it is gone (zombies count as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state = stat.rsplit(")", 1)[1].split()[0]
    return None if state in ("Z", "X") else state


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid``."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - found
        found |= frontier
    return {c for c in found if _state(c) is not None}


def _wait_gone(pids: set[int]) -> set[int]:
    deadline = time.monotonic() + GUARD
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        alive = {p for p in alive if _state(p) is not None}
        time.sleep(0.05)
    return alive


@pytest.fixture
def started(tmp_path):
    """The script, running until both workers hang; killed (group) if a test fails."""
    script = tmp_path / "hanging_run.py"
    script.write_text(SCRIPT, "utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 3 * GUARD         # start-up and imports
        while len(workers) < 2 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("hanging"):
                workers.add(int(line.split()[1]))
        assert len(workers) == 2, (proc.poll(), proc.stderr.read() if proc.poll() is not None else "")
        time.sleep(0.5)              # let the main process take replication 0's result in
        family = _children(proc.pid)
        assert workers <= family, (workers, family)
        yield proc, family
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in _children(proc.pid) | workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=GUARD)


def _finish(proc) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=GUARD)
    return proc.returncode, out, err


def test_ctrl_c_with_hung_workers_keeps_the_finished_replication_and_ends_the_pool(started):
    proc, family = started
    os.killpg(proc.pid, signal.SIGINT)       # the terminal's Ctrl-C: the whole group
    rc, out, err = _finish(proc)
    assert rc == 0, err
    assert "result True 1 8" in out, (out, err)
    assert "Traceback" not in err, err
    assert _wait_gone(family) == set()


def test_a_second_ctrl_c_during_shutdown_prints_no_traceback(started):
    proc, family = started
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.01)                         # not merged with the first; lands while run ends
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    rc, out, err = _finish(proc)
    assert "Traceback" not in err, err
    assert "result True 1 8" in out or "result nothing kept" in out, (out, err)
    assert _wait_gone(family) == set()


def test_sigterm_ends_the_run_and_its_workers(started):
    proc, family = started
    proc.send_signal(signal.SIGTERM)         # the main process only
    rc, out, err = _finish(proc)
    assert rc in (143, -signal.SIGTERM), (rc, err)
    assert "Traceback" not in err, err
    assert _wait_gone(family) == set()


def test_workers_die_with_their_parent_on_sigkill(started):
    proc, family = started
    proc.send_signal(signal.SIGKILL)         # no clean-up possible in the parent
    proc.wait(timeout=GUARD)
    assert _wait_gone(family) == set()
