"""Charts for board papers: fan charts, comparisons, costs by financial year, RAG, tornado.

Every function returns a matplotlib ``Figure`` and draws nothing on screen by
itself, so it works the same in a notebook, a script or a report.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter, StrMethodFormatter  # noqa: E402

from workforce_sim.engine.recording.columns import find  # noqa: E402
from workforce_sim.results.formatting import format_value, label  # noqa: E402
from workforce_sim.results.published import actuals as census_actuals  # noqa: E402
from workforce_sim.results.tables import Results  # noqa: E402
from workforce_sim.scenario.calendar import financial_year  # noqa: E402

PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6")
RAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "grey": "#9e9e9e"}


def _format_axis(ax, metric: str, axis: str = "y") -> None:
    """Tick labels in the column's unit: shares as %, money as £k, other counts with
    thousands separators."""
    c = find(metric)
    unit = c.unit if c is not None else None
    target = ax.yaxis if axis == "y" else ax.xaxis
    if unit == "share":
        target.set_major_formatter(PercentFormatter(1.0, decimals=0))
    elif unit == "£":
        target.set_major_formatter(FuncFormatter(lambda x, _: f"£{x / 1e3:,.0f}k"))
    elif unit is not None:
        target.set_major_formatter(StrMethodFormatter("{x:,g}"))


def _figure(width=8.0, height=4.2) -> tuple[Figure, plt.Axes]:
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    ax.grid(True, alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _fan(ax, summary: pd.DataFrame, colour: str, label: str) -> None:
    x = summary.index
    ax.fill_between(x, summary["q05"], summary["q95"], color=colour, alpha=0.15, lw=0,
                    label=f"{label}: 90 % of replications")
    ax.fill_between(x, summary["q25"], summary["q75"], color=colour, alpha=0.3, lw=0,
                    label=f"{label}: 50 %")
    ax.plot(x, summary["q50"], color=colour, lw=2, label=f"{label}: median")


def fan_chart(results: Results, metric: str = "agency_rate", team: str = "all",
              actuals: pd.Series | pd.DataFrame | None = None,
              target: float | None = None) -> Figure:
    """Median and 50 %/90 % bands over time, with what actually happened overlaid.

    ``actuals`` is a series indexed by date, or a council's census
    (``ws.census(council)``), from which the metric's published values are
    read (:func:`workforce_sim.actuals`); ``target`` draws a
    dashed line.
    """
    fig, ax = _figure()
    _fan(ax, results.summary(metric, team), PALETTE[0], "projection")
    if isinstance(actuals, pd.DataFrame):
        actuals = census_actuals(actuals, metric)
    if actuals is not None:
        ax.plot(pd.to_datetime(actuals.index), actuals.to_numpy(), "o-", color="black",
                lw=1.5, ms=4, label="actual (DfE census, 30 September)")
    if target is not None:
        ax.axhline(target, color=RAG_COLOURS["red"], ls="--", lw=1.2,
                   label=f"target {format_value(metric, target)}")
    where = "whole service" if team == "all" else f"team {team}"
    ax.set_title(f"{label(metric)}, {where}", loc="left", fontsize=12)
    ax.set_ylabel(label(metric, results.price_base))
    _format_axis(ax, metric)
    ax.legend(frameon=False, fontsize=8, loc="best")
    return fig


def compare_chart(results: Mapping[str, Results], metric: str = "agency_rate",
                  team: str = "all") -> Figure:
    """The fans of several scenarios on one chart (median and 50 % band)."""
    fig, ax = _figure()
    for i, (name, res) in enumerate(results.items()):
        s = res.summary(metric, team)
        colour = PALETTE[i % len(PALETTE)]
        ax.fill_between(s.index, s["q25"], s["q75"], color=colour, alpha=0.2, lw=0)
        ax.plot(s.index, s["q50"], color=colour, lw=2, label=name)
    bases = sorted({res.price_base for res in results.values()})
    ax.set_title(f"{label(metric)}: median and middle 50 % of replications", loc="left",
                 fontsize=12)
    ax.set_ylabel(label(metric, "; ".join(bases)))
    _format_axis(ax, metric)
    ax.legend(frameon=False, fontsize=8)
    return fig


def difference_chart(differences: pd.DataFrame, title: str = "Difference from the baseline") -> Figure:
    """Paired differences with their confidence intervals (``Comparison.differences``)."""
    d = differences.iloc[1:] if len(differences) > 1 else differences
    fig, ax = _figure(7, 0.6 + 0.5 * len(d))
    y = np.arange(len(d))
    ax.errorbar(d["difference"], y, xerr=[d["difference"] - d["paired_ci_low"],
                                          d["paired_ci_high"] - d["difference"]],
                fmt="o", color=PALETTE[0], capsize=4)
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(y, d["scenario"])
    ax.set_title(title, loc="left", fontsize=12)
    return fig


COST_PARTS = ("cost_permanent", "cost_agency", "cost_academy", "cost_recruitment")


def cost_chart(results: Results, team: str = "all") -> Figure:
    """Mean cost per UK financial year, stacked by kind, with the 90 % range of the total."""
    fy = results.financial_years(team)
    fig, ax = _figure()
    years = sorted(fy["financial_year"].unique())
    bottom = np.zeros(len(years))
    for i, part in enumerate(COST_PARTS):
        vals = fy[fy["metric"] == part].set_index("financial_year").reindex(years)["mean"]
        ax.bar(years, vals.to_numpy(), bottom=bottom, color=PALETTE[i], label=label(part))
        bottom += vals.fillna(0).to_numpy()
    total = fy[fy["metric"] == "cost_total"].set_index("financial_year").reindex(years)
    ax.errorbar(years, total["mean"], yerr=[total["mean"] - total["q05"], total["q95"] - total["mean"]],
                fmt="none", color="black", capsize=4, label="total: 90 % range")
    part = fy.drop_duplicates("financial_year").set_index("financial_year").reindex(years)["months"]
    ax.set_xticks(range(len(years)), [f"{y}*" if m < 12 else y for y, m in zip(years, part, strict=True)])
    ax.set_title("Cost by financial year (* part year)", loc="left", fontsize=12)
    ax.set_ylabel(results.price_base)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: f"£{x / 1e6:,.1f}m"))
    ax.legend(frameon=False, fontsize=8, ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.08))
    return fig


def _by_financial_year(kpis: pd.DataFrame) -> pd.DataFrame:
    """Monthly targets read at each financial year's last month in the horizon;
    financial-year targets as they are."""
    out = []
    for _, rows in kpis.groupby("target", sort=False):
        rows = rows.copy()
        if rows["period"].iloc[0].count("-") >= 1:           # a monthly period: 2026-03-01
            when = pd.to_datetime(rows["period"])
            rows["year"] = [financial_year(d.date()) for d in when]
            rows = rows.loc[when.groupby(rows["year"]).idxmax().to_numpy()]
        else:
            rows["year"] = rows["period"]
        out.append(rows)
    return pd.concat(out, ignore_index=True)


def rag_dashboard(kpis: pd.DataFrame) -> Figure:
    """Red/amber/green tiles: one row per target, one column per financial year (monthly
    targets read at the year's last month), each with the probability of meeting it."""
    df = _by_financial_year(kpis)
    targets = list(dict.fromkeys(df["target"]))
    years = sorted(df["year"].unique())
    fig = Figure(figsize=(max(8.0, 4.0 + 1.1 * len(years)), 0.9 + 0.6 * len(targets)),
                 layout="constrained")
    ax = fig.add_subplot()
    for i, target in enumerate(targets):
        for _, r in df[df["target"] == target].iterrows():
            j = years.index(r["year"])
            ax.add_patch(plt.Rectangle((j + 0.03, i + 0.05), 0.94, 0.9,
                                       color=RAG_COLOURS[r["rag"]]))
            text = "–" if r["probability"] != r["probability"] else f"{100 * r['probability']:.0f} %"
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=9,
                    color="white", weight="bold")
    ax.set_xticks(np.arange(len(years)) + 0.5, years, fontsize=9)
    ax.set_yticks(np.arange(len(targets)) + 0.5, targets, fontsize=9)
    ax.set_xlim(0, len(years))
    ax.set_ylim(len(targets), 0)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    fig.suptitle("Probability of meeting each target (green ≥ 80 %, amber ≥ 50 %; "
                 "grey: part year)", x=0.02, ha="left", fontsize=10)
    return fig


def tornado_chart(tornado: pd.DataFrame, output_label: str = "output") -> Figure:
    """Bars from the output at each parameter's low value to its high value."""
    t = tornado.iloc[::-1]
    fig, ax = _figure(7, 0.8 + 0.45 * len(t))
    base = float(t["baseline"].iloc[0])
    y = np.arange(len(t))
    ax.barh(y, t["output_low"] - base, left=base, color=PALETTE[0], label="low value")
    ax.barh(y, t["output_high"] - base, left=base, color=PALETTE[1], label="high value")
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(y, [f"{p}\n({lo:g} to {hi:g})" for p, lo, hi in
                      zip(t["parameter"], t["low"], t["high"], strict=True)], fontsize=8)
    ax.set_title(f"Sensitivity of {output_label}", loc="left", fontsize=12)
    ax.legend(frameon=False, fontsize=8)
    return fig
