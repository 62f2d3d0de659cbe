"""The HTML report and the charts, as a reader gets them."""

from __future__ import annotations

import base64
import html
import io
from html.parser import HTMLParser

import pytest
from PIL import Image

import workforce_sim as ws
from workforce_sim.outputs import plots
from workforce_sim.outputs.report import build_report


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.ids, self.links = [], set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag in ("link", "script") and (a.get("href") or a.get("src")):
            self.links.append(a.get("href") or a.get("src"))


@pytest.fixture(scope="module")
def results():
    s = ws.load_scenario().with_changes({"horizon_months": 36})
    return ws.run(s, replications=6, seed=3, workers=1, progress=False)


def test_report_is_self_contained_with_every_section(results):
    page = _Page()
    text = build_report(results, budget=9e6)
    page.feed(text)
    assert {"headline", "spend", "targets", "charts", "assumptions", "provenance"} <= page.ids
    assert not page.links, "the report must load nothing from elsewhere"
    assert len(page.images) == 6
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        img = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        img.verify()                       # a real, unbroken PNG
    assert "http://" not in text and "https://" not in text
    assert "Agency rate" in text and "Agency spend in the 12 months" in text
    assert html.escape(results.scenario.name) in text and f"workforce_sim {ws.__version__}" in text
    # every scenario value is listed among the assumptions
    assert "workforce.agency.day_rate" in text and "recruitment.success_probability" in text


def test_charts_draw(results, tmp_path):
    figs = {
        "fan": plots.fan_chart(results, "agency_rate", target=0.2),
        "compare": plots.compare_chart({"a": results, "b": results}, "caseload"),
        "cost": plots.cost_chart(results),
        "rag": plots.rag_dashboard(results.kpis(budget=9e6)),
        "tornado": plots.tornado_chart(
            ws.one_at_a_time(results.scenario.with_changes({"horizon_months": 6}),
                             {"recruitment.success_probability": (0.08, 0.2)},
                             replications=2, workers=1, progress=False)),
    }
    for name, fig in figs.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path)
        assert path.stat().st_size > 5_000, name
        assert fig.axes and fig.axes[0].has_data(), name


def test_workbook_has_the_finance_sheets(results, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from workforce_sim.outputs.workbook import write_workbook

    path = write_workbook(results, tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Assumptions", "Monthly", "Financial years", "Provenance"]
    assert wb["Monthly"].max_row == results.scenario.horizon_months + 1
    header = [c.value for c in wb["Financial years"][1]]
    assert header[:3] == ["financial_year", "months", "metric"]
    assert not list(tmp_path.glob("*.part*"))
    # number formats from the column table's units; bold, frozen headers
    fy = wb["Financial years"]
    assert {fy.cell(row=r, column=3).value for r in range(2, fy.max_row + 1)} <= \
        {"cost_permanent", "cost_agency", "cost_academy", "cost_recruitment", "cost_total",
         "agency_premium", "agency_above_cap_spend"}
    assert fy.cell(row=2, column=header.index("mean") + 1).number_format == '"£"#,##0'
    monthly = wb["Monthly"]
    formats = {c.value: monthly.cell(row=2, column=c.column).number_format for c in monthly[1]}
    assert formats["agency_rate mean"] == formats["vacancy_rate q95"] == "0.0%"
    assert formats[f"cost_total mean ({results.price_base})"] == '"£"#,##0'
    assert formats["caseload mean"] == formats["permanent_fte q05"] == "#,##0.0"
    for sheet in wb.worksheets:
        assert sheet.freeze_panes == "B2" and sheet["A1"].font.b, sheet.title


def test_targets_read_the_column_table(results):
    """A target without a label is labelled in its column's unit; a financial-year
    target must be a flow, since only flows have a year's total."""
    k = results.kpis([ws.Target("agency_rate", 0.2)])
    assert set(k["target"]) == {"Agency rate <= 20.0%"}
    with pytest.raises(ValueError, match="needs a flow"):
        results.kpis([ws.Target("agency_rate", 0.2, per="financial_year")])
