"""Reference images of the main charts, for readers of the docs.

    python docs/scripts/make_images.py

The 2025 baseline and the 2022 crisis with all levers, 50 replications, seed 1.
"""

from __future__ import annotations

from pathlib import Path

import workforce_sim as ws
from workforce_sim.outputs import plots

OUT = Path(__file__).resolve().parents[1] / "images"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    base = ws.run(ws.load_scenario(), replications=50, seed=1, progress=False)
    plots.fan_chart(base, "agency_rate", target=0.2).savefig(OUT / "fan_agency_rate.png", dpi=100)
    plots.fan_chart(base, "caseload", target=18).savefig(OUT / "fan_caseload.png", dpi=100)
    plots.cost_chart(base).savefig(OUT / "cost_by_financial_year.png", dpi=100)
    plots.rag_dashboard(base.kpis(budget=9_300_000)).savefig(OUT / "rag_dashboard.png", dpi=100)
    comp = ws.compare({"no new levers": ws.load_scenario("herefordshire_2022_crisis.toml"),
                       "all levers": ws.load_scenario("herefordshire_2022_levers_all.toml")},
                      replications=50, seed=1, progress=False)
    plots.compare_chart(comp.results, "agency_rate").savefig(OUT / "compare_levers.png", dpi=100)
    short = ws.load_scenario().with_changes({"horizon_months": 24})
    tornado = ws.one_at_a_time(
        short, {"recruitment.success_probability": (0.08, 0.2),
                "workforce.permanent.annual_turnover": (0.08, 0.15),
                "workforce.agency.cover_fraction": (0.3, 0.7),
                "workforce.agency.day_rate": (330, 480)},
        ws.horizon_total("cost_agency"), replications=20, seed=1, progress=False)
    plots.tornado_chart(tornado, "agency spend over two years").savefig(OUT / "tornado.png", dpi=100)


if __name__ == "__main__":
    main()
