"""Vacant manager posts: the managed teams' leaving hazard rises with the share of their
managers' posts vacant and not covered by agency staff (``teams.<name>.manages``,
``workforce.permanent.manager_vacancy_elasticity``)."""

from __future__ import annotations

import pytest

from tests.theory.test_workforce import Run, scenario
from workforce_sim.engine import Model
from workforce_sim.scenario.errors import ScenarioError

TEAMS = {
    "a": {"establishment_fte": 6, "caseload_cap": 18, "staff": {"permanent": 6}},
    "b": {"establishment_fte": 4, "caseload_cap": 18, "staff": {"permanent": 4}},
    "managers": {"establishment_fte": 2, "holds_cases": False, "role": "team_manager",
                 "manages": ["a"], "staff": {"permanent": 1}},
}


def model(elasticity: float, **agency) -> Model:
    s = scenario(TEAMS, 3, workforce={"permanent": {"manager_vacancy_elasticity": elasticity},
                                      "agency": agency},
                 recruitment={"success_probability": 0.0})
    return Model(s, 0).run()


def factors(m: Model, team: str) -> set[float]:
    return {m.attrition.records[w].plan_pressure for w in m.ctx.teams[team].workers
            if w.kind == "permanent"}


def test_an_uncovered_manager_vacancy_multiplies_the_managed_hazard_exactly():
    """One of two manager posts vacant, no agency cover: team a's employees are planned at
    1 + 0.8 × 0.5 = 1.4 at every month end; team b, not managed, and the managers
    themselves at 1."""
    m = model(0.8)
    assert factors(m, "a") == {1.4}
    assert factors(m, "b") == {1.0}
    assert factors(m, "managers") == {1.0}


def test_a_covered_manager_vacancy_has_no_effect():
    """The manager vacancy covered by an agency manager (cover 1, a week's lead time, sure
    to fill): by the month end after the fill, team a is planned at 1."""
    m = model(0.8, cover_fraction=1.0, fill_probability=1.0,
              lead_time_days={"dist": "fixed", "value": 7})
    assert factors(m, "a") == {1.0}


def test_with_no_elasticity_the_managers_change_nothing():
    """Elasticity 0 (the default): the monthly table is the same to the bit as with no
    team managing another."""
    plain = {**TEAMS, "managers": {k: v for k, v in TEAMS["managers"].items() if k != "manages"}}
    base = dict(workforce={"permanent": {"annual_turnover": 0.3}})
    a = Run(scenario(TEAMS, 12, **base), 0).monthly
    b = Run(scenario(plain, 12, **base), 0).monthly
    assert a.equals(b)


def test_a_team_managing_an_unknown_team_or_itself_is_refused():
    bad = {**TEAMS, "managers": {**TEAMS["managers"], "manages": ["x", "managers"]}}
    with pytest.raises(ScenarioError) as err:
        scenario(bad, 3)
    text = str(err.value)
    assert "teams.managers.manages.0" in text and "unknown team" in text
    assert "teams.managers.manages.1" in text and "cannot manage itself" in text
