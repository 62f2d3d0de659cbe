"""Benchmark: parallel efficiency of ``workforce_sim.run`` on 2 processes.

    python benchmarks/bench_parallel.py [--replications 200] [--workers 2] [--repeats 2]
                                        [--direct auto|always|never]
    python benchmarks/bench_parallel.py --quick      # 40 replications, 1 repeat, no 1,000 run

The Herefordshire baseline over 10 years (``load_scenario()`` with
``horizon_months = 120``). Each repeat times ``run()`` on ``--replications``
replications with ``workers=1`` (in this process) and with ``workers=--workers``
(a process pool, started and shut down inside ``run()`` as a user sees it),
one right after the other so that both see the same load on a shared machine.

Printed, from medians over the repeats:

* parallel efficiency = T1 / (workers × Tw), goal >= 90 % on 2 cores (benchmarks/README.md);
* the CPU time of each run (this process plus the pool's worker processes), the
  "CPU share" = CPU / (workers × wall): near 100 % when the run had its cores
  to itself, lower when other work on the machine took some; and the average
  number of cores that other processes kept busy during each run (from
  /proc/stat, Linux only). A wall-time efficiency is meaningful only for
  repeats where that number is near 0;
* the CPU efficiency = CPU1 / CPUw: the extra work the pool does (forking,
  pickling, collecting). Less sensitive to other load than wall time, but not
  immune (on a virtual machine, time the host takes away can be charged as
  CPU time, and shared caches slow everyone);
* the wall time of 1,000 replications on the pool extrapolated from Tw, and
  measured directly (one run), against the 60 s goal. ``--direct auto`` (the
  default) measures it only when the extrapolation is within twice the goal:
  at 0.35-0.5 s of CPU a replication (workforce_sim 0.1.0) the direct run
  takes about 4 minutes and only confirms a miss the extrapolation already
  shows; ``--direct always`` measures it anyway, ``--quick`` never.

At 0.35 s a replication the default (2 × 200 replications on one process and
on two) takes about 5 minutes on a quiet 2-core machine.

Results are written atomically to benchmarks/results/parallel.json
(parallel_quick.json with ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from workforce_sim import __version__, load_scenario, run

EFFICIENCY_GOAL = 0.90
GOAL_REPLICATIONS = 1000
GOAL_SECONDS = 60.0


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _machine_busy_s() -> float | None:
    """CPU seconds spent by everything on the machine since boot (Linux /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)        # idle + iowait
    busy = sum(fields[:8]) - idle                                   # up to steal, not guests
    return busy / os.sysconf("SC_CLK_TCK")


def timed_run(scenario, replications: int, workers: int, keep: str) -> dict:
    """Wall and CPU time of one ``run()``. The pool's workers are joined when
    ``run()`` shuts its pool down, so their CPU time is in RUSAGE_CHILDREN.
    ``others_cores``: the average number of cores that other processes on the
    machine kept busy meanwhile (Linux; None elsewhere)."""
    b0 = _machine_busy_s()
    c0, k0 = time.process_time(), _children_cpu()
    t0 = time.perf_counter()
    res = run(scenario, replications=replications, seed=0, workers=workers,
              progress=False, keep=keep)
    wall = time.perf_counter() - t0
    cpu = (time.process_time() - c0) + (_children_cpu() - k0)
    b1 = _machine_busy_s()
    assert res.replications == replications, (res.replications, replications)
    others = None if b0 is None or b1 is None else max(0.0, (b1 - b0 - cpu) / wall)
    return {"wall_s": wall, "cpu_s": cpu, "cpu_share": cpu / (wall * workers),
            "others_cores": others}


def _others(r: dict) -> str:
    return "" if r["others_cores"] is None else f", other processes {r['others_cores']:.2f} cores"


def machine() -> dict:
    return {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "python": sys.version.split()[0],
            "workforce_sim": __version__}


