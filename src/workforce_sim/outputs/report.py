"""A self-contained HTML report: headline answers first, then charts, assumptions, provenance.

Charts are embedded as PNG data, so the file opens anywhere without a network.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd

from workforce_sim._version import __version__
from workforce_sim.outputs import plots
from workforce_sim.results.formatting import bands_meaning, format_range, format_value, label
from workforce_sim.results.store import write_text
from workforce_sim.results.tables import Results

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1000px;margin:2em auto;
color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.8em;border-bottom:2px solid #1f4e79;
padding-bottom:.2em;color:#1f4e79} .sub{color:#555}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em} th,td{padding:.3em .7em;
border-bottom:1px solid #ddd;text-align:right} th:first-child,td:first-child{text-align:left}
.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0}
.card{flex:1 1 200px;border:1px solid #ccd;border-radius:8px;padding:.7em 1em;background:#f7f9fc}
.card .v{font-size:1.5em;font-weight:600;color:#1f4e79} .card .r{color:#555;font-size:.85em}
img{max-width:100%} code{background:#f2f2f2;padding:0 .2em}
"""


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _img(fig, alt: str) -> str:
    return f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{_png(fig)}"></figure>'


def _months(results: Results) -> tuple[int, ...]:
    h = results.scenario.horizon_months
    return tuple(sorted({min(12, h), min(36, h), h}))


def _cards(results: Results) -> str:
    """Where the service will be in three years (or at the horizon, if sooner)."""
    h = results.headline(months=_months(results))
    last = min(36, results.scenario.horizon_months)
    pick = ["agency_rate", "caseload", "unallocated_cases", "worker_changes", "cost_agency"]
    cards = []
    for metric in pick:
        row = h[(h["metric"] == metric) & (h["month"] == last)].iloc[0]
        cards.append(
            f'<div class="card"><div>{html.escape(row["measure"])}</div>'
            f'<div class="v">{format_value(metric, row["mean"])}</div>'
            f'<div class="r">90 % range {format_value(metric, row["q05"])} to '
            f'{format_value(metric, row["q95"])}'
            f'<br>{row["month_start"]:%B %Y} (month {last})</div></div>')
    return '<div class="cards">' + "".join(cards) + "</div>"


def _headline_table(results: Results) -> str:
    h = results.headline(months=_months(results))
    wide = h.assign(cell=[format_range(k, m, a, b) for m, a, b, k in
                          zip(h["mean"], h["q05"], h["q95"], h["metric"], strict=True)])
    table = wide.pivot(index="measure", columns="month_start", values="cell")
    table = table.reindex(list(dict.fromkeys(h["measure"])))
    table.columns = [f"{c:%b %Y}" for c in table.columns]
    return table.to_html(escape=True, border=0)


SPEND = ("cost_permanent", "cost_agency", "agency_premium", "cost_total")


def _spend_table(results: Results) -> str:
    fy = results.financial_years()
    keep = fy[fy["metric"].isin(SPEND)]
    keep = keep.assign(cell=[format_range(k, m, a, b) for k, m, a, b in
                             zip(keep["metric"], keep["mean"], keep["q05"], keep["q95"], strict=True)])
    table = keep.pivot(index="financial_year", columns="metric", values="cell")
    table = table[[m for m in SPEND if m in table.columns]]
    table.columns = [label(m, results.price_base) for m in table.columns]
    months = keep.drop_duplicates("financial_year").set_index("financial_year")["months"]
    table.index = [f"{y}{' (part year)' if months[y] < 12 else ''}" for y in table.index]
    return table.to_html(escape=True, border=0)


def _kpi_table(results: Results, budget: float | None) -> str:
    k = plots._by_financial_year(results.kpis(budget=budget))
    k = k.assign(cell=[("–" if p != p else f"{100 * p:.0f} %") + f" {r}"
                       for p, r in zip(k["probability"], k["rag"], strict=True)])
    return k.pivot(index="target", columns="year", values="cell").to_html(escape=True, border=0)


def assumption_rows(results: Results) -> list[tuple[str, str, str]]:
    """Every value of the validated scenario.

    Parameters
    ----------
    results : Results
        A run; its scenario is listed.

    Returns
    -------
    list of (str, str, str)
        (dotted path, value as text, meaning and source) per value.
    """
    from workforce_sim.scenario.reference import field_description

    rows: list[tuple[str, str, str]] = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else key)
        elif isinstance(node, list) and node and isinstance(node[0], dict):
            for i, value in enumerate(node):
                walk(value, f"{path}.{i}")
        else:
            rows.append((path, str(node), field_description(path)))   # by path: two
            # fields of one name in different sections keep their own meanings

    walk(results.scenario.to_dict(), "")
    return rows


