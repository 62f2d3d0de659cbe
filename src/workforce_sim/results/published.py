"""A council's published census set beside the model's columns.

The DfE's census is at 30 September; the model's September row (labelled
with the first of the month, like every row) holds its values at the month's
end, 30 September. So the census of year Y is placed at ``Y-09-01``, and a
chart or table can draw it on the same axis as a projection.
"""

from __future__ import annotations

import pandas as pd

from workforce_sim.engine.recording.columns import COLUMNS, Column, column


def _in_census(c: Column) -> bool:
    """A level or rate defined exactly as a field of the workforce census (the
    stability measure is the DfE's too, but from a table the package does not ship)."""
    return c.dfe_match == "exact" and c.kind != "flow" and c.dfe_field is not None


def _exact() -> list[str]:
    return [c.name for c in COLUMNS if _in_census(c)]


def actuals(census: pd.DataFrame, metric: str) -> pd.Series:
    """The published values of ``metric`` from a council's census, in the model's units.

    Parameters
    ----------
    census : pandas.DataFrame
        A council's census as :func:`workforce_sim.census` returns it.
    metric : str
        A column of the monthly table that matches a DfE census definition
        exactly and is a level or a rate (e.g. ``"agency_rate"``,
        ``"vacancy_fte"``); flows are published as 12-month totals and are
        not set beside a monthly value.

    Returns
    -------
    pandas.Series
        Indexed by the September row's month (``Y-09-01`` for the census of
        30 September Y), named ``metric``; rates as shares (the DfE publishes
        per cent); NaN where the DfE suppressed the figure.

    Raises
    ------
    KeyError
        If there is no such column.
    ValueError
        If the column has no exact DfE counterpart (the message lists those
        that do), is a flow, or ``census`` is not a census table.

    Examples
    --------
    >>> import workforce_sim as ws
    >>> a = ws.actuals(ws.census("Herefordshire"), "agency_rate")
    >>> round(float(a["2025-09-01"]), 3)
    0.183
    """
    c = column(metric)
    if not _in_census(c):
        why = "is a flow (published as a 12-month total)" if c.kind == "flow" else \
            "has no exact counterpart in the DfE's workforce census"
        raise ValueError(f"{metric!r} {why}; columns set beside the census: "
                         f"{', '.join(_exact())}")
    missing = {"year", "measure", "value"} - set(census.columns)
    if missing:
        raise ValueError(f"census: no column {', '.join(sorted(missing))}; expected the table "
                         "workforce_sim.census(council) returns")
    rows = census.loc[census["measure"] == c.dfe_field]
    values = rows["value"].to_numpy(dtype=float)
    if c.unit == "share":
        values = values / 100          # the DfE publishes rates in per cent
    months = pd.to_datetime(pd.DataFrame({"year": rows["year"], "month": 9, "day": 1}))
    return pd.Series(values, index=pd.DatetimeIndex(months, name="month"), name=metric)