def write_json(out: Path, data: dict) -> None:
    out.parent.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".part")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
        os.chmod(tmp, 0o644)          # mkstemp makes it private
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replications", type=int, default=200,
                   help="replications per timed run (default 200)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--horizon", type=int, default=120, help="months (default 120)")
    p.add_argument("--keep", choices=("all", "summary"), default="all")
    p.add_argument("--direct", choices=("auto", "always", "never"), default="auto",
                   help=f"time {GOAL_REPLICATIONS:,} replications on the pool directly: always, "
                        "never, or (auto) when the extrapolation is under twice the goal")
    p.add_argument("--quick", action="store_true",
                   help="40 replications, 1 repeat, no direct 1,000 run")
    p.add_argument("--output", type=Path, default=None, help="JSON file to write")
    args = p.parse_args(argv)
    if args.quick:
        args.replications, args.repeats, args.direct = 40, 1, "never"
    scenario = load_scenario().with_changes({"horizon_months": args.horizon})
    n, w = args.replications, args.workers
    load_before = os.getloadavg()
    started = time.perf_counter()

    # Warm-up: imports, caches and the first fork outside the timings.
    run(scenario, replications=max(2, w), seed=0, workers=w, progress=False)

    serial, pooled = [], []
    for k in range(args.repeats):
        # Alternate the order so neither configuration always runs first.
        order = (1, w) if k % 2 == 0 else (w, 1)
        for workers in order:
            r = timed_run(scenario, n, workers, args.keep)
            (serial if workers == 1 else pooled).append(r)
            print(f"  repeat {k + 1}/{args.repeats}: workers={workers}: {r['wall_s']:7.1f} s wall, "
                  f"{r['cpu_s']:7.1f} s CPU (CPU share {100 * r['cpu_share']:5.1f} %{_others(r)})",
                  flush=True)

    t1 = statistics.median(r["wall_s"] for r in serial)
    tw = statistics.median(r["wall_s"] for r in pooled)
    c1 = statistics.median(r["cpu_s"] for r in serial)
    cw = statistics.median(r["cpu_s"] for r in pooled)
    share = statistics.median(r["cpu_share"] for r in pooled)
    efficiency = t1 / (w * tw)
    paired = statistics.median(a["wall_s"] / (w * b["wall_s"]) for a, b in zip(serial, pooled, strict=True))
    extrapolated = tw / n * GOAL_REPLICATIONS

    direct = None
    if args.direct == "always" or (args.direct == "auto" and extrapolated <= 2 * GOAL_SECONDS):
        direct = timed_run(scenario, GOAL_REPLICATIONS, w, args.keep)
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()

    print(f"\nParallel efficiency, Herefordshire baseline, {args.horizon} months "
          f"(workforce_sim {__version__}, {os.cpu_count()} cores, Python {sys.version.split()[0]})")
    print(f"  {n} replications, medians of {args.repeats} repeat(s), keep={args.keep!r}")
    print(f"  {'':24} {'wall s':>8} {'CPU s':>8} {'ms/rep wall':>12} {'CPU share':>10}")
    print(f"  {'workers=1':24} {t1:8.1f} {c1:8.1f} {1000 * t1 / n:12.1f} "
          f"{100 * statistics.median(r['cpu_share'] for r in serial):9.1f}%")
    print(f"  {f'workers={w}':24} {tw:8.1f} {cw:8.1f} {1000 * tw / n:12.1f} {100 * share:9.1f}%")
    print(f"  parallel efficiency T1/({w}·T{w}): {100 * efficiency:5.1f} % "
          f"(median of paired repeats {100 * paired:5.1f} %; goal >= {100 * EFFICIENCY_GOAL:.0f} %: "
          f"{'met' if efficiency >= EFFICIENCY_GOAL else 'NOT met'})")
    print(f"  CPU efficiency CPU1/CPU{w}: {100 * c1 / cw:5.1f} % (the extra CPU the pool spends)")
    others = [r["others_cores"] for r in serial + pooled if r["others_cores"] is not None]
    if others:
        print(f"  other processes kept {min(others):.2f}-{max(others):.2f} cores busy during the "
              f"timed runs{'' if max(others) < 0.1 else ': wall times are NOT those of a quiet machine'}")
    print(f"  {GOAL_REPLICATIONS:,} replications on {w} workers, extrapolated: {extrapolated:7.1f} s "
          f"(goal < {GOAL_SECONDS:.0f} s: {'met' if extrapolated < GOAL_SECONDS else 'NOT met'}; "
          f"needs {1000 * GOAL_SECONDS * w / GOAL_REPLICATIONS:.0f} ms of CPU a replication at "
          f"100 % efficiency, has {1000 * c1 / n:.0f})")
    if direct is None:
        print(f"  {GOAL_REPLICATIONS:,} replications on {w} workers, measured:     not run "
              f"(--direct {args.direct})")
    else:
        print(f"  {GOAL_REPLICATIONS:,} replications on {w} workers, measured:     "
              f"{direct['wall_s']:7.1f} s (CPU share {100 * direct['cpu_share']:5.1f} %"
              f"{_others(direct)}; goal < "
              f"{GOAL_SECONDS:.0f} s: {'met' if direct['wall_s'] < GOAL_SECONDS else 'NOT met'})")
    print(f"  load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f}; "
          f"benchmark took {elapsed:.0f} s")

    out = args.output or Path(__file__).parent / "results" / (
        "parallel_quick.json" if args.quick else "parallel.json")
    write_json(out, {
        "benchmark": "parallel_efficiency", "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(), "horizon_months": args.horizon, "keep": args.keep,
        "replications": n, "workers": w, "repeats": args.repeats,
        "serial": serial, "pooled": pooled,
        "median_wall_1_s": t1, "median_wall_w_s": tw, "median_cpu_1_s": c1, "median_cpu_w_s": cw,
        "parallel_efficiency": efficiency, "parallel_efficiency_paired_median": paired,
        "cpu_efficiency": c1 / cw,
        "efficiency_goal": EFFICIENCY_GOAL, "efficiency_goal_met": efficiency >= EFFICIENCY_GOAL,
        "extrapolated_1000_s": extrapolated, "direct_1000": direct, "goal_seconds": GOAL_SECONDS,
        "goal_1000_met": (direct["wall_s"] if direct else extrapolated) < GOAL_SECONDS,
        "loadavg_before": load_before, "loadavg_after": load_after, "elapsed_s": elapsed,
    })
    print(f"  written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
