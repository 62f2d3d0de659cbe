"""Case-flow core benchmark: our engine against simpy.Resource and Ciw, side by side.

All three simulate the same M/M/c queue (c = 200 slots, rho = 0.9, exponential
service, about 200 k customers) in the same process and the same run:

* ``workforce_sim``: a one-team scenario (10 workers x caseload cap 20, case
  weight 1, FTE 1, no absence) run by :class:`workforce_sim.engine.Model`, with
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

Targets (benchmarks/README.md): ours >= 2x simpy.Resource and >= 6x Ciw.

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
import math
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
from workforce_sim.engine import Model
from workforce_sim.engine.recording.recorder import COLUMNS

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
QUICK_MONTHS = 24               # 730 days: ~13 k arrivals

SEED_OURS, SEED_SIMPY, SEED_CIW = 1, 2, 3
WARMUP_DAYS = 100.0            # 10 mean service times: left out of the waiting check
WAITED = 1e-9                  # a wait longer than this (days) counts as having waited

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
        # No workforce dynamics: nobody leaves, so no vacancies, recruitment or agency cover.
        "workforce": {"permanent": {"annual_turnover": 0.0}, "agency": {"cover_fraction": 0.0}},
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
# Each run_* returns (customers, wall seconds, CPU seconds, extra). Only building
# and running the model is timed; statistics are gathered afterwards.

_REFERRALS = 2 + COLUMNS.index("referrals")          # rows are (month, team, *COLUMNS)
_ALLOCATIONS = 2 + COLUMNS.index("allocations")
_MEAN_WAIT = 2 + COLUMNS.index("mean_wait_days")
_HANDOVERS = 2 + COLUMNS.index("handovers")
_PERMANENT = 2 + COLUMNS.index("permanent_fte")


def run_ours(sc: workforce_sim.Scenario):
    t0, c0 = time.perf_counter(), time.process_time()
    model = Model(sc, SEED_OURS, 0).run()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = [r for r in model.recorder.rows if r[1] == "t"]
    customers = sum(r[_REFERRALS] for r in rows)
    allocated = sum(r[_ALLOCATIONS] for r in rows)
    wait = sum(r[_MEAN_WAIT] * r[_ALLOCATIONS] for r in rows if r[_ALLOCATIONS])
    # Guard: the run must be a plain M/M/c (a change of schema defaults could add dynamics).
    plain = all(r[_HANDOVERS] == 0 and r[_PERMANENT] == WORKERS for r in rows)
    return customers, wall, cpu, {"allocated": allocated, "mean_wait": wait / allocated,
                                  "plain_mmc": plain}


def waits_ours(sc: workforce_sim.Scenario) -> list[tuple[float, float]]:
    """(arrival day, wait) of each allocated case, from one untimed run with the
    case log on (same seed, so the same trajectory as the timed runs)."""
    df = Model(sc, SEED_OURS, 0, keep_case_log=True).run().case_log.frame()
    df = df[df["allocated_day"].notna()]
    return list(zip(df["queued_day"], df["allocated_day"] - df["queued_day"], strict=True))


def run_simpy(horizon: float):
    """The reference: one SimPy process per customer holding a simpy.Resource slot."""
    t0, c0 = time.perf_counter(), time.process_time()
    rng = random.Random(SEED_SIMPY)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    waits: list[tuple[float, float]] = []
    arrivals = 0

    def customer(env, servers, service_time):
        arrive = env.now
        with servers.request() as req:
            yield req
            waits.append((arrive, env.now - arrive))
            yield env.timeout(service_time)

    def source(env, servers):
        nonlocal arrivals
        while True:
            yield env.timeout(rng.expovariate(LAM))
            arrivals += 1
            env.process(customer(env, servers, rng.expovariate(MU)))

    env.process(source(env, servers))
    env.run(until=horizon)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return arrivals, wall, cpu, {"waits": waits}


def run_ciw(horizon: float):
    t0, c0 = time.perf_counter(), time.process_time()
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAM)],
        service_distributions=[ciw.dists.Exponential(rate=MU)],
        number_of_servers=[SERVERS],
    )
    ciw.seed(SEED_CIW)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    customers = sim.nodes[0].number_of_individuals       # the arrival node's count
    # Completed services only: Ciw writes a record when service ends.
    waits = sorted((r.arrival_date, r.waiting_time) for r in sim.get_all_records())
    return customers, wall, cpu, {"waits": waits}


def wait_stats(waits: list[tuple[float, float]], warmup: float, batches: int = 20) -> dict:
    """Waiting of customers arriving after ``warmup``: P(wait), mean wait, and the
    mean wait of those who waited, each with a standard error from batch means
    (consecutive customers' waits are strongly correlated)."""
    w = [x for t, x in sorted(waits) if t >= warmup]
    size = len(w) // batches
    parts = [w[i * size:(i + 1) * size] for i in range(batches)]

    def p_wait(xs):
        return sum(x > WAITED for x in xs) / len(xs)

    def cond_wait(xs):
        waited = [x for x in xs if x > WAITED]
        return statistics.fmean(waited) if waited else None

    def se(f):
        values = [v for v in map(f, parts) if v is not None]
        return statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else math.nan

    return {"counted": len(w),
            "p_wait": p_wait(w), "p_wait_se": se(p_wait),
            "mean_wait": statistics.fmean(w), "mean_wait_se": se(statistics.fmean),
            "mean_wait_if_waited": cond_wait(w) or math.nan, "mean_wait_if_waited_se": se(cond_wait)}


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


def _loadavg() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except (OSError, AttributeError):       # not available on Windows
        return None


def machine() -> dict:
    load = _loadavg()
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


def _json_safe(x):
    """NaN and infinities become null, so the file is strict JSON."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    return x


def write_json(path: Path, data: dict) -> None:
    """Atomic: a temporary file in the same folder, then os.replace."""
    data = _json_safe(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, allow_nan=False)
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
                   help=f"smoke run: ~13 k customers ({QUICK_MONTHS} months), 3 repeats by default")
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
    skipped = None
    if ciw is None:
        skipped = "Ciw not installed (pip install -e '.[bench]')"
    elif args.no_ciw:
        skipped = "Ciw (--no-ciw)"
    else:
        approaches.append(("Ciw", run_ciw, horizon))
    names = [name for name, _, _ in approaches]

    info = machine()
    print(f"M/M/{SERVERS} (rho = {RHO}, mean service {MEAN_SERVICE_DAYS:g} days), "
          f"{horizon:g} days = {months} months, ~{LAM * horizon:,.0f} customers; "
          f"{repeats} repeats, gc {'on' if args.gc else 'off'} while timing")
    load = info["loadavg_at_start"]
    print(f"{info['platform']}, {info['cpu_count']} CPUs, Python {info['python']}"
          + (f", load average {load[0]:.2f}" if load else ""))
    if skipped:
        print(f"skipped: {skipped}")

    # Warm-up (untimed): first-call costs, caches.
    warm = scenario(2)
    warm_h = Model(warm, SEED_OURS, 0).horizon_days
    for name, fn, _ in approaches:
        fn(warm if name == "workforce_sim" else warm_h)

    wall = {name: [] for name in names}
    cpu = {name: [] for name in names}
    customers: dict[str, int] = {}
    extra: dict[str, dict] = {}
    t_start = time.perf_counter()
    for r in range(repeats):
        k = r % len(approaches)
        order = approaches[k:] + approaches[:k]         # rotate, so no one always goes first
        line = []
        for name, fn, arg in order:
            n, w, c, ex = timed(fn, arg, args.gc)
            if name in customers and customers[name] != n:
                raise RuntimeError(f"{name}: {n} customers, {customers[name]} before; same seed?")
            customers[name], extra[name] = n, ex
            wall[name].append(w)
            cpu[name].append(c)
            line.append(f"{name} {n / w / 1e3:,.0f} k/s")
        print(f"  repeat {r + 1}/{repeats}: " + ", ".join(line), flush=True)
    elapsed = time.perf_counter() - t_start

    rate = {name: [customers[name] / w for w in wall[name]] for name in names}
    cpu_rate = {name: [customers[name] / c for c in cpu[name]] for name in names}
    median = {name: statistics.median(v) for name, v in rate.items()}
    cpu_median = {name: statistics.median(v) for name, v in cpu_rate.items()}
    base, cpu_base = median["simpy.Resource"], cpu_median["simpy.Resource"]

    print()
    head = (f"{'approach':<15} {'customers/s':>12} {'min':>9} {'max':>9} {'x simpy.Resource':>17}"
            f" | {'per CPU-s':>10} {'x simpy.Resource':>17}")
    print(head)
    print("-" * len(head))
    for name in names:
        v = rate[name]
        print(f"{name:<15} {median[name]:>12,.0f} {min(v):>9,.0f} {max(v):>9,.0f} "
              f"{median[name] / base:>17.2f} | {cpu_median[name]:>10,.0f} "
              f"{cpu_median[name] / cpu_base:>17.2f}")
    print("(medians of the repeats; customers/s is wall clock, the headline; "
          "per CPU-s is process time, less sensitive to other load)")

    if not extra["workforce_sim"]["plain_mmc"]:
        print("WARNING: workforce_sim's run had hand-overs or staff changes: not a plain M/M/c. "
              "Check the scenario in benchmarks/bench_caseflow.py against the schema's defaults.")

    # Do they simulate the same system? Waiting against Erlang C.
    warmup = WARMUP_DAYS
    waits = {"workforce_sim": waits_ours(sc)}
    for name in names[1:]:
        waits[name] = extra[name]["waits"]
    stats = {name: wait_stats(waits[name], warmup) for name in names}
    # The untimed case-log run must be the trajectory that was timed.
    timed_wait = extra["workforce_sim"]["mean_wait"]
    logged_wait = statistics.fmean(x for _, x in waits["workforce_sim"])
    if not math.isclose(timed_wait, logged_wait, rel_tol=1e-9, abs_tol=1e-12):
        print(f"WARNING: case-log run differs from the timed run ({logged_wait} != {timed_wait})")
    ec_p, ec_w = erlang_c(SERVERS, LAM, MU)
    ec_cond = 1.0 / (SERVERS * MU - LAM)        # a wait, given one, is exponential
    print()
    print(f"Same system? Waiting (days) of customers arriving after day {warmup:g} (the queue starts "
          f"empty)\nand served before the horizon, +- batch-means standard error, against Erlang C:")
    head2 = (f"{'approach':<15} {'customers':>10} {'counted':>9} {'P(wait)':>17} "
             f"{'mean wait':>17} {'mean wait if waited':>20}")
    print(head2)
    print("-" * len(head2))
    print(f"{'Erlang C':<15} {LAM * horizon:>10,.0f} {'':>9} {ec_p:>8.4f}{'':9} {ec_w:>8.4f}{'':9} "
          f"{ec_cond:>11.4f}")
    for name in names:
        st = stats[name]
        print(f"{name:<15} {customers[name]:>10,} {st['counted']:>9,} "
              f"{st['p_wait']:>8.4f} +- {st['p_wait_se']:.4f} "
              f"{st['mean_wait']:>8.4f} +- {st['mean_wait_se']:.4f} "
              f"{st['mean_wait_if_waited']:>11.4f} +- {st['mean_wait_if_waited_se']:.4f}")
    print("(at rho = 0.9 waiting comes in rare, long congestion episodes, so a single run's estimates\n"
          " scatter by about +-20 % at full size and more with --quick; averaged over independent\n"
          " seeds each implementation matches Erlang C: see benchmarks/README.md)")
    print()
    verdicts = {}
    for ref, target in TARGETS.items():
        if ref not in median:
            print(f"target: workforce_sim >= {target:g}x {ref}: SKIPPED ({skipped})")
            verdicts[ref] = {"target": target, "status": "skipped"}
            continue
        ratio = median["workforce_sim"] / median[ref]
        paired = [a / b for a, b in zip(rate["workforce_sim"], rate[ref], strict=True)]
        best = max(rate["workforce_sim"]) / max(rate[ref])
        cpu_ratio = cpu_median["workforce_sim"] / cpu_median[ref]
        ok = ratio >= target
        straddle = min(paired) < target <= max(paired)
        print(f"target: workforce_sim >= {target:g}x {ref}: {ratio:.2f}x  {'PASS' if ok else 'FAIL'}"
              f"   (per repeat {min(paired):.2f}-{max(paired):.2f}, best vs best {best:.2f}x, "
              f"CPU time {cpu_ratio:.2f}x)" + ("  [repeats straddle the target]" if straddle else ""))
        verdicts[ref] = {"target": target, "ratio_of_medians": ratio, "status": "pass" if ok else "fail",
                         "repeats_straddle_target": straddle,
                         "paired_ratios": paired, "ratio_of_bests": best,
                         "cpu_ratio_of_medians": cpu_ratio}
    load_end = _loadavg()
    busy = max((la[0] for la in (load, load_end) if la), default=0.0)
    spread = max(max(v) / min(v) for v in rate.values())
    if busy > 0.5 * (info["cpu_count"] or 1) or spread > 1.3:
        print(f"\nNOISY: load average {busy:.2f} on {info['cpu_count']} CPUs, repeats of one approach "
              f"differ up to {spread:.2f}x. Ratios are side by side, but read them with care; "
              "rerun on a quieter machine or with more --repeats.")
    print(f"\n{elapsed:.0f} s of timed runs. Exit status is 0 either way: "
          "benchmarks report, they do not fail CI.")

    result = {
        "benchmark": "caseflow",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {**info, "loadavg_at_end": load_end},
        "config": {"servers": SERVERS, "workers": WORKERS, "caseload_cap": CAP, "rho": RHO,
                   "arrival_rate_per_day": LAM, "mean_service_days": MEAN_SERVICE_DAYS,
                   "horizon_months": months, "horizon_days": horizon, "repeats": repeats,
                   "quick": args.quick, "gc_during_timing": args.gc, "warmup_days": warmup,
                   "plain_mmc": extra["workforce_sim"]["plain_mmc"],
                   "seeds": {"workforce_sim": SEED_OURS, "simpy.Resource": SEED_SIMPY,
                             "Ciw": SEED_CIW},
                   "skipped": skipped},
        "erlang_c": {"p_wait": ec_p, "mean_wait_days": ec_w, "mean_wait_if_waited_days": ec_cond},
        "approaches": {
            name: {"customers": customers[name],
                   "customers_per_s_median": median[name],
                   "ratio_to_simpy_resource": median[name] / base,
                   "customers_per_cpu_s_median": cpu_median[name],
                   "cpu_ratio_to_simpy_resource": cpu_median[name] / cpu_base,
                   "wall_seconds": wall[name], "cpu_seconds": cpu[name],
                   "waiting": stats[name]}
            for name in names
        },
        "targets": verdicts,
    }
    write_json(output, result)
    print(f"results written to {os.path.relpath(output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
