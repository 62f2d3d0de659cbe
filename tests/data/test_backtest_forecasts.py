"""The backtest's statistical forecasts are facts about the published census:
no change and the pooled AR(1), from the census up to the origin only."""

from __future__ import annotations

import math

import numpy as np
import pytest

import workforce_sim as ws
from workforce_sim.experiment.backtesting import (
    KPIS,
    Census,
    ar1_fits,
    forecasts,
    kpi_field,
    kpi_scale,
    score,
)


@pytest.fixture(scope="module")
def census() -> Census:
    return Census.read(None)


def _mae(census: Census, origin: int, horizon: int, kpi: str) -> tuple[float, float, int]:
    """MAE of AR(1) and of no change at ``horizon`` over the councils with both values."""
    f = forecasts(origin, horizon)
    f = f[(f["kpi"] == kpi) & (f["horizon"] == horizon)].copy()
    f["actual"] = [census.value(y, c, kpi) for y, c in zip(f["year"], f["code"], strict=True)]
    f = f.dropna(subset=["actual", "no_change"])
    return ((f["ar1"] - f["actual"]).abs().mean(), (f["no_change"] - f["actual"]).abs().mean(),
            len(f))


# Computed from the shipped census (csww_indicators_2017_to_2025), origin 2022, 3 years ahead.
REFERENCE = {"agency_rate": (7.09, 7.45), "vacancy_rate": (7.47, 7.81),
             "turnover_rate": (6.11, 7.93), "caseload": (1.62, 2.13)}


@pytest.mark.parametrize("kpi", list(REFERENCE))
def test_reference_mae_origin_2022_three_years(census, kpi):
    ar1, no_change, n = _mae(census, 2022, 3, kpi)
    assert round(ar1, 2) == REFERENCE[kpi][0]
    assert round(no_change, 2) == REFERENCE[kpi][1]
    assert n >= 140                       # about 145-147 councils publish both years


def test_score_gives_the_same_figures(census):
    """score() over the forecasts alone (no model) gives the reference MAEs too."""
    f = forecasts(2022, 3)
    f["actual"] = [census.value(y, c, k) for y, c, k in zip(f["year"], f["code"], f["kpi"],
                                                            strict=True)]
    f["council"] = f["code"]
    for c in ("model_mean", "model_median", "model_q05", "model_q95"):
        f[c] = math.nan
    s = score(f).set_index(["kpi", "horizon", "method"])
    for kpi, (ar1, no_change) in REFERENCE.items():
        assert round(s.loc[(kpi, 3, "ar1"), "mae"], 2) == ar1
        assert round(s.loc[(kpi, 3, "no_change"), "mae"], 2) == no_change
        assert s.loc[(kpi, 3, "model"), "n"] == 0


def test_direct_fit_is_least_squares_on_pairs_up_to_the_origin(census):
    """y[t+3] = a + b y[t] on every council's pairs with t + 3 <= 2022 (t = 2017-2019)."""
    fits = ar1_fits(census, 2022, 3).set_index(["kpi", "horizon"])
    x, y = [], []
    for (year, code), v in census.values.items():
        if year + 3 <= 2022 and (year + 3, code) in census.values:
            a, b = v["agency_rate_fte"], census.values[(year + 3, code)]["agency_rate_fte"]
            if not (math.isnan(a) or math.isnan(b)):
                x.append(a)
                y.append(b)
    b, a = np.polyfit(x, y, 1)
    row = fits.loc[("agency_rate", 3)]
    assert row["method"] == "direct" and row["pairs"] == len(x)
    assert row["a"] == pytest.approx(a, rel=1e-9) and row["b"] == pytest.approx(b, rel=1e-9)


def test_iterated_when_no_direct_pairs(census):
    """From 2021 the census (from 2017) has pairs 4 years apart but none 5 apart: the
    5-year forecast is the one-step fit applied 5 times."""
    fits = ar1_fits(census, 2021, 5).set_index(["kpi", "horizon"])
    assert fits.loc[("caseload", 4), "method"] == "direct"
    five = fits.loc[("caseload", 5)]
    one = fits.loc[("caseload", 1)]
    assert five["method"] == "iterated"
    a, b = one["a"], one["b"]
    assert five["b"] == pytest.approx(b ** 5)
    assert five["a"] == pytest.approx(a * (1 + b + b**2 + b**3 + b**4))


def test_forecasts_read_nothing_after_the_origin(census):
    """The forecasts from 2022 are the same from a census cut at 2022."""
    full = ar1_fits(census, 2022, 3)
    cut = Census(census.file, {k: v for k, v in census.values.items() if k[0] <= 2022},
                 census.names, census.rows)
    assert full.equals(ar1_fits(cut, 2022, 3))


@pytest.mark.parametrize("kpi", KPIS)
def test_actuals_are_ws_actuals_in_the_dfe_units(census, kpi):
    """The census values scored against are ws.actuals' (which the charts draw), in per
    cent for a rate."""
    published = ws.actuals(ws.census("Herefordshire"), kpi)
    for when, value in published.items():
        mine = census.value(when.year, "884", kpi)
        assert (math.isnan(mine) and math.isnan(value)) or \
            mine == pytest.approx(value * kpi_scale(kpi), abs=1e-9)
    assert kpi_field(kpi).endswith("_fte")
