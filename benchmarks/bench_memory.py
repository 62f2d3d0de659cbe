"""Benchmark: peak memory of ``workforce_sim.run`` against the number of replications.

    python benchmarks/bench_memory.py [--sizes 100 1000 10000] [--all-sizes 100 1000] [--horizon 6]
    python benchmarks/bench_memory.py --quick        # sizes 100 300 1000

The Herefordshire baseline over a SHORT horizon: 6 months by default, so that
the default run (11,100 replications in summary mode, 1,100 keeping all)
stays near 4 minutes on a quiet 2-core machine; a replication costs about
40 ms of CPU at 6 months and 70 ms at 12 (where 10,000 replications alone take
about 6 minutes). Memory per kept replication grows with the horizon; the
flatness of summary mode does not depend on it. Each (keep, size) runs in a fresh Python process (this file
with ``--child``), so that one measurement's heap cannot leak into the next:

    run(scenario, replications=size, workers=--workers, keep="summary")   # and keep="all"

What is measured, in that child process:

* ``parent_peak``: the peak RSS of the process that calls ``run()`` and
  collects the results (``getrusage(RUSAGE_SELF).ru_maxrss``) -- where kept
  replications accumulate;
* ``parent_growth``: that peak less the process's RSS just before ``run()``
  (after importing pandas, SciPy and the model), i.e. what running costs;
* ``worker_peak``: the largest peak RSS of any pool worker process
  (``getrusage(RUSAGE_CHILDREN).ru_maxrss`` after ``run()`` has shut its pool
  down: the maximum over the workers, not their sum);
* ``tree_pss``: the peak, over samples every 50 ms, of the summed PSS
  (proportional set size, /proc/PID/smaps_rollup) of the collecting process
  and its worker processes. PSS shares copy-on-write pages inherited through
  fork between the processes instead of counting them once per process as a
  sum of RSS would. Linux only; sampled, so a spike shorter than 50 ms can
  be missed.

Summary mode keeps running sums over every replication plus the monthly
rows of the first ``keep_monthly`` (default 1,000) replications, so its memory
may grow up to keep_monthly replications and must be flat beyond; keep="all"
keeps every replication's monthly rows. Results are written atomically to
benchmarks/results/memory.json (memory_quick.json with ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

MB = 1024 * 1024
SAMPLE_SECONDS = 0.05


# ------------------------------------------------------------------ the child


def _rss_bytes(pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # the process ended between listing and reading
        return 0
    return 0


def _children(pid: int) -> list[int]:
    """Child processes of ``pid``: from /proc/PID/task/*/children where the kernel
    has it, else by scanning every /proc/*/stat for the parent pid."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        out = []
        for tid in tasks:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(c) for c in f.read().split())
        return out
    except OSError:
        pass
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # the field after "(comm)" is the state, then the parent pid
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry))
    return out


