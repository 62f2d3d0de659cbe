"""An Excel workbook for finance: assumptions, monthly summary, financial years, provenance.

Needs openpyxl: ``pip install "workforce-sim[excel]"``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workforce_sim.engine.recording.columns import find, of_unit
from workforce_sim.outputs.report import assumption_rows
from workforce_sim.results.formatting import excel_format
from workforce_sim.results.store import atomic_write_file, escape_formulas
from workforce_sim.results.tables import Results

SUMMARY_METRICS = ("agency_rate", "vacancy_rate", "caseload", "unallocated_cases",
                   "permanent_fte", "agency_fte", "cost_permanent", "cost_agency", "cost_total",
                   "agency_premium")


STATISTICS = ("mean", "ci_low", "ci_high", "q05", "q50", "q95")


def _priced(header: str, price_base: str) -> str:
    """A money column's header with what its money is in: "cost_total mean (£, cash)"."""
    c = find(header.rsplit(" ", 1)[0])
    return f"{header} ({price_base})" if c is not None and c.unit == "£" else header


def monthly_summary(results: Results, team: str = "all") -> pd.DataFrame:
    """One row per month: mean and 90 % range of the figures finance reads.

    Parameters
    ----------
    results : Results
        A run.
    team : str
        A team, or ``"all"``.

    Returns
    -------
    pandas.DataFrame
        ``month`` (``YYYY-MM``), then ``{metric} mean``, ``{metric} q05``,
        ``{metric} q95`` for each of :data:`SUMMARY_METRICS`.
    """
    cols = {}
    for metric in SUMMARY_METRICS:
        s = results.summary(metric, team)
        cols[f"{metric} mean"] = s["mean"]
        cols[f"{metric} q05"] = s["q05"]
        cols[f"{metric} q95"] = s["q95"]
    out = pd.DataFrame(cols)
    out.index = out.index.strftime("%Y-%m")
    return out.reset_index()


def _finish_sheet(sheet, formats: dict[int, list[str]] | None = None) -> None:
    """Bold header, frozen header row, column widths, and number formats: ``formats``
    maps a column number (1-based) to the format of each data row, in order."""
    from openpyxl.styles import Font

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    for column_number, row_formats in (formats or {}).items():
        for row, fmt in enumerate(row_formats, start=2):
            sheet.cell(row=row, column=column_number).number_format = fmt
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column[:200])
        sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)


def write_workbook(results: Results, path: str | Path, team: str = "all") -> Path:
    """Write the workbook atomically (a temporary file renamed into place).

    Numbers carry the Excel format of their column's unit (money ``"£"#,##0``,
    shares ``0.0%``, other figures ``#,##0.0``); headers are bold and frozen.

    Parameters
    ----------
    results : Results
        A run.
    path : str or Path
        Where to write the ``.xlsx`` file.
    team : str
        The team whose figures go in the Monthly and Financial years sheets
        (default the whole service).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ImportError
        If openpyxl is not installed.
    """
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:       # pragma: no cover - depends on the environment
        raise ImportError('the Excel workbook needs openpyxl: pip install "workforce-sim[excel]"') \
            from exc
    fy = results.financial_years(team)
    fy = fy[fy["metric"].isin([c.name for c in of_unit("£")])]
    fy = fy[["financial_year", "months", "metric", "mean", "ci_low", "ci_high", "q05", "q50", "q95"]]
    fy = fy.assign(price_base=results.price_base)
    monthly = monthly_summary(results, team)
    formats = [excel_format(name.rsplit(" ", 1)[0]) for name in monthly.columns]
    monthly.columns = [_priced(name, results.price_base) for name in monthly.columns]

    def write(tmp: str) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            # text from users (scenario and team names...) is escaped: never a live formula
            escape_formulas(pd.DataFrame(assumption_rows(results),
                                         columns=["field", "value", "meaning and source"])) \
                .to_excel(xl, sheet_name="Assumptions", index=False)
            monthly.to_excel(xl, sheet_name="Monthly", index=False)
            fy.to_excel(xl, sheet_name="Financial years", index=False)
            escape_formulas(pd.DataFrame(list(results.provenance.items()), columns=["item", "value"])) \
                .to_excel(xl, sheet_name="Provenance", index=False)
            n = len(monthly)
            _finish_sheet(xl.sheets["Monthly"], {
                j: [fmt] * n for j, (name, fmt) in enumerate(zip(monthly.columns, formats,
                                                                 strict=True), start=1)
                if name != "month"})
            per_row = [excel_format(m) for m in fy["metric"]]
            _finish_sheet(xl.sheets["Financial years"], {
                j: per_row for j, name in enumerate(fy.columns, start=1) if name in STATISTICS})
            _finish_sheet(xl.sheets["Assumptions"])
            _finish_sheet(xl.sheets["Provenance"])

    return atomic_write_file(path, write, suffix=".part.xlsx")
