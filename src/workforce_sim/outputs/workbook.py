"""An Excel workbook for finance: assumptions, monthly summary, financial years, provenance.

Needs openpyxl: ``pip install "workforce-sim[excel]"``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from workforce_sim.outputs.report import assumption_rows
from workforce_sim.results.store import escape_formulas
from workforce_sim.results.tables import Results

SUMMARY_METRICS = ("agency_rate", "vacancy_rate", "caseload_mean", "unallocated_cases",
                   "permanent_fte", "agency_fte", "cost_permanent", "cost_agency", "cost_total",
                   "agency_premium")


def monthly_summary(results: Results, team: str = "all") -> pd.DataFrame:
    """One row per month: mean and 90 % range of the figures finance reads."""
    cols = {}
    for metric in SUMMARY_METRICS:
        s = results.summary(metric, team)
        cols[f"{metric} mean"] = s["mean"]
        cols[f"{metric} q05"] = s["q05"]
        cols[f"{metric} q95"] = s["q95"]
    out = pd.DataFrame(cols)
    out.index = out.index.strftime("%Y-%m")
    return out.reset_index()


def write_workbook(results: Results, path: str | Path, team: str = "all") -> Path:
    """Write the workbook atomically (a temporary file renamed into place)."""
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:       # pragma: no cover - depends on the environment
        raise ImportError('the Excel workbook needs openpyxl: pip install "workforce-sim[excel]"') \
            from exc
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part.xlsx", dir=path.parent)
    os.close(fd)
    fy = results.financial_years(team)
    fy = fy[fy["metric"].str.startswith(("cost_", "agency_premium"))]
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            # text from users (scenario and team names...) is escaped: never a live formula
            escape_formulas(pd.DataFrame(assumption_rows(results),
                                         columns=["field", "value", "meaning and source"])) \
                .to_excel(xl, sheet_name="Assumptions", index=False)
            monthly_summary(results, team).to_excel(xl, sheet_name="Monthly", index=False)
            fy[["financial_year", "months", "metric", "mean", "ci_low", "ci_high", "q05", "q50",
                "q95"]].to_excel(xl, sheet_name="Financial years", index=False)
            escape_formulas(pd.DataFrame(list(results.provenance.items()), columns=["item", "value"])) \
                .to_excel(xl, sheet_name="Provenance", index=False)
            for sheet in xl.sheets.values():
                for column in sheet.columns:
                    width = max(len(str(c.value or "")) for c in column[:200])
                    sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
