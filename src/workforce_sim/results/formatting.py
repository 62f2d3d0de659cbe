"""How a column's values are shown: one format per unit, read from the column table.

The command line, the HTML report, the workbook and the charts all format
through these functions, so a figure reads the same wherever it appears:
shares as percentages (``11.4%``), money in millions of pounds (``£2.13m``),
everything else with one decimal (``754.1``). What money is in (cash, or real
terms at a stated year) is said once per table or chart, in the label of its
money figures (:func:`label` with the price base of ``results/money.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workforce_sim.engine.recording.columns import Column, find

if TYPE_CHECKING:
    from workforce_sim.scenario.schema import Scenario

EXCEL_FORMATS = {"£": '"£"#,##0', "share": "0.0%"}
EXCEL_DEFAULT = "#,##0.0"


def _column(col: Column | str | None) -> Column | None:
    return find(col) if isinstance(col, str) else col


def label(col: Column | str, price_base: str | None = None) -> str:
    """The human label of a column (a name the table does not know is shown as written).

    Parameters
    ----------
    col : Column or str
        A column or its name.
    price_base : str, optional
        What money is in (``results.money.price_base_label``: "£, cash"); given, a
        money column's label ends with it: "Total cost (£, cash)".

    Returns
    -------
    str
    """
    c = _column(col)
    if c is not None:
        if price_base is not None and c.unit == "£":
            return f"{c.label} ({price_base})"
        return c.label
    return str(col).replace("_", " ").capitalize()


def format_value(col: Column | str | None, x: float, *, signed: bool = False) -> str:
    """One value as text, in its column's unit.

    Parameters
    ----------
    col : Column, str or None
        The column (or its name) the value belongs to; None, or a name the
        table does not know, is shown as a plain number.
    x : float
        The value; NaN is shown as ``n/a``.
    signed : bool
        Show a difference: always with its sign, and a difference of shares in
        percentage points (``+1.2 pp``).

    Returns
    -------
    str
        ``11.4%`` for a share, ``£2.13m`` for money, ``754.1`` otherwise.
    """
    if x is None or x != x:
        return "n/a"
    c = _column(col)
    unit = c.unit if c is not None else None
    if unit == "share":
        return f"{100 * x:+.1f} pp" if signed else f"{100 * x:.1f}%"
    if unit == "£":
        sign = ("+" if x >= 0 else "-") if signed else ("-" if x < 0 else "")
        return f"{sign}£{abs(x) / 1e6:,.2f}m"
    return f"{x:+,.1f}" if signed else f"{x:,.1f}"


def format_range(col: Column | str | None, mean: float, low: float, high: float) -> str:
    """A mean and its range as text: ``11.4% (9.2% to 13.1%)``.

    Parameters
    ----------
    col : Column, str or None
        As for :func:`format_value`.
    mean, low, high : float
        The central value and the ends of its range.

    Returns
    -------
    str
    """
    return f"{format_value(col, mean)} ({format_value(col, low)} to {format_value(col, high)})"


def excel_format(col: Column | str | None) -> str:
    """The Excel number format of a column's unit.

    Parameters
    ----------
    col : Column, str or None
        The column or its name (unknown: the default).

    Returns
    -------
    str
        ``"£"#,##0`` for money, ``0.0%`` for shares, ``#,##0.0`` otherwise.
    """
    c = _column(col)
    return EXCEL_FORMATS.get(c.unit, EXCEL_DEFAULT) if c is not None else EXCEL_DEFAULT


TREND_NAMES = {"turnover": "turnover", "recruitment_success": "recruitment success",
               "agency_cover": "agency cover", "establishment_growth": "establishment growth"}


def bands_meaning(scenario: Scenario) -> str:
    """What a 90 % range of this scenario's results holds, in one sentence.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    str
        Random variation only, or also what is not known about the parameters
        whose trends draw a path per replication (``[trends]`` with ``sd > 0``).
    """
    t = scenario.trends
    drawn = [TREND_NAMES[name] for name in TREND_NAMES if (x := getattr(t, name)) and x.sd > 0]
    if not drawn:
        return ("The 90 % ranges hold the model's random variation only (the spread of its "
                "replications); its parameters are taken as known.")
    listed = ", ".join(drawn[:-1]) + (" and " if len(drawn) > 1 else "") + drawn[-1]
    return ("The 90 % ranges hold the model's random variation and what we do not know about "
            f"{listed}: each replication draws its own path of {'them' if len(drawn) > 1 else 'it'} "
            "from the scenario's trends.")
