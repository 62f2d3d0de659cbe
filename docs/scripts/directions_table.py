"""The directions table of docs/levers.md: which way demand and turnover move the
outcomes of the shipped 2025 baseline, as paired differences with 95 % intervals.

    python docs/scripts/directions_table.py

30 replications of the baseline over 24 months, seed 11, and the same with each
change, on common random numbers; each difference is per replication (the mean
over the months for caseload and unallocated cases, the 24 months' total for
money), with a Student t interval over the replications. The claims the evidence
makes are asserted, by sign tests, in tests/functional/test_monotone.py.
"""

from __future__ import annotations

import math

from scipy import stats

import workforce_sim as ws
from workforce_sim.results.formatting import format_value

REPS, SEED, MONTHS = 30, 11, 24
OUTCOMES = [("caseload", "mean"), ("unallocated_cases", "mean"), ("cost_agency", "sum"),
            ("cost_recruitment", "sum"), ("cost_total", "sum")]
HEADERS = ["caseload", "unallocated cases", "agency spend", "recruitment cost", "total cost"]


def _fmt(column: str, x: float) -> str:
    if column.startswith("cost"):          # thousands: the differences are small beside £m
        return f"{'+' if x >= 0 else '−'}£{abs(x) / 1000:,.0f}k"
    return format_value(column, x, signed=True)


def _per_replication(results, column: str, how: str):
    m = results.monthly
    g = m[m["team"] == "all"].groupby("replication")[column]
    return (g.sum() if how == "sum" else g.mean()).to_numpy(float)


def main() -> None:
    base = ws.load_scenario().with_changes({"horizon_months": MONTHS})
    turnover = base.workforce.permanent.annual_turnover
    changes = {
        "demand up 30 % (every referral rate × 1.3 from the start)":
            {"trends.demand": {"long_run": 1.3, "persistence": 0}},
        f"turnover up half ({turnover:.3f} → {1.5 * turnover:.3f} leavers per FTE-year)":
            {"trends.turnover": {"long_run": 1.5 * turnover, "persistence": 0}},
    }
    ref = ws.run(base, replications=REPS, seed=SEED, progress=False)
    print("| change | " + " | ".join(HEADERS) + " |")
    print("|---|" + "---|" * len(OUTCOMES))
    for name, change in changes.items():
        res = ws.run(base.with_changes(change), replications=REPS, seed=SEED, progress=False)
        cells = []
        for column, how in OUTCOMES:
            d = _per_replication(res, column, how) - _per_replication(ref, column, how)
            half = stats.t.ppf(0.975, REPS - 1) * d.std(ddof=1) / math.sqrt(REPS)
            fmt = [_fmt(column, x) for x in (d.mean(), d.mean() - half, d.mean() + half)]
            cells.append(f"{fmt[0]} [{fmt[1]}, {fmt[2]}]")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
