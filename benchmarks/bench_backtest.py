"""Benchmark: ``ws.backtest`` for one origin, every council, 3 years ahead.

    python benchmarks/bench_backtest.py [--replications 20] [--workers 2] [--origin 2022]
    python benchmarks/bench_backtest.py --quick      # 2 replications (about 3-4 minutes)
    python benchmarks/bench_backtest.py --out DIR    # and save the backtest (docs/validation.md)

Times one call of ``ws.backtest(origins=(origin,), horizon=3, replications=N)``
on the package's own process pool, as a user runs it: building every council's
scenario from the shipped data (in this process), the replications (on the pool)
and the forecasts and scores. Prints the wall time, the CPU time (this process
and the pool's workers), the time spent building the scenarios, and the wall
time a replication costs across the councils; the time of one council's
replication varies about 60-fold, from Rutland (0.04 s for 3 years) to Kent
(2.6 s). One run (a backtest of all councils takes about 15 minutes on 2 cores
at 20 replications, 70 at 100), so there are no repeats: quote it with the load.

Results are written atomically to benchmarks/results/backtest.json
(backtest_quick.json with ``--quick``).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import workforce_sim as ws
from workforce_sim import __version__
from workforce_sim.experiment import backtesting as bt_module
from workforce_sim.results.store import write_json


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replications", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--origin", type=int, default=2022)
    p.add_argument("--quick", action="store_true", help="2 replications")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="also save the backtest there (tables, report; after the timing)")
    args = p.parse_args(argv)
    if args.quick:
        args.replications = 2

    load_before = os.getloadavg()
    t, cpu = time.perf_counter(), _cpu()
    bt = ws.backtest(origins=(args.origin,), horizon=3, replications=args.replications,
                     workers=args.workers, progress=False)
    wall, cpu = time.perf_counter() - t, _cpu() - cpu
    load_after = os.getloadavg()
    runs = int((bt.councils["status"] == "run").sum())
    if args.out:
        bt.save(args.out)

    t = time.perf_counter()
    for code in bt.councils["code"]:          # what building the scenarios alone costs
        try:
            census = bt_module.Census.read(None, until=args.origin)
            bt_module._scenario(census, code, args.origin, 3, None)
        except ws.DataError:
            pass
    build = time.perf_counter() - t

    print(f"ws.backtest, origin {args.origin}, 3 years, {args.replications} replications, "
          f"{args.workers} workers (workforce_sim {__version__}, {os.cpu_count()} cores)")
    print(f"  councils run:                  {runs} of {len(bt.councils)}")
    print(f"  wall time:                     {wall:8.1f} s")
    print(f"  CPU time (with the workers):   {cpu:8.1f} s  ({100 * cpu / (args.workers * wall):.0f} % "
          f"of {args.workers} cores)")
    print(f"  building the scenarios alone:  {build:8.1f} s  (in this process, serially)")
    print(f"  wall per council replication:  {1000 * wall / (runs * args.replications):8.1f} ms")
    print(f"  load average before / after:   {load_before[0]:.2f} / {load_after[0]:.2f}")

    out = Path(__file__).parent / "results" / ("backtest_quick.json" if args.quick
                                               else "backtest.json")
    out.parent.mkdir(exist_ok=True)
    data = {"benchmark": "backtest_one_origin", "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                        "python": sys.version.split()[0], "workforce_sim": __version__},
            "origin": args.origin, "horizon": 3, "replications": args.replications,
            "workers": args.workers, "council_runs": runs, "councils": len(bt.councils),
            "wall_s": wall, "cpu_s": cpu, "scenario_build_s": build,
            "wall_per_council_replication_s": wall / (runs * args.replications),
            "load_before": load_before[0], "load_after": load_after[0]}
    write_json(out, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
