"""A council's census set beside the model's columns: the published figure of each
exactly matching column, in the model's units, at the September row."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import workforce_sim as ws
from workforce_sim.engine.recording.columns import COLUMNS


@pytest.fixture(scope="module")
def hereford():
    return ws.census("Herefordshire")


def test_rates_become_shares_at_the_september_row(hereford):
    a = ws.actuals(hereford, "agency_rate")
    assert a.name == "agency_rate"
    assert list(a.index.year) == list(range(2017, 2026))
    assert set(a.index.month) == {9} and set(a.index.day) == {1}
    assert a[pd.Timestamp("2022-09-01")] == pytest.approx(0.549)    # published 54.9 %
    assert a[pd.Timestamp("2025-09-01")] == pytest.approx(0.183)


def test_levels_are_as_published(hereford):
    assert ws.actuals(hereford, "vacancy_fte")[pd.Timestamp("2025-09-01")] == 60
    assert ws.actuals(hereford, "agency_fte")[pd.Timestamp("2023-09-01")] == 95.7


def test_every_exact_level_or_rate_is_read_and_nothing_else(hereford):
    for c in COLUMNS:
        if c.dfe_match == "exact" and c.kind != "flow" and c.dfe_field is not None:
            s = ws.actuals(hereford, c.name)
            assert len(s) == 9 and s.notna().all(), c.name
            if c.unit == "share":
                assert s.between(0, 1).all(), c.name
        else:
            with pytest.raises(ValueError, match="agency_rate"):
                ws.actuals(hereford, c.name)


def test_a_suppressed_figure_stays_missing():
    census = pd.DataFrame({"year": [2024, 2025], "measure": ["agency_rate_fte"] * 2,
                           "value": [math.nan, 12.5], "status": ["c: confidential", ""]})
    s = ws.actuals(census, "agency_rate")
    assert math.isnan(s.iloc[0]) and s.iloc[1] == 0.125


def test_not_a_census_or_not_a_column():
    with pytest.raises(ValueError, match="no column measure"):
        ws.actuals(pd.DataFrame({"year": [2025], "value": [1.0]}), "agency_rate")
    with pytest.raises(KeyError, match="no column 'agency'"):
        ws.actuals(ws.census("884"), "agency")


def test_fan_chart_draws_the_census(hereford):
    from workforce_sim.outputs import plots

    results = ws.run(ws.load_scenario("herefordshire_2022_crisis.toml"), replications=2)
    fig = plots.fan_chart(results, "agency_rate", actuals=hereford)
    line = [ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("actual")]
    assert len(line) == 1
    assert list(line[0].get_ydata()) == pytest.approx(list(ws.actuals(hereford, "agency_rate")))
