"""Where looked-after children's changes of social worker come from (docs/model.md).

    python docs/scripts/stability_causes.py [SCENARIO] [--replications 20] [--seed 0]

For every 31 March from the first whole year of the run, the children looked
after then, and each change of social worker they had in the 12 months to it
(a spell of one of their cases starting with a worker other than the one
before, the previous spell having ended in the window), by what ended the
previous spell: its worker left (by the kind of worker, from the staff log), a
manager moved the case, or the case closed and the child's pathway went on
with another worker (by case types). Read from the case and staff logs alone.
Prints the rate with 3 or more social workers at each 31 March (mean and
standard deviation over replications) and the changes per looked-after child
a year, by cause.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict

import numpy as np
import pandas as pd

import workforce_sim as ws
from workforce_sim.scenario.calendar import month_end_days


def changes(cases: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """One row per change of social worker: child, day, the previous spell's end day, cause."""
    spells = cases[cases["worker_id"] >= 0].sort_values(["child_id", "allocated_day", "case_id"],
                                                        kind="stable")
    kind = staff.groupby("worker_id")["kind"].last()
    prev = spells.groupby("child_id").shift(1)
    new = prev["worker_id"].notna() & (spells["worker_id"] != prev["worker_id"])
    ch, p = spells[new], prev[new]
    left = "worker left: " + p["worker_id"].map(kind).map(
        {"permanent": "permanent or NQSW", "nqsw": "permanent or NQSW"}).fillna("agency")
    pathway = "pathway " + p["case_type"] + " -> " + ch["case_type"] + \
        np.where(p["team"] != ch["team"], " (another team)", " (same team, no room)")
    cause = np.where(p["end"] == "moved", "a manager moved the case",
                     np.where(p["end"] == "closed", pathway, left))
    return pd.DataFrame({"child_id": ch["child_id"], "day": ch["allocated_day"],
                         "prev_end": p["ended_day"], "cause": cause})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", nargs="?", default="herefordshire_2025.toml")
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    scenario = ws.load_scenario(args.scenario)
    ends = month_end_days(scenario.start_date, scenario.horizon_months)
    months = pd.date_range(scenario.start_date, periods=scenario.horizon_months, freq="MS")
    looked_after = {n for n, ct in scenario.case_types.items() if ct.looked_after}
    by_cause: Counter[str] = Counter()
    rates: dict[int, list[float]] = defaultdict(list)
    child_marches = 0
    for rep in range(args.replications):
        res = ws.simulate(scenario, seed=args.seed, replication=rep, case_log=True)
        cases, ch = res.cases, changes(res.cases, res.staff)
        spells = cases[cases["worker_id"] >= 0]
        per_case = cases.groupby("case_id").agg(opened=("queued_day", "min"),
                                                child=("child_id", "first"),
                                                kind=("case_type", "first"))
        closed = cases[cases["end"] == "closed"].set_index("case_id")["ended_day"]
        per_case["closed"] = closed.reindex(per_case.index)
        for i, t in enumerate(ends):
            if i < 12 or months[i].month != 3:
                continue
            since = ends[i - 12]
            now = per_case[(per_case["opened"] < t)
                           & (per_case["closed"].isna() | (per_case["closed"] >= t))
                           & per_case["kind"].isin(looked_after)]
            kids = set(now["child"])
            window = ch[(ch["day"] < t) & (ch["prev_end"] >= since) & ch["child_id"].isin(kids)]
            by_cause.update(window["cause"])
            held = spells[(spells["allocated_day"] < t)
                          & (spells["ended_day"].isna() | (spells["ended_day"] >= since))
                          & spells["child_id"].isin(kids)]
            workers = held.groupby("child_id")["worker_id"].nunique()
            child_marches += len(kids)
            rates[months[i].year].append(float((workers >= 3).sum()) / len(kids))
    print(f"{scenario.name}: {args.replications} replications, seed {args.seed}")
    print("children looked after at 31 March with 3 or more social workers in the year:")
    for year, values in rates.items():
        print(f"  {year}: {np.mean(values):.3f} (sd {np.std(values, ddof=1):.3f})")
    print("changes of social worker in the 12 months to 31 March, per looked-after child:")
    for cause, n in by_cause.most_common():
        print(f"  {n / child_marches:6.3f}  {cause}")
    print(f"  {sum(by_cause.values()) / child_marches:6.3f}  in all")


if __name__ == "__main__":
    main()
