"""Deflator series shipped with the package, for real-terms money figures.

A series is a yearly price index by financial year (``2025`` is 2025-26, from
1 April 2025), with a growth rate for the years beyond it. Real-terms values
are cash divided by the ratio of the month's financial-year index to the base
year's (``results/money.py``).

The HM Treasury GDP deflator at market prices is the UK government's standard
for real terms (HM Treasury, "GDP deflators at market prices, and money GDP",
updated after each ONS Quarterly National Accounts release; outturn from ONS
series L8GG, forecasts from the OBR). Its published file could not be read
where this package was built, so the values below are estimates [E] of that
series, rebased to 2023-24 = 100, from its published growth to within about a
point a year; a user who needs the published figures gives them as their own
series in the scenario (``[money.deflators.<name>]``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeflatorSeries:
    """A yearly price index by financial year, and its growth beyond the last year.

    Parameters
    ----------
    name : str
        How money figures name it ("GDP deflator").
    source : str
        Where the values come from, with their evidence tags.
    index : dict of int to float
        The index by financial year (its first calendar year: 2025 is 2025-26).
    forecast_growth : float
        Yearly growth of the index after the last year given (and before the first,
        backwards).
    """

    name: str
    source: str
    index: dict[int, float]
    forecast_growth: float


GDP_DEFLATOR = DeflatorSeries(
    name="GDP deflator (estimated)",
    source="HM Treasury GDP deflator at market prices, 2023-24 = 100 [E] (estimates of the "
           "published series, within about a point a year; 2025-26 and 2026-27 the OBR's "
           "forecast growth, estimated); beyond 2026-27 the OBR's 2 % a year [E]",
    index={2019: 83.0, 2020: 87.3, 2021: 87.8, 2022: 93.1, 2023: 100.0, 2024: 104.1,
           2025: 107.4, 2026: 109.5},
    forecast_growth=0.02,
)

SHIPPED: dict[str, DeflatorSeries] = {"gdp_deflator": GDP_DEFLATOR}
"""The shipped series by the name a scenario gives (``[money] price_base``)."""
