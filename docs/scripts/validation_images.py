"""The images of docs/validation.md: Herefordshire from its 2022 census, against what
the censuses of 2023-2025 then said.

    python docs/scripts/validation_images.py [--replications 20] [--seed 0]

Herefordshire's run is the one the backtest of docs/validation.md made
(``council_run`` repeats it to the bit: the same scenario and seed), read as a fan
chart of the agency rate with the census drawn in.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import workforce_sim as ws
from workforce_sim.experiment.backtesting import council_run
from workforce_sim.outputs import plots

OUT = Path(__file__).resolve().parents[1] / "images"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replications", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    results = council_run(2022, "Herefordshire", horizon=3, replications=args.replications,
                          seed=args.seed, progress=False)
    for metric in ("agency_rate", "caseload"):
        fig = plots.fan_chart(results, metric, actuals=ws.census("Herefordshire"))
        what = fig.axes[0].get_title(loc="left").split(",")[0].lower()
        fig.axes[0].set_title(f"Herefordshire from its census of September 2022: {what}",
                              loc="left", fontsize=12)
        fig.savefig(OUT / f"backtest_herefordshire_{metric}.png", dpi=100)


if __name__ == "__main__":
    main()