class TreeSampler(threading.Thread):
    """Samples the summed PSS of this process and its children."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.peak = 0
        self.peak_processes = 0
        self.samples = 0
        self.ok = os.path.exists("/proc/self/smaps_rollup")

    def sample(self) -> None:
        me = os.getpid()
        pids = [me, *_children(me)]
        total = sum(_pss_bytes(p) for p in pids)
        self.samples += 1
        if total > self.peak:
            self.peak, self.peak_processes = total, len(pids)

    def run(self) -> None:
        while self.ok and not self.stop.is_set():
            self.sample()
            self.stop.wait(SAMPLE_SECONDS)


def _maxrss_bytes(who) -> int:
    kb = resource.getrusage(who).ru_maxrss
    return kb if sys.platform == "darwin" else kb * 1024  # Linux reports KiB, macOS bytes


def child(spec: dict) -> dict:
    from workforce_sim import load_scenario, run

    scenario = load_scenario().with_changes({"horizon_months": spec["horizon"]})
    kwargs = {"keep": spec["keep"]}
    if spec.get("keep_monthly") is not None:
        kwargs["keep_monthly"] = spec["keep_monthly"]
    before = _rss_bytes()
    sampler = TreeSampler()
    sampler.start()
    t0 = time.perf_counter()
    res = run(scenario, replications=spec["size"], seed=0, workers=spec["workers"],
              progress=False, **kwargs)
    wall = time.perf_counter() - t0
    if sampler.ok:
        sampler.sample()
    sampler.stop.set()
    sampler.join()
    assert res.replications == spec["size"], (res.replications, spec["size"])
    kept_rows = len(res.monthly)
    kept_bytes = int(res.monthly.memory_usage(deep=True).sum())
    return {**spec, "wall_s": wall, "rss_before_run": before,
            "parent_peak": _maxrss_bytes(resource.RUSAGE_SELF),
            "parent_growth": _maxrss_bytes(resource.RUSAGE_SELF) - before,
            "worker_peak": _maxrss_bytes(resource.RUSAGE_CHILDREN) if spec["workers"] > 1 else None,
            "tree_pss_peak": sampler.peak if sampler.ok else None,
            "tree_processes": sampler.peak_processes, "samples": sampler.samples,
            "kept_rows": kept_rows, "kept_bytes": kept_bytes}


# ------------------------------------------------------------------ the driver


def measure(spec: dict) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"child {spec} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _mb(x) -> str:
    return "      -" if x is None else f"{x / MB:7.1f}"


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
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000],
                   help='replications for keep="summary" (default 100 1000 10000)')
    p.add_argument("--all-sizes", type=int, nargs="*", default=None,
                   help='replications for keep="all" (default: the sizes up to 1,000)')
    p.add_argument("--horizon", type=int, default=6, help="months (default 6)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--keep-monthly", type=int, default=None,
                   help="keep_monthly for summary mode (default: run()'s default)")
    p.add_argument("--quick", action="store_true", help="sizes 100 300 1000")
    p.add_argument("--output", type=Path, default=None, help="JSON file to write")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    if sys.platform != "linux":
        print("note: the PSS of the process tree is read from /proc (Linux only)", file=sys.stderr)
    if args.quick:
        args.sizes = [100, 300, 1000]
    if args.all_sizes is None:
        args.all_sizes = [s for s in args.sizes if s <= 1000]

    from workforce_sim import __version__

    started = time.perf_counter()
    load_before = os.getloadavg()
    rows = []
    for keep, sizes in (("summary", args.sizes), ("all", args.all_sizes)):
        for size in sizes:
            spec = {"keep": keep, "size": size, "horizon": args.horizon, "workers": args.workers,
                    "keep_monthly": args.keep_monthly if keep == "summary" else None}
            r = measure(spec)
            rows.append(r)
            print(f"  keep={keep:8} {size:>6} replications: {r['wall_s']:6.1f} s, "
                  f"parent peak {r['parent_peak'] / MB:6.1f} MB", flush=True)
    elapsed = time.perf_counter() - started

    print(f"\nPeak memory of run(), Herefordshire baseline, {args.horizon} months, "
          f"{args.workers} workers (workforce_sim {__version__}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}); MB = 2^20 bytes")
    print(f"  {'keep':8} {'reps':>6} {'parent':>7} {'growth':>7} {'worker':>7} {'tree PSS':>8} "
          f"{'kept rows':>10} {'kept MB':>7} {'wall s':>7}")
    for r in rows:
        print(f"  {r['keep']:8} {r['size']:>6} {_mb(r['parent_peak'])} {_mb(r['parent_growth'])} "
              f"{_mb(r['worker_peak'])} {_mb(r['tree_pss_peak']):>8} {r['kept_rows']:>10} "
              f"{_mb(r['kept_bytes'])} {r['wall_s']:7.1f}")
    ratios = {}
    for keep in ("summary", "all"):
        mine = sorted((r for r in rows if r["keep"] == keep), key=lambda r: r["size"])
        if len(mine) < 2:
            continue
        lo, hi = mine[0], mine[-1]
        ratios[keep] = {
            "sizes": [lo["size"], hi["size"]],
            "parent_peak": hi["parent_peak"] / lo["parent_peak"],
            "parent_growth": hi["parent_growth"] / max(lo["parent_growth"], 1),
            "tree_pss_peak": (hi["tree_pss_peak"] / lo["tree_pss_peak"]
                              if hi["tree_pss_peak"] and lo["tree_pss_peak"] else None),
        }
        q = ratios[keep]
        tree = f"{q['tree_pss_peak']:.2f}" if q["tree_pss_peak"] else "-"
        print(f"  keep={keep!r}: peak({hi['size']:,}) / peak({lo['size']:,}): "
              f"parent {q['parent_peak']:.2f}, tree PSS {tree}, growth over baseline "
              f"{q['parent_growth']:.2f}")
        if keep == "summary" and len(mine) >= 3:
            a, b = mine[-2], mine[-1]
            q["last_two"] = {"sizes": [a["size"], b["size"]],
                             "parent_peak": b["parent_peak"] / a["parent_peak"]}
            print(f"  keep='summary': peak({b['size']:,}) / peak({a['size']:,}): parent "
                  f"{q['last_two']['parent_peak']:.2f}")
    print(f"  load average before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}; "
          f"benchmark took {elapsed:.0f} s")

    out = args.output or Path(__file__).parent / "results" / (
        "memory_quick.json" if args.quick else "memory.json")
    write_json(out, {
        "benchmark": "memory_vs_replications",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                    "python": sys.version.split()[0], "workforce_sim": __version__,
                    "memory_total_bytes": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")},
        "horizon_months": args.horizon, "workers": args.workers,
        "keep_monthly": args.keep_monthly, "rows": rows, "ratios": ratios,
        "loadavg_before": load_before, "elapsed_s": elapsed,
    })
    print(f"  written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
