"""Case-flow core benchmark: our engine against simpy.Resource and Ciw, side by side.

All three simulate the same M/M/c queue (c = 200 slots, rho = 0.9, exponential
service, about 200 k customers) in the same process and the same run:

* ``workforce_sim``: a one-team scenario (10 workers x caseload cap 20, case
  weight 1, FTE 1, no absence) run by :class:`workforce_sim.model.Model`, with
  monthly recording on;
* ``simpy.Resource``: a plain SimPy model, one process per customer (arrive,
  request, hold, release), as a typical SimPy user would write it;
* ``Ciw``: an M/M/200 network simulated to the same time (skipped if Ciw is
  not installed: ``pip install -e '.[bench]'``).

Throughput is customers (arrivals before the horizon) per wall-clock second,
the median of ``--repeats`` runs. Every repeat uses the same seeds, so each
approach does the same work in every repeat; the order of the approaches
rotates from repeat to repeat. The machine is shared and noisy, so targets
are judged on ratios measured in the same run, never on absolute numbers.

Targets (DESIGN.md section 8): ours >= 2x simpy.Resource and >= 6x Ciw.

Run:  python benchmarks/bench_caseflow.py [--quick] [--repeats N] [--gc] [--output PATH]

Exit status is 0 whether or not the targets are met (a benchmark reports, it
does not fail CI); an exception in one of the implementations still exits
non-zero, so a smoke test can catch a broken engine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import simpy

import workforce_sim
from workforce_sim.model import Model
from workforce_sim.model.recorder import COLUMNS

try:
    import ciw
except ImportError:  # the reference is optional: pip install -e '.[bench]'
    ciw = None

# --------------------------------------------------------------------- the queue

SERVERS = 200                   # c = 10 workers x caseload cap 20
WORKERS, CAP = 10, 20
RHO = 0.9
MEAN_SERVICE_DAYS = 10.0        # short cases, so 200 k arrivals fit in the schema's horizon
MU = 1.0 / MEAN_SERVICE_DAYS    # per day
LAM = RHO * SERVERS * MU        # 18 arrivals a day
DAYS_PER_YEAR = 365.25          # workforce_sim's year (referrals_per_year / 365.25 per day)

FULL_MONTHS = 365               # 11,108 days: ~200 k arrivals
QUICK_MONTHS = 37               # 1,126 days: ~20 k arrivals

SEED_OURS, SEED_SIMPY, SEED_CIW = 1, 2, 3

TARGETS = {"simpy.Resource": 2.0, "Ciw": 6.0}   # ours must be >= this many times faster

RESULTS = Path(__file__).resolve().parent / "results"


def scenario(months: int) -> workforce_sim.Scenario:
    return workforce_sim.Scenario.from_dict({
        "schema_version": 1,
        "name": "benchmark M/M/200",
        "start_date": "2025-01-01",
        "horizon_months": months,
        "teams": {"t": {"establishment_fte": WORKERS, "caseload_cap": CAP,
                        "staff": {"permanent": WORKERS}}},
        "case_types": {"c": {"team": "t", "weight": 1.0,
                             "referrals_per_year": LAM * DAYS_PER_YEAR,
                             "duration_days": {"dist": "exponential", "mean": MEAN_SERVICE_DAYS},
                             "initial_open": 0}},
        "absence": {"rate": 0.0},
    }, source="benchmark")


# ----------------------------------------------------------------- Erlang C


def erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    """P(an arrival waits) and mean wait in queue of an M/M/c queue.

    Uses the Erlang B recursion B_k = a B_{k-1} / (k + a B_{k-1}), which never
    forms a^c or c!, so it is stable for large c."""
    a = lam / mu
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    p_wait = b / (1.0 - rho * (1.0 - b))
    return p_wait, p_wait / (c * mu - lam)


# ------------------------------------------------------------- the approaches
#
# Each run_* returns (customers, seconds, stats). Only model building and
# running are timed; waiting statistics are gathered afterwards.

_REFERRALS = 2 + COLUMNS.index("referrals")          # rows are (month, team, *COLUMNS)
_ALLOCATIONS = 2 + COLUMNS.index("allocations")
_MEAN_WAIT = 2 + COLUMNS.index("mean_wait_days")


def run_ours(sc: workforce_sim.Scenario) -> tuple[int, float, dict]:
    t0 = time.perf_counter()
    model = Model(sc, SEED_OURS, 0).run()
    seconds = time.perf_counter() - t0
    rows = [r for r in model.recorder.rows if r[1] == "t"]
    customers = sum(r[_REFERRALS] for r in rows)
    allocated = sum(r[_ALLOCATIONS] for r in rows)
    wait = sum(r[_MEAN_WAIT] * r[_ALLOCATIONS] for r in rows if r[_ALLOCATIONS])
    return customers, seconds, {"served": allocated, "mean_wait": wait / allocated}


def ours_p_wait(sc: workforce_sim.Scenario) -> float:
    """Share of cases that waited, from one untimed run with the case log on
    (same seed, so the same trajectory as the timed runs)."""
    log = Model(sc, SEED_OURS, 0, keep_case_log=True).run().case_log
    spells = [r for r in log.rows if r[5] == r[5]]       # allocated (not NaN)
    return sum(r[5] > r[4] for r in spells) / len(spells)


def run_simpy(horizon: float) -> tuple[int, float, dict]:
    """The reference: one SimPy process per customer holding a simpy.Resource slot."""
    t0 = time.perf_counter()
    rng = random.Random(SEED_SIMPY)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    waits: list[float] = []
    arrivals = 0

    def customer(env, servers, service_time):
        arrive = env.now
        with servers.request() as req:
            yield req
            waits.append(env.now - arrive)
            yield env.timeout(service_time)

    def source(env, servers):
        nonlocal arrivals
        while True:
            yield env.timeout(rng.expovariate(LAM))
            arrivals += 1
            env.process(customer(env, servers, rng.expovariate(MU)))

    env.process(source(env, servers))
    env.run(until=horizon)
    seconds = time.perf_counter() - t0
    return arrivals, seconds, {"served": len(waits), "mean_wait": statistics.fmean(waits),
                               "p_wait": sum(w > 0 for w in waits) / len(waits)}


def run_ciw(horizon: float) -> tuple[int, float, dict]:
    t0 = time.perf_counter()
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAM)],
        service_distributions=[ciw.dists.Exponential(rate=MU)],
        number_of_servers=[SERVERS],
    )
    ciw.seed(SEED_CIW)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    seconds = time.perf_counter() - t0
    customers = sim.nodes[0].number_of_individuals       # the arrival node's count
    waits = [r.waiting_time for r in sim.get_all_records()]
    return customers, seconds, {"served": len(waits), "mean_wait": statistics.fmean(waits),
                                "p_wait": sum(w > 1e-9 for w in waits) / len(waits)}


# ------------------------------------------------------------------- harness


def timed(fn, arg, keep_gc: bool):
    """Run one approach with the same garbage-collector regime for all of them:
    collect first, then (by default) keep the collector off while timing, as
    timeit does. With --gc it stays on."""
    gc.collect()
    if not keep_gc:
        gc.disable()
    try:
        return fn(arg)
    finally:
        gc.enable()


def machine() -> dict:
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "loadavg_at_start": load,
        "versions": {"workforce_sim": workforce_sim.__version__, "simpy": simpy.__version__,
                     "ciw": getattr(ciw, "__version__", None) if ciw else None},
    }


def write_json(path: Path, data: dict) -> None:
    """Atomic: a temporary file in the same folder, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help=f"smoke run: ~20 k customers ({QUICK_MONTHS} months), 3 repeats by default")
    p.add_argument("--repeats", type=int, default=None, help="timed repeats (default 5; 3 with --quick)")
    p.add_argument("--gc", action="store_true",
                   help="keep the garbage collector on while timing (default: off, as timeit)")
    p.add_argument("--no-ciw", action="store_true", help="skip Ciw even if installed")
    p.add_argument("--output", type=Path, default=None,
                   help="JSON results (default results/caseflow.json; caseflow_quick.json with --quick)")
    args = p.parse_args(argv)
    repeats = args.repeats if args.repeats is not None else (3 if args.quick else 5)
    if repeats < 1:
        p.error("--repeats must be >= 1")
    months = QUICK_MONTHS if args.quick else FULL_MONTHS
    output = args.output or RESULTS / ("caseflow_quick.json" if args.quick else "caseflow.json")

    sc = scenario(months)
    horizon = Model(sc, SEED_OURS, 0).horizon_days       # the same time for everyone

    approaches = [("workforce_sim", run_ours, sc), ("simpy.Resource", run_simpy, horizon)]
    if ciw is not None and not args.no_ciw:
        approaches.append(("Ciw", run_ciw, horizon))
    skipped = "Ciw: " + ("not installed (pip install -e '.[bench]')" if ciw is None else "--no-ciw")
    if len(approaches) == 3:
        skipped = None

    info = machine()
    print(f"M/M/{SERVERS}, rho = {RHO}, mean service {MEAN_SERVICE_DAYS:g} days, "
          f"horizon {horizon:g} days ({months} months), ~{LAM * horizon:,.0f} customers; "
          f"{repeats} repeats, gc {'on' if args.gc else 'off'} while timing")
    print(f"{info['platform']}, {info['cpu_count']} CPUs, Python {info['python']}, "
          f"load average {info['loadavg_at_start']}")
    if skipped:
        print(f"skipped {skipped}")

    # Warm-up (untimed): imports, caches, first-call costs.
    warm = scenario(2)
    warm_h = Model(warm, SEED_OURS, 0).horizon_days
    for name, fn, arg in approaches:
        fn(warm if name == "workforce_sim" else warm_h)

    rates: dict[str, list[float]] = {name: [] for name, _, _ in approaches}
    seconds: dict[str, list[float]] = {name: [] for name, _, _ in approaches}
    customers: dict[str, int] = {}
    stats: dict[str, dict] = {}
    t_start = time.perf_counter()
    for r in range(repeats):
        k = r % len(approaches)
        order = approaches[k:] + approaches[:k]         # rotate, so no one always goes first
        line = []
        for name, fn, arg in order:
            n, s, st = timed(fn, arg, args.gc)
            if name in customers and customers[name] != n:
                raise RuntimeError(f"{name}: {n} customers, {customers[name]} before; same seed?")
            customers[name], stats[name] = n, st
            rates[name].append(n / s)
            seconds[name].append(s)
            line.append(f"{name} {n / s / 1e3:,.0f} k/s")
        print(f"  repeat {r + 1}/{repeats}: " + ", ".join(line), flush=True)
    wall = time.perf_counter() - t_start

    stats["workforce_sim"]["p_wait"] = ours_p_wait(sc)

    median = {name: statistics.median(v) for name, v in rates.items()}
    base = median["simpy.Resource"]
    names = [name for name, _, _ in approaches]
    # Paired ratios: ours / reference within the same repeat.
    paired = {ref: [a / b for a, b in zip(rates["workforce_sim"], rates[ref], strict=True)]
              for ref in names if ref != "workforce_sim"}

    print()
    head = f"{'approach':<16} {'customers/s (median)':>21} {'min':>9} {'max':>9} {'x simpy.Resource':>17}"
    print(head)
    print("-" * len(head))
    for name in names:
        v = rates[name]
        print(f"{name:<16} {median[name]:>21,.0f} {min(v):>9,.0f} {max(v):>9,.0f} "
              f"{median[name] / base:>17.2f}")

    p_wait, wq = erlang_c(SERVERS, LAM, MU)
    print()
    print("Same system? waiting, against Erlang C (for customers served before the horizon):")
    head2 = f"{'approach':<16} {'customers':>10} {'served':>10} {'P(wait)':>9} {'mean wait (days)':>17}"
    print(head2)
    print("-" * len(head2))
    print(f"{'Erlang C':<16} {LAM * horizon:>10,.0f} {'':>10} {p_wait:>9.4f} {wq:>17.4f}")
    for name in names:
        st = stats[name]
        print(f"{name:<16} {customers[name]:>10,} {st['served']:>10,} {st['p_wait']:>9.4f} "
              f"{st['mean_wait']:>17.4f}")

    print()
    verdicts = {}
    for ref, target in TARGETS.items():
        if ref not in median:
            print(f"target workforce_sim >= {target:g}x {ref}: SKIPPED ({skipped})")
            verdicts[ref] = {"target": target, "status": "skipped"}
            continue
        ratio = median["workforce_sim"] / median[ref]
        ok = ratio >= target
        pr = paired[ref]
        print(f"target workforce_sim >= {target:g}x {ref}: {ratio:.2f}x  {'PASS' if ok else 'FAIL'}"
              f"   (per-repeat ratios {min(pr):.2f}-{max(pr):.2f}, median {statistics.median(pr):.2f})")
        verdicts[ref] = {"target": target, "ratio_of_medians": ratio,
                         "paired_ratios": pr, "paired_ratio_median": statistics.median(pr),
                         "status": "pass" if ok else "fail"}
    print(f"\n{wall:.1f} s timed; exit status 0 either way (benchmarks report, they do not fail CI)")

    result = {
        "benchmark": "caseflow",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": info,
        "config": {"servers": SERVERS, "workers": WORKERS, "caseload_cap": CAP, "rho": RHO,
                   "arrival_rate_per_day": LAM, "mean_service_days": MEAN_SERVICE_DAYS,
                   "horizon_months": months, "horizon_days": horizon, "repeats": repeats,
                   "quick": args.quick, "gc_during_timing": args.gc,
                   "seeds": {"workforce_sim": SEED_OURS, "simpy.Resource": SEED_SIMPY,
                             "Ciw": SEED_CIW},
                   "skipped": skipped},
        "erlang_c": {"p_wait": p_wait, "mean_wait_days": wq},
        "approaches": {
            name: {"customers": customers[name], "customers_per_s_median": median[name],
                   "customers_per_s": rates[name], "seconds": seconds[name],
                   "ratio_to_simpy_resource": median[name] / base, **stats[name]}
            for name in names
        },
        "targets": verdicts,
    }
    write_json(output, result)
    print(f"results written to {os.path.relpath(output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
