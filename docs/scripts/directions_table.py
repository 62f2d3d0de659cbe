"""The directions table of docs/levers.md: which way demand and turnover move the
outcomes of the shipped 2025 baseline, as paired differences with 95 % intervals.

    python docs/scripts/directions_table.py

30 replications of the baseline over 24 months, seed 11, and the same with each
change, on common random numbers; each difference is per replication (the mean
over the months for caseload and unallocated cases, the 24 months' total for
money), with a Student t interval over the replications. The claims the evidence
makes are asserted, by sign tests, in tests/functional/test_monotone.py.

The rows where posts follow demand compare two runs that both have an establishment
review (``[establishment_review]``) at the baseline's own caseload (its mean over the
baseline run, to a tenth): the baseline with it, and demand up with it; at the
census's response up to 2025 (pooled over every council), and at response 1 (the whole gap
closed each 1 April), the most a review can do.
"""

from __future__ import annotations

import math

from scipy import stats

import workforce_sim as ws
from workforce_sim.results.formatting import format_value
from workforce_sim.scenario.history import caseload_response

HEREFORDSHIRE = "884"

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


def _row(name: str, res, ref) -> str:
    cells = []
    for column, how in OUTCOMES:
        d = _per_replication(res, column, how) - _per_replication(ref, column, how)
        half = stats.t.ppf(0.975, REPS - 1) * d.std(ddof=1) / math.sqrt(REPS)
        fmt = [_fmt(column, x) for x in (d.mean(), d.mean() - half, d.mean() + half)]
        cells.append(f"{fmt[0]} [{fmt[1]}, {fmt[2]}]")
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> None:
    base = ws.load_scenario().with_changes({"horizon_months": MONTHS})
    turnover = base.workforce.permanent.annual_turnover
    demand = {"trends.demand": {"long_run": 1.3, "persistence": 0}}
    changes = {
        "demand up 30 % (every referral rate × 1.3 from the start)": demand,
        f"turnover up half ({turnover:.3f} → {1.5 * turnover:.3f} leavers per FTE-year)":
            {"trends.turnover": {"long_run": 1.5 * turnover, "persistence": 0}},
    }
    ref = ws.run(base, replications=REPS, seed=SEED, progress=False)
    print("| change | " + " | ".join(HEADERS) + " |")
    print("|---|" + "---|" * len(OUTCOMES))
    for name, change in changes.items():
        res = ws.run(base.with_changes(change), replications=REPS, seed=SEED, progress=False)
        print(_row(name, res, ref))
    target = round(float(_per_replication(ref, "caseload", "mean").mean()), 1)
    census = caseload_response(HEREFORDSHIRE, base.start_date.year)
    assert census is not None
    for response, why in ((round(census.response, 3), "the census's response"),
                          (1.0, "the whole gap")):
        review = {"establishment_review": {"target_caseload": target, "response": response}}
        with_review = base.with_changes(review)
        ref_review = ws.run(with_review, replications=REPS, seed=SEED, progress=False)
        res = ws.run(with_review.with_changes(demand), replications=REPS, seed=SEED,
                     progress=False)
        name = (f"demand up 30 %, posts follow demand (review at the baseline's caseload "
                f"{target:g}, response {response:g}: {why})")
        print(_row(name, res, ref_review))


if __name__ == "__main__":
    main()
