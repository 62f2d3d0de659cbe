"""Build the tables in docs/levers.md: the 2022 crisis with and without each lever, and
the crisis and all the levers against Herefordshire's census of 2023-2025.

    python docs/scripts/levers_table.py            # the levers table
    python docs/scripts/levers_table.py census     # the census table

The levers table: 100 replications of each shipped 2022 scenario, seed 2022, common
random numbers. The census table: 50 replications, seed 0, each KPI's September row
(the census is at 30 September) against ``ws.actuals`` of the shipped census.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

import workforce_sim as ws
from workforce_sim import load_scenario, run
from workforce_sim.scenario.calendar import financial_year

SCENARIOS = [
    ("no new levers", "herefordshire_2022_crisis.toml"),
    ("academy 12 a year", "herefordshire_2022_levers_academy.toml"),
    ("recruitment campaign 2023", "herefordshire_2022_levers_campaign.toml"),
    ("retention payments", "herefordshire_2022_levers_retention.toml"),
    ("30 agency posts made permanent", "herefordshire_2022_levers_conversion.toml"),
    ("funded posts as the census found them", "herefordshire_2022_levers_establishment.toml"),
    ("all levers", "herefordshire_2022_levers_all.toml"),
]
CENSUS_KPIS = [("agency rate", "agency_rate", True), ("turnover rate", "turnover_rate", True),
               ("caseload", "caseload", False), ("vacancy rate", "vacancy_rate", True),
               ("FTE in post", "fte_in_post", False)]


def cell(values: pd.Series, pct: bool = False, money: bool = False) -> str:
    lo, mid, hi = values.quantile([0.05, 0.5, 0.95])
    mean = values.mean()
    if pct:
        return f"{100 * mean:.0f} % ({100 * lo:.0f}–{100 * hi:.0f})"
    if money:
        return f"£{mean / 1e6:.2f}m ({lo / 1e6:.2f}–{hi / 1e6:.2f})"
    return f"{mean:.1f} ({lo:.1f}–{hi:.1f})"


def main() -> None:
    rows = []
    for label, name in SCENARIOS:
        res = run(load_scenario(name), replications=100, seed=2022, progress=False)
        m = res.monthly[res.monthly["team"] == "all"].copy()
        m["fy"] = [financial_year(d.date()) for d in m["month"]]
        at = {d: m[m["month"] == d].set_index("replication") for d in
              (pd.Timestamp("2023-09-01"), pd.Timestamp("2025-09-01"), pd.Timestamp("2027-09-01"))}
        spend = m.groupby(["replication", "fy"])["cost_agency"].sum().unstack()
        total = m.groupby("replication")["cost_total"].sum()
        rows.append({
            "scenario": label,
            "agency rate Sep 2023": cell(at[pd.Timestamp("2023-09-01")]["agency_rate"], pct=True),
            "agency rate Sep 2025": cell(at[pd.Timestamp("2025-09-01")]["agency_rate"], pct=True),
            "agency rate Sep 2027": cell(at[pd.Timestamp("2027-09-01")]["agency_rate"], pct=True),
            "caseload Sep 2025": cell(at[pd.Timestamp("2025-09-01")]["caseload"]),
            "unallocated Sep 2025": cell(at[pd.Timestamp("2025-09-01")]["unallocated_cases"]),
            "agency spend 2023/24": cell(spend["2023/24"], money=True),
            "agency spend 2026/27": cell(spend["2026/27"], money=True),
            "total cost, 5 years": cell(total, money=True),
        })
    table = pd.DataFrame(rows)
    header = "| " + " | ".join(table.columns) + " |"
    print(header)
    print("|" + "---|" * len(table.columns))
    for _, r in table.iterrows():
        print("| " + " | ".join(str(v) for v in r.to_numpy()) + " |")


def census_table() -> None:
    census = ws.census("Herefordshire")
    runs = {label: run(load_scenario(name), replications=50, seed=0, progress=False).monthly
            for label, name in (SCENARIOS[0], SCENARIOS[-1])}
    print("| KPI | September | census | " + " | ".join(runs) + " |")
    print("|---|---|---|" + "---|" * len(runs))
    for label, kpi, pct in CENSUS_KPIS:
        actual = ws.actuals(census, kpi)
        scale, unit = (100, " %") if pct else (1, "")
        for year in (2023, 2024, 2025):
            at = pd.Timestamp(year, 9, 1)
            cells = []
            for m in runs.values():
                v = m.loc[(m["team"] == "all") & (m["month"] == at), kpi].to_numpy(float) * scale
                lo, hi = np.quantile(v, (0.05, 0.95))
                cells.append(f"{v.mean():.1f}{unit} ({lo:.1f}–{hi:.1f})")
            print(f"| {label} | {year} | {actual[at] * scale:.1f}{unit} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    census_table() if sys.argv[1:] == ["census"] else main()
