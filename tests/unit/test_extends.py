"""A file that extends another changes only what it sets: tables merge key by key,
except a table that describes one thing (a team's staff, a case type's continuations,
a distribution), which the child replaces as a whole."""

from __future__ import annotations

import pytest

from workforce_sim import load_scenario
from workforce_sim.scenario.distributions import Empirical, Lognormal
from workforce_sim.scenario.loading import WHOLE_TABLES, _merge, _whole

BASE = "herefordshire_2025.toml"


@pytest.fixture()
def child(tmp_path):
    def write(body: str):
        path = tmp_path / "child.toml"
        path.write_text(f'extends = "{BASE}"\nname = "child"\n{body}', encoding="utf-8")
        return load_scenario(path)
    return write


def test_staff_set_in_the_child_replace_the_parents_newly_qualified(child):
    base = load_scenario(BASE).teams["assessment"].staff
    assert base.nqsw, "the base must have newly qualified staff for this test to mean anything"
    s = child("[teams.assessment.staff]\npermanent = 5\nagency = 1\n")
    staff = s.teams["assessment"].staff
    assert staff.nqsw == ()
    assert sum(g.count for g in staff.permanent) == 5
    assert sum(g.count for g in staff.agency) == 1


def test_a_team_table_without_staff_still_merges_key_by_key(child):
    base = load_scenario(BASE).teams["assessment"]
    s = child("[teams.assessment]\nestablishment_fte = 40\n")
    team = s.teams["assessment"]
    assert team.establishment_fte == 40
    assert team.staff == base.staff
    assert team.caseload_cap == base.caseload_cap


def test_a_duration_can_change_distribution(child):
    assert isinstance(load_scenario(BASE).case_types["cin"].duration_days, Empirical)
    s = child('[case_types.cin]\nduration_days = { dist = "lognormal", median = 200, p90 = 600 }\n')
    assert isinstance(s.case_types["cin"].duration_days, Lognormal)
    assert s.case_types["cin"].team == "safeguarding"      # the rest of the type is kept


def test_continuations_are_replaced_as_a_whole(child):
    assert set(load_scenario(BASE).case_types["assessment"].on_close) == {"cin", "cp", "cla"}
    s = child("[case_types.assessment]\non_close = { cin = 0.2 }\n")
    assert dict(s.case_types["assessment"].on_close) == {"cin": 0.2}


def test_merge_rule_on_plain_data():
    base = {"a": {"x": 1, "y": 2}, "teams": {"t": {"staff": {"permanent": 3, "nqsw": 1},
                                                      "cap": 18}}}
    top = {"a": {"y": 5}, "teams": {"t": {"staff": {"permanent": 4}}}}
    assert _merge(base, top) == {"a": {"x": 1, "y": 5},
                                 "teams": {"t": {"staff": {"permanent": 4}, "cap": 18}}}
    assert _whole(("teams", "t", "staff"), {}) and _whole(("anything",), {"dist": "fixed"})
    assert not _whole(("teams", "t"), {"staff": {}})
    assert all(p[0] in ("teams", "case_types") for p in WHOLE_TABLES)
