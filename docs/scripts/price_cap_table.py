"""Build the price-cap table in docs/levers.md: the shipped 2025 baseline against the same
service with a regional price cap on social workers' agency day rate, paired on common
random numbers.

    python docs/scripts/price_cap_table.py

40 replications of each, seed 2025, 24 months; the caps (estimates: the caps were not
published nationally) are 10 % under the council's rates for its two roles, £333 a day
for social workers (£370) and £449 for team managers (£499), from the first day, with no
breach approved or half of them approved. Each cell is the mean paired difference
from the baseline with its 95 % t-interval over replications.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

import workforce_sim as ws

REPS, SEED, MONTHS = 40, 2025, 24
CAPS = {"social_worker": 333.0, "team_manager": 449.0}


def capped(base: ws.Scenario, approval: float) -> ws.Scenario:
    caps = [{"start": str(base.start_date), "caps": CAPS,
             "approval_probability": approval}]
    return base.with_changes({"workforce.agency.price_caps": caps})


def outcomes(res: ws.Results) -> dict[str, np.ndarray]:
    m = res.monthly[res.monthly["team"] == "all"]
    g = m.groupby("replication")
    last = m[m["month"] >= m["month"].max() - np.timedelta64(330, "D")].groupby("replication")
    b = res.scenario.workforce.agency.billable_days_per_year / 365.25
    return {
        "agency rate, months 13–24 (points)": 100 * last["agency_rate"].mean().to_numpy(),
        "caseload, months 13–24": last["caseload"].mean().to_numpy(),
        "unallocated cases, months 13–24": last["unallocated_cases"].mean().to_numpy(),
        "agency FTE-days over 24 months": g["agency_fte_days"].sum().to_numpy(),
        "agency £ a billable day": (g["cost_agency"].sum() / g["agency_fte_days"].sum()
                                    / b).to_numpy(),
        "agency spend over 24 months (£k)": g["cost_agency"].sum().to_numpy() / 1e3,
        "total cost over 24 months (£k)": g["cost_total"].sum().to_numpy() / 1e3,
    }


def cell(d: np.ndarray) -> str:
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return f"{d.mean():+.2f} ({d.mean() - half:+.2f} to {d.mean() + half:+.2f})"


def main() -> None:
    base = ws.load_scenario("herefordshire_2025.toml").with_changes({"horizon_months": MONTHS})
    runs = {label: ws.run(s, REPS, SEED, progress=False) for label, s in [
        ("baseline", base), ("cap, none approved", capped(base, 0.0)),
        ("cap, half approved", capped(base, 0.5))]}
    ref = outcomes(runs["baseline"])
    labels = [k for k in runs if k != "baseline"]
    print("| outcome | baseline | " + " | ".join(f"{k}: difference" for k in labels) + " |")
    print("|---|---:|" + "---:|" * len(labels))
    diffs = {k: outcomes(runs[k]) for k in labels}
    for name, values in ref.items():
        cells = [cell(diffs[k][name] - values) for k in labels]
        print(f"| {name} | {values.mean():.2f} | " + " | ".join(cells) + " |")
    above = runs["cap, half approved"].monthly
    above = above[above["team"] == "all"].groupby("replication")
    print(f"\nHalf approved: {above['agency_above_cap_starts'].sum().mean():.1f} assignments "
          f"above the cap a replication, costing £{above['agency_above_cap_spend'].sum().mean():,.0f} "
          "above it over 24 months.")


if __name__ == "__main__":
    main()
