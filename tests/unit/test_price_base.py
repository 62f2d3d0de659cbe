"""Every money figure states its price base (docs/outputs.md, "The price base of money")."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import workforce_sim as ws  # noqa: E402
from workforce_sim.data.deflators import GDP_DEFLATOR  # noqa: E402
from workforce_sim.results.formatting import label  # noqa: E402
from workforce_sim.results.money import deflator_ratios, financial_year, index_of  # noqa: E402

REAL = "£, 2025-26 prices, GDP deflator (estimated)"


@pytest.fixture(scope="module")
def real() -> ws.Results:
    s = ws.load_scenario().with_changes({"horizon_months": 12,
                                         "money.price_base": {"real": 2025}})
    return ws.run(s, replications=2, progress=False, workers=1)


def test_the_label_names_the_base_and_the_deflator(real):
    assert real.price_base == REAL
    assert ws.run(ws.load_scenario().with_changes({"horizon_months": 1}), replications=1,
                  progress=False, workers=1).price_base == "£, cash"
    assert label("cost_total", REAL) == f"Total cost ({REAL})"
    assert label("agency_rate", REAL) == "Agency rate"       # not money: as before


@pytest.mark.slow
def test_summary_report_plots_workbook_and_provenance_state_it(real, tmp_path):
    from workforce_sim.outputs import plots, report, workbook

    money = real.headline().query("metric == 'cost_total'")["measure"].iloc[0]
    assert money.endswith(f"({REAL})")
    assert real.provenance["price_base"] == REAL
    assert REAL in report.build_report(real)
    assert plots.fan_chart(real, "cost_total").axes[0].get_ylabel().endswith(f"({REAL})")
    assert plots.cost_chart(real).axes[0].get_ylabel() == REAL
    pytest.importorskip("openpyxl")
    import pandas as pd
    path = workbook.write_workbook(real, tmp_path / "w.xlsx")
    monthly = pd.read_excel(path, sheet_name="Monthly")
    assert f"cost_total mean ({REAL})" in monthly.columns
    assert "agency_rate mean" in monthly.columns
    assert set(pd.read_excel(path, sheet_name="Financial years")["price_base"]) == {REAL}


def test_compare_refuses_mixed_price_bases():
    s = ws.load_scenario().with_changes({"horizon_months": 1})
    with pytest.raises(ValueError, match="different price bases"):
        ws.compare({"cash": s, "real": s.with_changes({"money.price_base": {"real": 2025}})},
                   replications=1, progress=False, workers=1)


def test_the_series_steps_on_1_april_and_grows_beyond_its_years():
    import datetime as dt
    assert financial_year(dt.date(2026, 3, 1)) == 2025
    assert financial_year(dt.date(2026, 4, 1)) == 2026
    last = max(GDP_DEFLATOR.index)
    assert index_of(GDP_DEFLATOR, last + 3) == pytest.approx(
        GDP_DEFLATOR.index[last] * 1.02 ** 3, rel=1e-15)
    s = ws.load_scenario().with_changes({"money.price_base": {"real": 2025}})
    r = deflator_ratios(s, [dt.date(2025, 10, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1)])
    assert r[0] == r[1] == 1.0
    assert r[2] == GDP_DEFLATOR.index[2026] / GDP_DEFLATOR.index[2025]
