"""Scenario files: loading, defaults, overrides, and clear errors for bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from tests.conftest import small_dict
from workforce_sim import Scenario, ScenarioError, load_scenario, shipped_scenarios


def problems_of(data: dict) -> list:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(data)
    return info.value.problems


def only_problem(data: dict):
    problems = problems_of(data)
    assert len(problems) == 1, problems
    return problems[0]


# ------------------------------------------------------------------ good input


def test_default_scenario_loads_and_is_frozen(default_scenario):
    s = default_scenario
    assert s.schema_version == 1
    assert set(s.teams) == {"assessment", "safeguarding", "children_in_care", "practice_leadership"}
    with pytest.raises(ValidationError):
        s.horizon_months = 3


def test_every_shipped_scenario_is_valid():
    names = shipped_scenarios()
    assert "herefordshire_2025.toml" in names
    for name in names:
        assert load_scenario(name).name


def test_file_written_to_the_design_sketch_loads(tmp_path):
    """The full example of every section a planner writes (the scenario reference's
    fields), with the team it names defined, is a valid file."""
    text = """
schema_version = 1
name = "sketch"
start_date = 2025-04-01
horizon_months = 60
[teams.assessment]
establishment_fte = 22
caseload_cap = 18
[teams.assessment.staff]
permanent = 14
agency = 5
nqsw = [{ count = 3, months_served = 4 }]
[teams.safeguarding]
establishment_fte = 30
caseload_cap = 18
[case_types.assessment]
team = "assessment"
weight = 1.0
referrals_per_year = 1800
duration_days = { dist = "lognormal", median = 30, p90 = 45 }
initial_open = 120
on_close = { cin = 0.45, cp = 0.10 }
[case_types.cin]
team = "safeguarding"
duration_days = { dist = "gamma", mean = 300, sd = 200 }
[case_types.cp]
team = "safeguarding"
duration_days = { dist = "empirical", bins = [[0, 90, 0.159], [90, 180, 0.11], [180, 365, 0.731]] }
[workforce.permanent]
annual_turnover = 0.15
turnover_by_service_years = [[0, 0.18], [5, 0.09]]
pressure_threshold = 1.0
pressure_elasticity = 1.5
notice_days = 28
salary = 40000
on_cost_rate = 0.30
[workforce.nqsw]
asye_months = 12
capacity_start = 0.4
capacity_end = 0.9
salary = 34000
[workforce.agency]
cover_fraction = 0.8
lead_time_days = { dist = "triangular", min = 7, mode = 10, max = 21 }
placement_days = { dist = "lognormal", median = 182, p90 = 450 }
renewal_probability = 0.5
early_exit_annual_rate = 0.6
conversion_annual_rate = 0.05
day_rate = 370
billable_days_per_year = 225
release_notice_days = 28
[recruitment]
time_to_hire_days = { dist = "triangular", min = 56, mode = 84, max = 168 }
success_probability = 0.5
readvertise_days = 30
cost_per_hire = 4000
campaigns = [{ start = 2026-01-01, end = 2026-06-30, success_multiplier = 1.5, cost = 60000 }]
[[academy.intakes]]
pathway = "nqsw_academy"
month = 9
sizes = [12, 22, 25]
teams = { assessment = 0.5, safeguarding = 0.5 }
[academy.pathways.nqsw_academy]
training_months = 0
completion_rate = 1.0
asye_pass_rate = 0.95
tie_in_months = 24
tie_in_turnover_factor = 0.3
cost_per_trainee_year = 6000
[absence]
rate = 0.035
"""
    path = tmp_path / "sketch.toml"
    path.write_text(text)
    s = load_scenario(path)
    assert s.teams["assessment"].staff.nqsw[0].months_served == 4
    assert s.case_types["assessment"].duration_days.p90 == 45
    assert s.academy.intakes[0].sizes == (12, 22, 25)     # frozen: a tuple


def test_headcount_shorthand_means_full_time_groups(small):
    staff = small.teams["assessment"].staff
    assert [(g.count, g.fte) for g in staff.permanent] == [(3, 1.0)]


def test_seasonality_is_rescaled_to_mean_exactly_one():
    d = small_dict(**{"case_types.assessment.seasonality": [1.005] * 12})
    s = Scenario.from_dict(d)
    assert sum(s.case_types["assessment"].seasonality) == pytest.approx(12, abs=1e-12)


def test_with_changes_returns_a_new_validated_scenario(small):
    changed = small.with_changes({"teams.assessment.caseload_cap": 20,
                                  "case_types.assessment.duration_days": {"dist": "fixed", "value": 9}})
    assert changed.teams["assessment"].caseload_cap == 20
    assert changed.case_types["assessment"].duration_days.mean == 9
    assert small.teams["assessment"].caseload_cap == 10   # the original is untouched


def test_with_changes_reaches_into_lists():
    s = load_scenario().with_changes({"academy.intakes.0.sizes": [12, 25]})
    assert s.academy.intakes[0].sizes == (12, 25)


def test_round_trip_through_to_dict(small):
    assert Scenario.from_dict(small.to_dict()) == small


# ------------------------------------------------------------------- bad input


def test_misspelt_key_names_the_path_and_suggests():
    d = small_dict()
    d["teams"]["assessment"]["caseload_capp"] = 20
    p = only_problem(d)
    assert p.path == "teams.assessment.caseload_capp"
    assert p.value == 20
    assert "did you mean 'caseload_cap'" in p.message


def test_misspelt_top_level_section():
    d = small_dict()
    d["absense"] = {"rate": 0.03}
    p = only_problem(d)
    assert p.path == "absense" and "did you mean 'absence'" in p.message


def test_wrong_type():
    p = only_problem(small_dict(**{"teams.assessment.caseload_cap": "eighteen"}))
    assert p.path == "teams.assessment.caseload_cap"
    assert p.value == "eighteen"
    assert "number" in p.message


def test_negative_rate():
    p = only_problem(small_dict(**{"case_types.assessment.referrals_per_year": -5}))
    assert p.path == "case_types.assessment.referrals_per_year"
    assert p.value == -5 and "greater than or equal to 0" in p.message


def test_probability_above_one():
    d = small_dict()
    d["workforce"] = {"agency": {"renewal_probability": 1.2}}
    p = only_problem(d)
    assert p.path == "workforce.agency.renewal_probability"
    assert p.value == 1.2 and "less than or equal to 1" in p.message


def test_on_close_summing_above_one():
    p = only_problem(small_dict(**{"case_types.assessment.on_close": {"cin": 0.8, "cp": 0.4}}))
    assert p.path == "case_types.assessment.on_close"
    assert "sum to 1.2" in p.message and "at most 1" in p.message


def test_on_close_naming_an_unknown_case_type():
    p = only_problem(small_dict(**{"case_types.assessment.on_close": {"cim": 0.3}}))
    assert p.path == "case_types.assessment.on_close.cim"
    assert "unknown case type" in p.message and "did you mean 'cin'" in p.message


def test_case_type_naming_an_unknown_team():
    p = only_problem(small_dict(**{"case_types.cin.team": "safeguardin"}))
    assert p.path == "case_types.cin.team" and p.value == "safeguardin"
    assert "did you mean 'safeguarding'" in p.message


def test_unknown_distribution():
    p = only_problem(small_dict(**{"case_types.cin.duration_days": {"dist": "lognorm", "median": 3}}))
    assert p.path == "case_types.cin.duration_days.dist"
    assert p.value == "lognorm" and "did you mean 'lognormal'" in p.message


def test_distribution_parameters_are_checked_with_their_path():
    p = only_problem(small_dict(**{"case_types.cin.duration_days":
                                   {"dist": "lognormal", "median": 30, "p90": 20}}))
    assert p.path == "case_types.cin.duration_days"
    assert "p90 (20.0) must be greater than median (30.0)" in p.message


def test_misspelt_distribution_parameter():
    p = only_problem(small_dict(**{"case_types.cin.duration_days":
                                   {"dist": "lognormal", "median": 30, "p09": 60}}))
    assert p.path == "case_types.cin.duration_days.p09"
    assert "did you mean 'p90'" in p.message


def test_demand_change_outside_the_horizon():
    p = only_problem(small_dict(**{"case_types.assessment.demand_changes":
                                   [{"date": "2031-01-01", "multiplier": 1.2}]}))
    assert p.path == "case_types.assessment.demand_changes.0.date"
    assert p.value == dt.date(2031, 1, 1) and "outside the horizon" in p.message


def test_start_date_must_be_first_of_month():
    p = only_problem(small_dict(start_date="2025-04-15"))
    assert p.path == "start_date" and "first day of a month" in p.message


def test_several_problems_are_all_reported():
    d = small_dict(**{"case_types.cin.team": "nowhere", "horizon_months": 0})
    d["teams"]["assessment"]["establishment_fte"] = -1
    paths = {p.path for p in problems_of(d)}
    assert {"horizon_months", "teams.assessment.establishment_fte"} <= paths


def test_missing_required_field():
    d = small_dict()
    del d["case_types"]["cin"]["duration_days"]
    p = only_problem(d)
    assert p.path == "case_types.cin.duration_days" and "missing" in p.message


def test_intake_shares_and_unknown_pathway():
    d = small_dict()
    d["academy"] = {"intakes": [{"pathway": "step_up", "sizes": [5],
                                 "teams": {"assessment": 0.5, "safeguarding": 0.4}}]}
    paths = {p.path: p for p in problems_of(d)}
    assert "unknown pathway" in paths["academy.intakes.0.pathway"].message
    assert "sum to 0.9" in paths["academy.intakes.0.teams"].message


def test_nqsw_past_their_asye_are_refused():
    p = only_problem(small_dict(**{"teams.safeguarding.staff.nqsw": [{"count": 1, "months_served": 14}]}))
    assert p.path == "teams.safeguarding.staff.nqsw.0.months_served"


def test_with_changes_to_a_path_that_does_not_exist(small):
    with pytest.raises(ScenarioError) as info:
        small.with_changes({"teams.assesment.caseload_cap": 20})
    assert "did you mean 'assessment'" in str(info.value)


def test_with_changes_to_a_bad_value_is_refused(small):
    with pytest.raises(ScenarioError) as info:
        small.with_changes({"teams.assessment.caseload_cap": -3})
    assert info.value.problems[0].path == "teams.assessment.caseload_cap"


def test_malformed_toml(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("schema_version = 1\nname = 'x'\nhorizon_months = = 3\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "malformed TOML" in str(info.value) and "line 3" in str(info.value)


def test_missing_file_suggests_a_shipped_one():
    with pytest.raises(ScenarioError) as info:
        load_scenario("herefordshire_2052.toml")
    assert "did you mean 'herefordshire_2025.toml'" in str(info.value)


def test_wrong_schema_version():
    p = only_problem(small_dict(schema_version=2))
    assert p.path == "schema_version" and p.value == 2


def test_error_text_lists_path_value_and_expectation():
    d = small_dict(**{"case_types.assessment.referrals_per_year": -5})
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(d, source="mine.toml")
    text = str(info.value)
    assert text.startswith("scenario 'mine.toml' is not valid (1 problem):")
    assert "case_types.assessment.referrals_per_year = -5: " in text
