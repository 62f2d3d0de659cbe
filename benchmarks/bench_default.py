"""Benchmark: the shipped Herefordshire baseline over 10 years.

    python benchmarks/bench_default.py [--replications 1000] [--workers 2] [--repeats 3]

Prints the median time of one replication (in this process), the wall time of
``--replications`` replications on ``--workers`` processes, the parallel
efficiency against one process, and the goal (1,000 replications in under
60 s on 2 cores). Results are also written to benchmarks/results/default.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from workforce_sim import __version__, load_scenario, run
from workforce_sim.engine import Model
from workforce_sim.results.store import write_json

GOAL_SECONDS = 60.0


def per_replication(scenario, repeats: int) -> float:
    times = []
    for k in range(repeats):
        t = time.perf_counter()
        Model(scenario, 0, k).run()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def batch(scenario, replications: int, workers: int) -> float:
    t = time.perf_counter()
    run(scenario, replications=replications, seed=0, workers=workers, progress=False)
    return time.perf_counter() - t


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replications", type=int, default=1000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="100 replications, 1 repeat")
    args = p.parse_args(argv)
    if args.quick:
        args.replications, args.repeats = 100, 1
    scenario = load_scenario().with_changes({"horizon_months": 120})

    one = per_replication(scenario, max(5, args.repeats * 3))
    serial_n = max(20, args.replications // 10)
    serial = statistics.median(batch(scenario, serial_n, 1) for _ in range(args.repeats)) / serial_n
    wall = statistics.median(batch(scenario, args.replications, args.workers)
                             for _ in range(args.repeats))
    efficiency = serial * args.replications / (wall * args.workers)

    print(f"Herefordshire baseline, 10 years (workforce_sim {__version__}, {os.cpu_count()} cores)")
    print(f"  one replication, in process (median):   {one * 1000:8.1f} ms")
    print(f"  per replication, 1 process, in batch:   {serial * 1000:8.1f} ms")
    print(f"  {args.replications} replications on {args.workers} processes: {wall:8.1f} s "
          f"(goal < {GOAL_SECONDS:.0f} s for 1,000 on 2 cores: "
          f"{'met' if wall * 1000 / args.replications < GOAL_SECONDS else 'NOT met'})")
    print(f"  parallel efficiency on {args.workers} processes: {100 * efficiency:5.1f} % (goal >= 90 %)")

    out = Path(__file__).parent / "results" / ("default_quick.json" if args.quick else "default.json")
    out.parent.mkdir(exist_ok=True)
    data = {"benchmark": "default_10y", "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                        "python": sys.version.split()[0], "workforce_sim": __version__},
            "replications": args.replications, "workers": args.workers, "repeats": args.repeats,
            "one_replication_s": one, "per_replication_serial_s": serial,
            "batch_wall_s": wall, "parallel_efficiency": efficiency}
    write_json(out, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
