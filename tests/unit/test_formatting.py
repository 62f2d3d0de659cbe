"""One format per unit (results/formatting.py), chosen from the column table."""

from __future__ import annotations

import math

import pytest

from workforce_sim.engine.recording import recorder
from workforce_sim.engine.recording.columns import column, flows
from workforce_sim.results.analysis import flow_columns
from workforce_sim.results.formatting import excel_format, format_range, format_value, label


@pytest.mark.parametrize(("name", "x", "text", "signed"), [
    ("agency_rate", 0.1139, "11.4%", "+11.4 pp"),
    ("turnover_rate", 0.05, "5.0%", "+5.0 pp"),
    ("cost_agency", 2_134_000.0, "£2.13m", "+£2.13m"),
    ("agency_premium", -340_000.0, "-£0.34m", "-£0.34m"),
    ("open_cases", 1754.06, "1,754.1", "+1,754.1"),
    ("mean_wait_days", -3.25, "-3.2", "-3.2"),
    ("not_a_column", 0.5, "0.5", "+0.5"),
    (None, 12.0, "12.0", "+12.0"),
])
def test_each_unit_has_its_format(name, x, text, signed):
    assert format_value(name, x) == text
    assert format_value(name, x, signed=True) == signed
    if name in recorder.COLUMNS:
        assert format_value(column(name), x) == text


def test_missing_values_and_ranges():
    assert format_value("agency_rate", math.nan) == "n/a"
    assert format_value("cost_total", float("nan"), signed=True) == "n/a"
    assert format_range("vacancy_rate", 0.2, 0.1, math.nan) == "20.0% (10.0% to n/a)"


def test_excel_formats_and_labels_come_from_the_unit():
    assert excel_format("cost_total") == '"£"#,##0'
    assert excel_format("agency_rate") == excel_format("load_ratio_mean") == "0.0%"
    assert excel_format("open_cases") == excel_format("agency_fte") == excel_format(None) == "#,##0.0"
    assert label("caseload") == "Caseload (cases per case-holding FTE)"
    assert label("some_new_thing") == "Some new thing"


def test_flow_columns_are_the_tables_flows_and_what_was_totalled_before():
    """The financial-year totals cover the same columns as before the table (the list
    and name prefixes that used to pick them, and the flows added since), now read from the table."""
    old = {"referrals", "pathway_starts", "allocations", "closures", "handovers",
           "worker_changes", "caseload_moves", "hires", "leavers_permanent", "leavers_permanent_fte",
           "leavers_agency", "agency_starts", "agency_releases", "conversions", "promotions",
           "academy_qualified", "academy_dropouts", "academy_not_placed", "waiting_case_days",
           "permanent_fte_days", "nqsw_fte_days", "agency_fte_days",
           "leavers_to_other_council", "leavers_to_agency", "leavers_out_of_la_social_work",
           "agency_returners", "long_absence_starts", "agency_above_cap_starts",
           "agency_above_cap_fte_days", "agency_above_cap_spend"}
    old |= {c for c in recorder.COLUMNS if c.startswith(("cost_", "agency_premium"))}
    found = flow_columns(["month", "team", *reversed(recorder.COLUMNS), "other"])
    assert found == [c.name for c in reversed(flows())]
    assert set(found) == old