def _assumptions(results: Results) -> str:
    body = "".join(f"<tr><td><code>{html.escape(p)}</code></td><td>{html.escape(v)}</td>"
                   f"<td>{html.escape(d)}</td></tr>" for p, v, d in assumption_rows(results))
    return f"<table><tr><th>field</th><th>value</th><th>meaning and source</th></tr>{body}</table>"


def build_report(results: Results, budget: float | None = None,
                 actuals: dict[str, pd.Series] | None = None) -> str:
    """The report as one HTML string."""
    s = results.scenario
    actuals = actuals or {}
    p = results.provenance
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(s.name)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(s.name)}</h1>",
        f"<p class='sub'>{html.escape(s.description)} Projection from {s.start_date:%B %Y} for "
        f"{s.horizon_months} months; {results.replications} replications.</p>",
        "<h2 id='headline'>Headline answers</h2>", _cards(results),
        f"<p class='sub'>{html.escape(bands_meaning(s))}</p>", _headline_table(results),
        "<h2 id='spend'>Spend by financial year</h2>", _spend_table(results),
        "<h2 id='targets'>Probability of meeting the targets</h2>", _kpi_table(results, budget),
        "<h2 id='charts'>Charts</h2>",
        _img(plots.fan_chart(results, "agency_rate", target=0.2,
                             actuals=actuals.get("agency_rate")), "agency rate fan chart"),
        _img(plots.fan_chart(results, "caseload", target=18,
                             actuals=actuals.get("caseload")), "caseload fan chart"),
        _img(plots.fan_chart(results, "unallocated_cases"), "unallocated cases fan chart"),
        _img(plots.fan_chart(results, "cost_agency"), "agency spend fan chart"),
        _img(plots.cost_chart(results), "cost by financial year"),
        _img(plots.rag_dashboard(results.kpis(budget=budget)), "red amber green dashboard"),
        "<h2 id='assumptions'>Assumptions</h2>",
        "<p>Every value of the scenario as validated, with its meaning and source "
        "([S] sourced, [D] derived, [E] estimate).</p>", _assumptions(results),
        "<h2 id='provenance'>Provenance</h2><table>",
        *(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>" for k, v in p.items()),
        f"</table><p class='sub'>Made by workforce_sim {__version__}.</p></body></html>",
    ]
    return "\n".join(parts)


def write_report(results: Results, path: str | Path, **options) -> Path:
    """Write the report atomically to ``path``."""
    return write_text(path, build_report(results, **options))


def build_comparison_report(comparison, differences: pd.DataFrame,
                            folders: dict[str, str] | None = None) -> str:
    """A comparison of scenarios run on common random numbers, as one HTML string:
    the paired differences first, then the scenarios' fans side by side.

    Parameters
    ----------
    comparison : Comparison
        The scenarios' results.
    differences : pandas.DataFrame
        Paired differences, one row per output and scenario: ``output``, ``metric``
        (the column, for its unit), ``scenario``, ``mean``, ``difference``,
        ``paired_ci_low``, ``paired_ci_high``.
    folders : dict of str to str, optional
        Each scenario's folder beside the report (default its name).

    Returns
    -------
    str
        The HTML page.
    """
    names = list(comparison.results)
    folders = folders or {n: n for n in names}
    first = comparison.results[names[0]]
    table = differences.copy()
    metric = table["metric"] if "metric" in table else pd.Series(None, index=table.index)
    for c in ("mean", "difference", "paired_ci_low", "paired_ci_high"):
        table[c] = [format_value(m, x, signed=c != "mean") for m, x in zip(metric, table[c], strict=True)]
    table = table[["output", "scenario", "mean", "difference", "paired_ci_low", "paired_ci_high"]]
    charts = [_img(plots.compare_chart(comparison.results, m), f"{m} by scenario")
              for m in ("agency_rate", "caseload", "unallocated_cases", "cost_agency")]
    links = "".join(f"<li><a href='{html.escape(folders[n])}/report.html'>{html.escape(n)}</a></li>"
                    for n in names)
    return "\n".join([
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Comparison</title>"
        f"<style>{CSS}</style></head><body>",
        "<h1>Scenario comparison</h1>",
        f"<p class='sub'>Baseline: {html.escape(comparison.baseline)}. {first.replications} "
        "replications each on common random numbers (the same random draws wherever the "
        "scenarios agree); differences are paired, with 95 % confidence intervals.</p>",
        "<h2 id='differences'>Differences from the baseline</h2>",
        table.to_html(index=False, escape=True, border=0),
        "<h2 id='charts'>Charts</h2>", *charts,
        f"<h2 id='scenarios'>Each scenario's own report</h2><ul>{links}</ul>",
        f"<p class='sub'>Made by workforce_sim {__version__}.</p></body></html>",
    ])
