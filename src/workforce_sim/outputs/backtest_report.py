"""The backtest's report: one self-contained HTML page (charts as embedded PNG).

First whether the model beats AR(1) on each KPI and by how much, then the
scores, predicted against actual for each KPI, the error by horizon, the
councils worst first, and how the forecasts were fitted.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from workforce_sim._version import __version__
from workforce_sim.experiment.backtesting import KPIS, Backtest, kpi_unit
from workforce_sim.outputs.plots import PALETTE, _figure
from workforce_sim.outputs.report import CSS, _img
from workforce_sim.results.formatting import label
from workforce_sim.results.store import write_text

METHOD_LABELS = {"model": "model (mean of replications)", "no_change": "no change",
                 "ar1": "AR(1), pooled"}
BANDS_NOTE = ("The model's 90 % bands are the 5th to 95th percentiles of its replications. "
              "Each council's scenario carries the trends fitted to every council's census up "
              "to the origin ([trends]: turnover, recruitment success, agency cover, "
              "establishment growth), and each replication draws its own path of them, so the "
              "bands hold what we do not know about those parameters as well as chance.")


def _num(x: float, digits: int = 2) -> str:
    return "n/a" if x != x else f"{x:,.{digits}f}"


def _unit(kpi: str, x: float, signed: bool = False) -> str:
    if x != x:
        return "n/a"
    u = kpi_unit(kpi)
    text = f"{x:+,.2f}" if signed else f"{x:,.2f}"
    return f"{text} {'points' if u == 'points' else u}"


def verdicts(bt: Backtest) -> list[str]:
    """One sentence per origin and KPI: does the model beat AR(1), and by how much."""
    out = []
    for r in bt.comparison().itertuples():
        if r.n == 0:
            continue
        better = "beats" if r.beats_ar1 else "does not beat"
        how = (f"{abs(r.difference):,.2f} {kpi_unit(r.kpi)} lower" if r.beats_ar1 else
               f"{abs(r.difference):,.2f} {kpi_unit(r.kpi)} higher")
        out.append(
            f"<b>{html.escape(label(r.kpi))}</b> (origin {r.origin}): the model "
            f"<b>{better}</b> AR(1). Its mean absolute error is {_unit(r.kpi, r.mae_model)} "
            f"against AR(1)'s {_unit(r.kpi, r.mae_ar1)} and no change's "
            f"{_unit(r.kpi, r.mae_no_change)}: {how} ({100 * (r.ratio - 1):+.0f} %; 95 % "
            f"interval of the difference {_num(r.ci_low)} to {_num(r.ci_high)}), over {r.n} "
            "council-years with all three.")
    return out


def _scores_table(bt: Backtest) -> str:
    s = bt.scores.copy()
    s["KPI"] = [f"{label(k)} ({kpi_unit(k)})" for k in s["kpi"]]
    s["method"] = s["method"].map(METHOD_LABELS)
    s["MAE"] = s["mae"].map(_num)
    s["bias"] = s["bias"].map(lambda x: "n/a" if x != x else f"{x:+,.2f}")
    s["90 % band coverage"] = s["coverage"].map(lambda x: "" if x != x else f"{100 * x:.0f} %")
    t = s[["origin", "KPI", "horizon", "method", "n", "MAE", "bias", "90 % band coverage"]]
    return t.to_html(index=False, escape=True, border=0)


def _style(ax) -> None:
    ax.grid(True, alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def scatter_chart(bt: Backtest, kpi: str) -> Figure:
    """Predicted against actual for one KPI: the model's mean with its 90 % band, and
    AR(1), every council and horizon; the diagonal is a perfect forecast."""
    fig, ax = _figure(7.0, 5.2)
    p = bt.predictions[bt.predictions["kpi"] == kpi].dropna(subset=["actual"])
    m = p.dropna(subset=["model_mean"])
    ax.errorbar(m["actual"], m["model_mean"],
                yerr=[m["model_mean"] - m["model_q05"], m["model_q95"] - m["model_mean"]],
                fmt="o", ms=3, color=PALETTE[0], ecolor=PALETTE[0], elinewidth=0.6, alpha=0.6,
                label="model: mean and 90 % band of replications")
    a = p.dropna(subset=["ar1"])
    ax.plot(a["actual"], a["ar1"], "x", ms=4, color=PALETTE[1], alpha=0.7, label="AR(1), pooled")
    values = np.concatenate([p["actual"].to_numpy(float), m["model_mean"].to_numpy(float),
                             a["ar1"].to_numpy(float)])
    values = values[np.isfinite(values)]
    if values.size:
        lo, hi = float(values.min()), float(values.max())
        ax.plot([lo, hi], [lo, hi], color="black", lw=1, label="predicted = actual")
    ax.set_xlabel(f"actual, DfE census ({kpi_unit(kpi)})")
    ax.set_ylabel(f"predicted ({kpi_unit(kpi)})")
    ax.set_title(f"{label(kpi)}: predicted against actual, horizons 1 to {bt.horizon}",
                 loc="left", fontsize=12)
    ax.legend(frameon=False, fontsize=8)
    return fig


def horizon_chart(bt: Backtest) -> Figure:
    """The mean absolute error of each method by years ahead, one panel per KPI."""
    fig = Figure(figsize=(10.0, 6.0), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    s = bt.scores
    for ax, kpi in zip(axes, KPIS, strict=False):
        _style(ax)
        for i, method in enumerate(("model", "no_change", "ar1")):
            part = s[(s["kpi"] == kpi) & (s["method"] == method)]
            for origin, rows in part.groupby("origin"):
                tag = f" ({origin})" if len(bt.origins) > 1 else ""
                ax.plot(rows["horizon"], rows["mae"], "o-", color=PALETTE[i], lw=1.8,
                        label=METHOD_LABELS[method] + tag)
        ax.set_title(f"{label(kpi)} ({kpi_unit(kpi)})", loc="left", fontsize=10)
        ax.set_xticks(range(1, bt.horizon + 1))
        ax.set_xlabel("years ahead")
    axes[-1].axis("off")
    handles, labels = axes[0].get_legend_handles_labels()
    axes[-1].legend(handles, labels, frameon=False, fontsize=9, loc="center")
    fig.suptitle("Mean absolute error by years ahead", x=0.02, ha="left", fontsize=12)
    return fig


def _worst_table(bt: Backtest, n: int = 25) -> str:
    w = bt.worst_councils().head(n).copy()
    if w.empty:
        return "<p>No council has both a model run and an actual.</p>"
    w["relative_error"] = w["relative_error"].map(lambda x: _num(x))
    for k in KPIS:
        c = f"mae_{k}"
        if c in w:
            w[c] = w[c].map(_num)
    w.columns = [c if not c.startswith("mae_") else f"{label(c[4:])} ({kpi_unit(c[4:])})"
                 for c in w.columns]
    return w.to_html(index=False, escape=True, border=0)


def _skipped(bt: Backtest) -> str:
    c = bt.councils[bt.councils["status"] != "run"]
    if c.empty:
        return "<p>Every council with the data was run.</p>"
    return ("<p>These councils have the statistical forecasts but no model run:</p>"
            + c.to_html(index=False, escape=True, border=0))


def _fits_table(bt: Backtest) -> str:
    f = bt.fits.copy()
    f["a"], f["b"] = f["a"].map(lambda x: _num(x, 3)), f["b"].map(lambda x: _num(x, 3))
    return f.to_html(index=False, escape=True, border=0)


def build_backtest_report(bt: Backtest) -> str:
    """The report as one HTML string.

    Parameters
    ----------
    bt : Backtest
        What :func:`workforce_sim.backtest` measured.

    Returns
    -------
    str
        A self-contained HTML page.
    """
    councils = bt.councils["code"].nunique()
    ran = int((bt.councils["status"] == "run").sum())
    origins = ", ".join(map(str, bt.origins))
    items = "".join(f"<li>{v}</li>" for v in verdicts(bt))
    charts = [_img(scatter_chart(bt, k), f"{k} predicted against actual") for k in KPIS]
    prov = bt.provenance
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Backtest from {origins}</title><style>{CSS}</style></head><body>",
        f"<h1>Backtest against the DfE census, from {origins}</h1>",
        f"<p class='sub'>{councils} councils ({ran} council runs), {bt.horizon} years ahead, "
        f"{bt.replications} replications each, seed {bt.seed}; {bt.seconds:,.0f} s. Each council's "
        "scenario was built from its census and tables up to 30 September of the origin "
        "only, and read at the September rows (the census date) of the following years; "
        "the statistical forecasts used the census up to the origin only."
        + (f" <b>Demand known</b> for {bt.demand_known()} of {len(bt.councils)} council runs: "
           "their referrals followed those the DfE published after the origin, so this is "
           "not a forecast; it shows the model's other errors (the councils table says what "
           "each followed)."
           if bt.data.get("demand") == "actual" else "")
        + (" <b>Interrupted</b>: councils not run have no model values." if bt.interrupted
           else "") + "</p>",
        "<h2 id='verdict'>Does the model beat AR(1)?</h2>",
        f"<p>Over every horizon together, on the same councils and years:</p><ul>{items}</ul>",
        f"<p><b>Bands.</b> {BANDS_NOTE}</p>",
        "<h2 id='scores'>Scores</h2>",
        "<p>Errors in the DfE's units: rates in percentage points, caseload in cases, FTE in "
        "post in FTE. Bias is the mean of predicted − actual. Each method's <i>n</i> counts "
        "the councils with its prediction and the actual; the model is scored by the mean "
        "of its replications.</p>",
        _scores_table(bt),
        "<h2 id='scatter'>Predicted against actual</h2>", *charts,
        "<h2 id='horizon'>Error by years ahead</h2>",
        _img(horizon_chart(bt), "mean absolute error by horizon"),
        "<h2 id='councils'>Councils, worst first</h2>",
        "<p>Ranked by the model's absolute error relative to AR(1)'s mean absolute error for "
        "the same KPI and horizon, averaged over KPIs and horizons (1 = as far off as AR(1) "
        "is on average); the other columns are the model's mean absolute error per KPI.</p>",
        _worst_table(bt), _skipped(bt),
        "<h2 id='forecasts'>The statistical forecasts</h2>",
        "<p>No change: every later year as at the origin. AR(1): <code>y[t+h] = a + b·y[t]"
        "</code> fitted by least squares on every council's pairs with t+h no later than the "
        "origin (<i>direct</i>), or, where there is no such pair, the one-step fit applied "
        "h times (<i>iterated</i>).</p>", _fits_table(bt),
        "<h2 id='provenance'>Provenance</h2><table>",
        *(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
          for k, v in prov.items()),
        f"</table><p class='sub'>Made by workforce_sim {__version__}.</p></body></html>",
    ]
    return "\n".join(parts)


def write_backtest_report(bt: Backtest, path: str | Path) -> Path:
    """Write the report atomically to ``path``."""
    return write_text(path, build_backtest_report(bt))


__all__ = ["build_backtest_report", "horizon_chart", "scatter_chart", "verdicts",
           "write_backtest_report"]
