"""The tables of docs/validation.md, from a saved backtest folder.

    python benchmarks/bench_backtest.py --replications 20 --out DIR
    python docs/scripts/validation_tables.py DIR

Prints three Markdown tables: the model against AR(1) and no change over the
three horizons together; every score by horizon; the councils worst first.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from workforce_sim.experiment.backtesting import kpi_unit

NAMES = {"agency_rate": "agency rate", "vacancy_rate": "vacancy rate",
         "turnover_rate": "turnover rate", "caseload": "caseload", "fte_in_post": "FTE in post"}


def _kpi(kpi: str) -> str:
    return f"{NAMES[kpi]} ({kpi_unit(kpi)})"


def comparison(folder: Path) -> str:
    c = pd.read_csv(folder / "comparison.csv")
    rows = ["| KPI (unit) | n | model MAE | AR(1) MAE | no change MAE | model − AR(1) "
            "[95 % interval] | model / AR(1) | beats AR(1)? |", "|---|---|---|---|---|---|---|---|"]
    for r in c.itertuples():
        rows.append(f"| {_kpi(r.kpi)} | {r.n} | {r.mae_model:.2f} | {r.mae_ar1:.2f} | "
                    f"{r.mae_no_change:.2f} | {r.difference:+.2f} [{r.ci_low:+.2f}, "
                    f"{r.ci_high:+.2f}] | {r.ratio:.2f} | {'yes' if r.beats_ar1 else 'no'} |")
    return "\n".join(rows)


def scores(folder: Path) -> str:
    s = pd.read_csv(folder / "scores.csv")
    wide = s.pivot_table(index=["kpi", "horizon"], columns="method",
                         values=["n", "mae", "bias", "coverage"], sort=False)
    rows = ["| KPI (unit) | years ahead | n | model MAE | model bias | model 90 % band "
            "coverage | no change MAE | no change bias | AR(1) MAE | AR(1) bias |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for (kpi, h), r in wide.iterrows():
        rows.append(f"| {_kpi(kpi)} | {h} | {int(r[('n', 'model')])} | "
                    f"{r[('mae', 'model')]:.2f} | {r[('bias', 'model')]:+.2f} | "
                    f"{100 * r[('coverage', 'model')]:.0f} % | {r[('mae', 'no_change')]:.2f} | "
                    f"{r[('bias', 'no_change')]:+.2f} | {r[('mae', 'ar1')]:.2f} | "
                    f"{r[('bias', 'ar1')]:+.2f} |")
    return "\n".join(rows)


def worst(folder: Path, n: int = 10) -> str:
    w = pd.read_csv(folder / "worst_councils.csv").head(n)
    kpis = [c for c in w.columns if c.startswith("mae_")]
    rows = ["| council | relative error | " + " | ".join(NAMES[k[4:]] for k in kpis) + " |",
            "|---|---|" + "---|" * len(kpis)]
    for r in w.itertuples():
        cells = ["–" if pd.isna(getattr(r, k)) else f"{getattr(r, k):.1f}" for k in kpis]
        rows.append(f"| {r.council} | {r.relative_error:.1f} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str]) -> None:
    folder = Path(argv[0])
    print(comparison(folder), scores(folder), worst(folder), sep="\n\n")


if __name__ == "__main__":
    main(sys.argv[1:])
